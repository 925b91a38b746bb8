// Processor features asked for at run time. The library is built for the x86-64 baseline
// (SSE2); a hot loop may have a second version compiled for AVX2 with the target attribute
// (no build flag needed), taken only where has_avx2() says the processor runs it. Defining
// RESTINIO_NO_AVX2 leaves the AVX2 versions out (the tests build the portable code that way).
#pragma once

#if defined( __x86_64__ ) && ( defined( __GNUC__ ) || defined( __clang__ ) ) && !defined( RESTINIO_NO_AVX2 )
#define RESTINIO_HAS_AVX2_TARGET 1
#include <immintrin.h>
#else
#define RESTINIO_HAS_AVX2_TARGET 0
#endif

namespace restinio
{

namespace impl
{

#if RESTINIO_HAS_AVX2_TARGET
// Asked once per process.
[[nodiscard]] inline bool
has_avx2() noexcept
{
    static const bool result = __builtin_cpu_supports( "avx2" );
    return result;
}
#endif

} /* namespace impl */

} /* namespace restinio */
