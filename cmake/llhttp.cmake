# llhttp as a small static library, built from the sources of Debian's node-llhttp package
# (there is no libllhttp-dev in bookworm). LLHTTP_SOURCE_DIR / LLHTTP_INCLUDE_DIR may point elsewhere.
set(LLHTTP_SOURCE_DIR /usr/share/llhttp CACHE PATH "Directory with llhttp's api.c, http.c, llhttp.c")
set(LLHTTP_INCLUDE_DIR /usr/share/include/llhttp CACHE PATH "Directory with llhttp.h")

foreach(f api.c http.c llhttp.c)
    if(NOT EXISTS ${LLHTTP_SOURCE_DIR}/${f})
        message(FATAL_ERROR "llhttp source ${LLHTTP_SOURCE_DIR}/${f} not found: apt-get install node-llhttp")
    endif()
endforeach()

add_library(restinio_llhttp STATIC
    ${LLHTTP_SOURCE_DIR}/api.c ${LLHTTP_SOURCE_DIR}/http.c ${LLHTTP_SOURCE_DIR}/llhttp.c)
add_library(restinio::llhttp ALIAS restinio_llhttp)
# Strict mode: llhttp refuses what RFC 9112 refuses instead of guessing (e.g. LF-only line ends).
target_compile_definitions(restinio_llhttp PRIVATE LLHTTP_STRICT_MODE=1)
set_target_properties(restinio_llhttp PROPERTIES
    EXPORT_NAME llhttp OUTPUT_NAME restinio_llhttp POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
target_include_directories(restinio_llhttp PUBLIC
    $<BUILD_INTERFACE:${LLHTTP_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/restinio/third_party/llhttp>)
