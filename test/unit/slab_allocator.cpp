// The slab pools behind connection memory: blocks are distinct, aligned and keep their
// contents; a slab goes back to the OS when its last block is freed (one spare stays); the
// allocator adaptor routes single objects to their size class and the rest to operator new;
// blocks allocated on one thread may be freed on another.

#include <restinio/impl/slab_allocator.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

using restinio::impl::slab_allocator_t;
using restinio::impl::slab_pool_t;

namespace
{

struct block_t
{
    void * m_address;
    unsigned char m_fill;
};

void fill( slab_pool_t & pool, const block_t & b )
{
    std::memset( b.m_address, b.m_fill, pool.block_size() );
}

bool intact( slab_pool_t & pool, const block_t & b )
{
    const auto * bytes = static_cast< const unsigned char * >( b.m_address );
    return std::all_of( bytes, bytes + pool.block_size(), [&]( unsigned char c ) { return c == b.m_fill; } );
}

} // namespace

TEST_CASE( "slab pool: distinct aligned blocks, slabs mapped and given back", "[slab]" )
{
    slab_pool_t pool{ 360 };
    REQUIRE( pool.block_size() == 368 );
    // A small header at the start of each slab, then as many blocks as fit.
    REQUIRE( pool.blocks_per_slab() * 368 < slab_pool_t::slab_size );
    REQUIRE( pool.blocks_per_slab() * 368 + 368 + 64 > slab_pool_t::slab_size );
    REQUIRE( pool.mapped_slabs() == 0 );

    const std::size_t count = 3 * pool.blocks_per_slab() + 7;
    std::vector< block_t > blocks;
    std::set< std::uintptr_t > seen;
    for( std::size_t i = 0; i != count; ++i )
    {
        block_t b{ pool.allocate(), static_cast< unsigned char >( i ) };
        const auto address = reinterpret_cast< std::uintptr_t >( b.m_address );
        REQUIRE( 0 == address % alignof( std::max_align_t ) );
        REQUIRE( seen.insert( address ).second );
        fill( pool, b );
        blocks.push_back( b );
    }
    REQUIRE( pool.mapped_slabs() == 4 );
    // No block overlaps another: each still holds its own fill.
    for( const auto & b : blocks )
        REQUIRE( intact( pool, b ) );

    for( const auto & b : blocks )
        pool.deallocate( b.m_address );
    // Every slab emptied: all but the spare went back to the OS.
    REQUIRE( pool.mapped_slabs() == 1 );

    // The spare serves the next allocations.
    void * again = pool.allocate();
    REQUIRE( pool.mapped_slabs() == 1 );
    pool.deallocate( again );
    REQUIRE( pool.mapped_slabs() == 1 );
}

TEST_CASE( "slab pool: random allocations and frees keep every live block intact", "[slab]" )
{
    slab_pool_t pool{ 88 };
    std::mt19937 random{ 20261125 };
    std::vector< block_t > live;
    std::size_t peak_slabs = 0;
    for( int step = 0; step != 200'000; ++step )
    {
        // Grow for the first half, shrink in the second: slabs fill, empty and refill.
        const bool grow = step < 100'000 ? random() % 3 != 0 : random() % 3 == 0;
        if( grow || live.empty() )
        {
            block_t b{ pool.allocate(), static_cast< unsigned char >( random() ) };
            fill( pool, b );
            live.push_back( b );
        }
        else
        {
            const std::size_t victim = random() % live.size();
            REQUIRE( intact( pool, live[ victim ] ) );
            pool.deallocate( live[ victim ].m_address );
            live[ victim ] = live.back();
            live.pop_back();
        }
        peak_slabs = std::max( peak_slabs, pool.mapped_slabs() );
    }
    for( const auto & b : live )
    {
        REQUIRE( intact( pool, b ) );
        pool.deallocate( b.m_address );
    }
    REQUIRE( peak_slabs > 10 );
    REQUIRE( pool.mapped_slabs() == 1 );
}

TEST_CASE( "slab allocator: single objects from their size class, the rest from operator new", "[slab]" )
{
    struct medium_t
    {
        char m_bytes[ 300 ];
    };
    struct huge_t
    {
        char m_bytes[ slab_pool_t::largest_block + 1 ];
    };

    REQUIRE( slab_pool_t::for_size( 0 ) == nullptr );
    REQUIRE( slab_pool_t::for_size( 1 )->block_size() == 16 );
    REQUIRE( slab_pool_t::for_size( 300 )->block_size() == 304 );
    REQUIRE( slab_pool_t::for_size( slab_pool_t::largest_block )->block_size() == slab_pool_t::largest_block );
    REQUIRE( slab_pool_t::for_size( slab_pool_t::largest_block + 1 ) == nullptr );

    slab_allocator_t< medium_t > medium;
    medium_t * one = medium.allocate( 1 );
    // Past the header of its slab, which sits at the start of the 64 KiB it was mapped at.
    REQUIRE( reinterpret_cast< std::uintptr_t >( one ) % slab_pool_t::slab_size >= alignof( std::max_align_t ) );
    one->m_bytes[ 299 ] = 'x';
    medium.deallocate( one, 1 );

    medium_t * several = medium.allocate( 4 );
    several[ 3 ].m_bytes[ 299 ] = 'y';
    medium.deallocate( several, 4 );

    slab_allocator_t< huge_t > huge;
    huge_t * big = huge.allocate( 1 );
    big->m_bytes[ slab_pool_t::largest_block ] = 'z';
    huge.deallocate( big, 1 );

    // allocate_shared puts the object and its control block in one pooled block.
    auto shared = std::allocate_shared< std::vector< int > >( slab_allocator_t< std::vector< int > >{}, 3, 7 );
    REQUIRE( shared->size() == 3 );
    REQUIRE( slab_allocator_t< int >{} == slab_allocator_t< double >{} );
}

TEST_CASE( "slab pool: blocks allocated on one thread are freed on others", "[slab][threads]" )
{
    slab_pool_t pool{ 168 };
    constexpr int threads = 4;
    constexpr int batches = 400;
    constexpr int batch_size = 64;
    std::atomic< int > corrupted{ 0 };

    // Every thread allocates batches and swaps them through one exchange point, so that it
    // checks and frees blocks other threads allocated while they keep allocating.
    std::mutex exchange_lock;
    std::vector< std::vector< block_t > > exchange;
    std::vector< std::thread > workers;
    for( int t = 0; t != threads; ++t )
    {
        workers.emplace_back( [&, t] {
            for( int n = 0; n != batches; ++n )
            {
                std::vector< block_t > batch;
                for( int i = 0; i != batch_size; ++i )
                {
                    block_t b{ pool.allocate(), static_cast< unsigned char >( t * 31 + n + i ) };
                    fill( pool, b );
                    batch.push_back( b );
                }
                {
                    std::lock_guard< std::mutex > lock{ exchange_lock };
                    exchange.push_back( std::move( batch ) );
                    batch = std::move( exchange.front() );
                    exchange.erase( exchange.begin() );
                }
                for( const auto & b : batch )
                {
                    if( !intact( pool, b ) )
                        ++corrupted;
                    pool.deallocate( b.m_address );
                }
            }
        } );
    }
    for( auto & w : workers )
        w.join();
    REQUIRE( corrupted == 0 );
    REQUIRE( exchange.empty() );
    REQUIRE( pool.mapped_slabs() == 1 );
}
