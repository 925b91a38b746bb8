// slab_allocator_t: memory for the objects a connection holds for its whole life (the HTTP
// connection, the WebSocket connection and its ws_t, and, with strands, the readiness wait it
// keeps pending; on one thread that wait lives in the connection, see drained_read_wait.hpp).
//
// Why not the heap: Asio's reactor allocates one state per socket on accept and never frees it
// (it pools them for later sockets), so with connection objects allocated from the same heap
// between those states, every heap page keeps a live one when the connections close, and the
// process keeps its peak RSS for ever (10,000 closed connections left 10 MiB of free heap
// nothing could return). Here a block comes from a 64 KiB slab of its size class mapped from
// the OS, and a slab is unmapped again when its last block is freed.
//
// A pool is shared by all threads behind a mutex: it is taken once per connection and once per
// readiness wait with strands, never per frame. Under AddressSanitizer, free blocks are poisoned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <utility>

#include <sys/mman.h>

#if defined( __SANITIZE_ADDRESS__ )
#   define RESTINIO_SLAB_ASAN 1
#elif defined( __has_feature )
#   if __has_feature( address_sanitizer )
#       define RESTINIO_SLAB_ASAN 1
#   endif
#endif
#if defined( RESTINIO_SLAB_ASAN )
#   include <sanitizer/asan_interface.h>
#   define RESTINIO_SLAB_POISON( p, n ) ASAN_POISON_MEMORY_REGION( p, n )
#   define RESTINIO_SLAB_UNPOISON( p, n ) ASAN_UNPOISON_MEMORY_REGION( p, n )
#else
#   define RESTINIO_SLAB_POISON( p, n ) ( (void)( p ), (void)( n ) )
#   define RESTINIO_SLAB_UNPOISON( p, n ) ( (void)( p ), (void)( n ) )
#endif

namespace restinio
{
namespace impl
{

// Blocks of one size, carved from slabs aligned on their size so that a block finds its slab
// by masking its address.
class slab_pool_t
{
public:
    static constexpr std::size_t slab_size = 64 * 1024;
    static constexpr std::size_t granularity = alignof( std::max_align_t );

    explicit slab_pool_t( std::size_t block_size ) noexcept
        : m_block_size{ round_up( block_size ) }
    {}

    slab_pool_t( const slab_pool_t & ) = delete;
    slab_pool_t & operator=( const slab_pool_t & ) = delete;

    [[nodiscard]] std::size_t block_size() const noexcept { return m_block_size; }

    [[nodiscard]] std::size_t blocks_per_slab() const noexcept
    {
        return ( slab_size - header_size ) / m_block_size;
    }

    // Slabs mapped now (the spare included): what the pool holds from the OS.
    [[nodiscard]] std::size_t mapped_slabs() const
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_mapped_slabs;
    }

    [[nodiscard]] void * allocate()
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        slab_t * slab = m_with_room;
        if( !slab )
        {
            slab = m_spare ? std::exchange( m_spare, nullptr ) : map_slab();
            link_with_room( slab );
        }

        void * block;
        if( slab->m_free )
        {
            block = slab->m_free;
            RESTINIO_SLAB_UNPOISON( block, m_block_size );
            slab->m_free = *static_cast< void ** >( block );
        }
        else
        {
            block = reinterpret_cast< std::byte * >( slab ) + header_size + slab->m_carved * m_block_size;
            ++slab->m_carved;
            RESTINIO_SLAB_UNPOISON( block, m_block_size );
        }
        if( ++slab->m_used == blocks_per_slab() )
            unlink_with_room( slab );
        return block;
    }

    void deallocate( void * block ) noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        slab_t * slab = slab_of( block );
        const bool was_full = slab->m_used == blocks_per_slab();
        *static_cast< void ** >( block ) = slab->m_free;
        slab->m_free = block;
        RESTINIO_SLAB_POISON( block, m_block_size );
        if( was_full )
            link_with_room( slab );
        if( 0 != --slab->m_used )
            return;

        // Empty: one slab stays as the spare, so that a connection opened and closed over and
        // over does not map and unmap a slab each time.
        unlink_with_room( slab );
        if( !m_spare )
        {
            slab->m_free = nullptr;
            slab->m_carved = 0;
            m_spare = slab;
        }
        else
            unmap_slab( slab );
    }

    // The process-wide pool for blocks of `size` bytes, or nullptr above the largest class.
    [[nodiscard]] static slab_pool_t * for_size( std::size_t size ) noexcept
    {
        if( 0 == size || size > largest_block )
            return nullptr;
        // Never destroyed: blocks may be freed by threads that outlive static destruction.
        static slab_pool_t * const pools = [] {
            auto * storage = static_cast< slab_pool_t * >(
                    ::operator new( sizeof( slab_pool_t ) * class_count ) );
            for( std::size_t i = 0; i != class_count; ++i )
                new( storage + i ) slab_pool_t{ ( i + 1 ) * granularity };
            return storage;
        }();
        return pools + ( round_up( size ) / granularity - 1 );
    }

    static constexpr std::size_t largest_block = 2048;

private:
    struct slab_t
    {
        slab_t * m_prev{ nullptr };
        slab_t * m_next{ nullptr };
        void * m_free{ nullptr };
        std::size_t m_used{ 0 };
        std::size_t m_carved{ 0 };
    };

    static constexpr std::size_t class_count = largest_block / granularity;
    static constexpr std::size_t header_size =
            ( sizeof( slab_t ) + granularity - 1 ) / granularity * granularity;

    [[nodiscard]] static constexpr std::size_t round_up( std::size_t n ) noexcept
    {
        return ( n + granularity - 1 ) / granularity * granularity;
    }

    [[nodiscard]] static slab_t * slab_of( void * block ) noexcept
    {
        return reinterpret_cast< slab_t * >(
                reinterpret_cast< std::uintptr_t >( block ) & ~std::uintptr_t{ slab_size - 1 } );
    }

    // mmap gives page alignment only: map twice the size and give back what is off alignment.
    slab_t * map_slab()
    {
        void * raw = ::mmap( nullptr, 2 * slab_size, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 );
        if( MAP_FAILED == raw )
            throw std::bad_alloc{};
        const auto begin = reinterpret_cast< std::uintptr_t >( raw );
        const auto aligned = ( begin + slab_size - 1 ) & ~std::uintptr_t{ slab_size - 1 };
        if( aligned != begin )
            ::munmap( raw, aligned - begin );
        if( const auto tail = begin + 2 * slab_size - ( aligned + slab_size ); 0 != tail )
            ::munmap( reinterpret_cast< void * >( aligned + slab_size ), tail );

        ++m_mapped_slabs;
        auto * slab = new( reinterpret_cast< void * >( aligned ) ) slab_t{};
        RESTINIO_SLAB_POISON( reinterpret_cast< std::byte * >( slab ) + header_size, slab_size - header_size );
        return slab;
    }

    void unmap_slab( slab_t * slab ) noexcept
    {
        --m_mapped_slabs;
        RESTINIO_SLAB_UNPOISON( slab, slab_size );
        ::munmap( slab, slab_size );
    }

    void link_with_room( slab_t * slab ) noexcept
    {
        slab->m_prev = nullptr;
        slab->m_next = m_with_room;
        if( m_with_room )
            m_with_room->m_prev = slab;
        m_with_room = slab;
    }

    void unlink_with_room( slab_t * slab ) noexcept
    {
        if( slab->m_prev )
            slab->m_prev->m_next = slab->m_next;
        else
            m_with_room = slab->m_next;
        if( slab->m_next )
            slab->m_next->m_prev = slab->m_prev;
        slab->m_prev = slab->m_next = nullptr;
    }

    const std::size_t m_block_size;
    mutable std::mutex m_lock;
    // Slabs with at least one free or uncarved block; full slabs are in no list.
    slab_t * m_with_room{ nullptr };
    slab_t * m_spare{ nullptr };
    std::size_t m_mapped_slabs{ 0 };
};

// A standard allocator over the slab pools: single objects up to the largest class come from
// the pool of their size, anything else from operator new.
template< typename T >
class slab_allocator_t
{
public:
    using value_type = T;

    slab_allocator_t() noexcept = default;
    template< typename U >
    slab_allocator_t( const slab_allocator_t< U > & ) noexcept {}

    [[nodiscard]] T * allocate( std::size_t n )
    {
        static_assert( alignof( T ) <= slab_pool_t::granularity, "over-aligned types are not pooled" );
        if( 1 == n )
            if( auto * pool = slab_pool_t::for_size( sizeof( T ) ) )
                return static_cast< T * >( pool->allocate() );
        return static_cast< T * >( ::operator new( n * sizeof( T ) ) );
    }

    void deallocate( T * p, std::size_t n ) noexcept
    {
        if( 1 == n )
            if( auto * pool = slab_pool_t::for_size( sizeof( T ) ) )
                return pool->deallocate( p );
        ::operator delete( p );
    }

    template< typename U >
    friend bool operator==( const slab_allocator_t &, const slab_allocator_t< U > & ) noexcept { return true; }
    template< typename U >
    friend bool operator!=( const slab_allocator_t &, const slab_allocator_t< U > & ) noexcept { return false; }
};

} // namespace impl
} // namespace restinio
