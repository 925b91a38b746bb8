// What the WebSocket connections served by one thread share, so that an echo costs no heap
// allocation per frame and an idle connection holds no buffer: the read buffer, a spare write
// queue, recycled payload strings and recycled message blocks.
//
// Who may use what: the read buffer belongs to the read pass of one connection (the handlers it
// calls may run passes of other connections, which never read inline: their reads are posted).
// The pools may be used from any thread; each thread has its own, and whatever is
// given back goes to the pool of the thread that gives it.
#pragma once

#include <restinio/asio_include.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

inline std::array< std::uint8_t, 64 * 1024 > & per_thread_read_buffer() noexcept
{
    static thread_local std::array< std::uint8_t, 64 * 1024 > buffer;
    return buffer;
}

// Payload strings whose frames were written, for the next frames read on this thread: a frame
// that fits one costs no allocation (an echo hands the same string back and forth). Small
// strings are kept empty; a few large ones keep their length, so that a long payload read
// straight into one overwrites old bytes instead of zero-filling new ones first (that fill was
// 11% of the server's time echoing 1 MiB messages). Bounded, so that a thread keeps little when
// traffic stops.
class payload_string_pool_t
{
public:
    // A string for a payload of `size` bytes: empty, or (for a large payload) possibly already
    // that long with old content.
    [[nodiscard]] std::string take( std::size_t size ) noexcept
    {
        auto & strings = size > max_small_capacity ? m_large : m_small;
        if( strings.empty() )
            return {};
        std::string result = std::move( strings.back() );
        strings.pop_back();
        return result;
    }

    void give_back( std::string && s )
    {
        // A string in its own inline buffer has nothing worth keeping.
        if( s.capacity() <= std::string{}.capacity() || s.capacity() > max_large_capacity )
            return;
        const bool small = s.capacity() <= max_small_capacity;
        auto & strings = small ? m_small : m_large;
        const std::size_t max_count = small ? max_small_count : max_large_count;
        if( strings.size() == max_count )
            return;
        if( strings.capacity() == 0 )
            strings.reserve( max_count );
        if( small )
            s.clear();
        strings.push_back( std::move( s ) );
    }

private:
    static constexpr std::size_t max_small_count = 64;
    static constexpr std::size_t max_small_capacity = 16 * 1024;
    static constexpr std::size_t max_large_count = 4;
    static constexpr std::size_t max_large_capacity = 2 * 1024 * 1024;
    std::vector< std::string > m_small;
    std::vector< std::string > m_large;
};

inline payload_string_pool_t & per_thread_payload_strings() noexcept
{
    static thread_local payload_string_pool_t pool;
    return pool;
}

// A receiver's sink (see receiver.hpp) takes its payload strings from the thread's pool.
struct recycled_payload_strings_t
{
    [[nodiscard]] std::string take_payload_string( std::size_t size ) noexcept
    {
        return per_thread_payload_strings().take( size );
    }
};

// Freed blocks of one size, kept for the next allocation on the same thread. A block is only
// reused once it is free, that is once no shared_ptr and no weak_ptr refers to what it held, so
// a message the user still holds in any way is never overwritten.
template< std::size_t Size >
class block_cache_t
{
public:
    block_cache_t() = default;
    block_cache_t( const block_cache_t & ) = delete;
    block_cache_t & operator=( const block_cache_t & ) = delete;

    ~block_cache_t()
    {
        while( m_head )
            ::operator delete( std::exchange( m_head, m_head->m_next ) );
        // A block freed later on this thread (by another thread_local's destructor) goes to
        // the heap.
        m_count = max_count;
    }

    [[nodiscard]] void * take()
    {
        if( !m_head )
            return ::operator new( Size );
        --m_count;
        return std::exchange( m_head, m_head->m_next );
    }

    void give_back( void * block ) noexcept
    {
        if( m_count == max_count )
            return ::operator delete( block );
        ++m_count;
        m_head = ::new( block ) node_t{ m_head };
    }

private:
    struct node_t { node_t * m_next; };
    static_assert( Size >= sizeof( node_t ) );
    static constexpr std::size_t max_count = 64;

    node_t * m_head{ nullptr };
    std::size_t m_count{ 0 };
};

template< std::size_t Size >
block_cache_t< Size > & per_thread_block_cache() noexcept
{
    static thread_local block_cache_t< Size > cache;
    return cache;
}

// For std::allocate_shared of messages: the object and its reference counts in one recycled
// block, so that delivering a frame costs no heap allocation.
template< typename T >
struct recycling_allocator_t
{
    using value_type = T;

    recycling_allocator_t() noexcept = default;
    template< typename U >
    recycling_allocator_t( const recycling_allocator_t< U > & ) noexcept {}

    static_assert( alignof( T ) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__ );

    [[nodiscard]] T * allocate( std::size_t n )
    {
        if( 1 != n )
            return static_cast< T * >( ::operator new( n * sizeof( T ) ) );
        return static_cast< T * >( per_thread_block_cache< sizeof( T ) >().take() );
    }

    void deallocate( T * p, std::size_t n ) noexcept
    {
        if( 1 != n )
            return ::operator delete( p );
        per_thread_block_cache< sizeof( T ) >().give_back( p );
    }

    template< typename U >
    friend bool operator==( const recycling_allocator_t &, const recycling_allocator_t< U > & ) noexcept
    { return true; }
    template< typename U >
    friend bool operator!=( const recycling_allocator_t &, const recycling_allocator_t< U > & ) noexcept
    { return false; }
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
