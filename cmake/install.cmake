# `cmake --install` puts the headers, the llhttp library and its header, and a package config, so that
# a consumer's find_package(restinio CONFIG REQUIRED) + target_link_libraries(app PRIVATE restinio::restinio) works.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/restinio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${LLHTTP_INCLUDE_DIR}/llhttp.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/restinio/third_party/llhttp)
set(restinio_installed_targets restinio restinio_llhttp)
if(TARGET restinio_tls)
    list(APPEND restinio_installed_targets restinio_tls)
endif()
if(TARGET restinio_deflate)
    list(APPEND restinio_installed_targets restinio_deflate)
endif()
install(TARGETS ${restinio_installed_targets} EXPORT restinio-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT restinio-targets NAMESPACE restinio::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/restinio)

configure_package_config_file(cmake/restinio-config.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/restinio-config.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/restinio)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/restinio-config-version.cmake
    COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/restinio-config.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/restinio-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/restinio)
