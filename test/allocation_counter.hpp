// Counts the heap allocations each thread of a test binary makes, by replacing the global
// operator new and delete: include it in exactly one source file of the binary. Tests use it to
// check the hot path's "no allocation per frame" rules.
//
// ThreadSanitizer's runtime defines these operators itself (a second definition does not link),
// so under it nothing is replaced and counts_allocations is false: tests then skip the checks.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#include "replaces_new.hpp"

namespace test_support
{

constexpr bool counts_allocations = TEST_SUPPORT_REPLACES_NEW;

inline thread_local std::size_t t_allocations = 0;
inline thread_local std::size_t t_allocated_bytes = 0;

// How many allocations this thread has made so far.
[[nodiscard]] inline std::size_t allocations_on_this_thread() noexcept { return t_allocations; }

// How many bytes this thread has asked for so far (what storage that grows in steps costs).
[[nodiscard]] inline std::size_t bytes_allocated_on_this_thread() noexcept { return t_allocated_bytes; }

inline void * counted_allocation( std::size_t size ) noexcept
{
    ++t_allocations;
    t_allocated_bytes += size;
    return std::malloc( size ? size : 1 );
}

} // namespace test_support

#if TEST_SUPPORT_REPLACES_NEW

// Every non-aligned form is replaced, so that each allocation and its release go through the
// same pair (AddressSanitizer checks that they match). GCC 12 takes the malloc/free pair for a
// mismatch once it inlines them into a new/delete pair (a false positive), hence the pragma.
#if defined( __GNUC__ ) && !defined( __clang__ )
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void * operator new( std::size_t size )
{
    if( void * p = test_support::counted_allocation( size ) )
        return p;
    throw std::bad_alloc{};
}
void * operator new[]( std::size_t size )
{
    if( void * p = test_support::counted_allocation( size ) )
        return p;
    throw std::bad_alloc{};
}
void * operator new( std::size_t size, const std::nothrow_t & ) noexcept { return test_support::counted_allocation( size ); }
void * operator new[]( std::size_t size, const std::nothrow_t & ) noexcept { return test_support::counted_allocation( size ); }
void operator delete( void * p ) noexcept { std::free( p ); }
void operator delete[]( void * p ) noexcept { std::free( p ); }
void operator delete( void * p, std::size_t ) noexcept { std::free( p ); }
void operator delete[]( void * p, std::size_t ) noexcept { std::free( p ); }
void operator delete( void * p, const std::nothrow_t & ) noexcept { std::free( p ); }
void operator delete[]( void * p, const std::nothrow_t & ) noexcept { std::free( p ); }

#if defined( __GNUC__ ) && !defined( __clang__ )
#pragma GCC diagnostic pop
#endif

#endif // TEST_SUPPORT_REPLACES_NEW
