// byte_buffer_t: a vector of bytes that resize() does not zero, for buffers that are written
// right after they grow (socket reads, records sealed in place).
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace restinio
{
namespace impl
{

template< typename T >
struct uninitialized_allocator_t : std::allocator< T >
{
    template< typename U >
    struct rebind
    {
        using other = uninitialized_allocator_t< U >;
    };

    uninitialized_allocator_t() = default;
    template< typename U >
    uninitialized_allocator_t( const uninitialized_allocator_t< U > & ) noexcept {}

    // Default-initialises (for bytes: leaves as it is) where std::allocator would zero.
    template< typename U >
    void construct( U * p ) noexcept
    {
        ::new( static_cast< void * >( p ) ) U;
    }

    template< typename U, typename... Args >
    void construct( U * p, Args &&... args )
    {
        ::new( static_cast< void * >( p ) ) U( std::forward< Args >( args )... );
    }
};

using byte_buffer_t = std::vector< std::uint8_t, uninitialized_allocator_t< std::uint8_t > >;

} // namespace impl
} // namespace restinio
