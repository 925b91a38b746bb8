// Tests of word-at-a-time unmasking against a byte loop: the RFC's example, every length up to
// 64, every phase, every alignment, and a payload continued across calls.
#include <restinio/websocket/impl/mask.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace rwi = restinio::websocket::basic::impl;

namespace
{

void
reference_unmask( std::uint8_t * data, std::size_t size, const rwi::mask_key_t & key,
    std::uint64_t payload_offset )
{
    for( std::size_t i = 0; i != size; ++i )
        data[ i ] ^= key[ ( payload_offset + i ) % 4 ];
}

} // namespace

TEST_CASE( "RFC 6455 5.7: a masked \"Hello\"", "[websocket][mask]" )
{
    std::uint8_t payload[] = { 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    rwi::unmask( payload, sizeof( payload ), { { 0x37, 0xfa, 0x21, 0x3d } }, 0 );
    CHECK( std::string( payload, payload + 5 ) == "Hello" );
}

TEST_CASE( "every length, phase and alignment matches a byte loop", "[websocket][mask]" )
{
    const rwi::mask_key_t key{ { 0xA1, 0x3C, 0x5E, 0xF7 } };
    for( std::size_t alignment = 0; alignment != 8; ++alignment )
        for( std::uint64_t offset = 0; offset != 8; ++offset )
            // Past 64 bytes: the AVX2 steps (where the processor has it) and every tail after them.
            for( std::size_t length = 0; length <= 200; ++length )
            {
                INFO( "alignment " << alignment << ", offset " << offset << ", length " << length );
                // Guard bytes on both sides must stay untouched.
                std::vector< std::uint8_t > fast( alignment + length + 8 );
                std::iota( fast.begin(), fast.end(), std::uint8_t{ 1 } );
                std::vector< std::uint8_t > slow = fast;
                rwi::unmask( fast.data() + alignment, length, key, offset );
                reference_unmask( slow.data() + alignment, length, key, offset );
                REQUIRE( fast == slow );
            }
}

TEST_CASE( "a payload unmasked in pieces continues the key's phase", "[websocket][mask]" )
{
    const rwi::mask_key_t key{ { 0x01, 0x02, 0x04, 0x08 } };
    std::vector< std::uint8_t > whole( 300 );
    std::iota( whole.begin(), whole.end(), std::uint8_t{ 0 } );
    std::vector< std::uint8_t > pieces = whole;
    reference_unmask( whole.data(), whole.size(), key, 0 );

    std::size_t offset = 0;
    for( const std::size_t piece : { 1u, 2u, 3u, 7u, 8u, 9u, 15u, 16u, 17u, 33u, 189u } )
    {
        rwi::unmask( pieces.data() + offset, piece, key, offset );
        offset += piece;
    }
    REQUIRE( offset == pieces.size() );
    CHECK( pieces == whole );

    // Applying the mask twice restores the input (5.3: the same algorithm masks and unmasks).
    rwi::unmask( pieces.data(), pieces.size(), key, 0 );
    reference_unmask( whole.data(), whole.size(), key, 0 );
    CHECK( pieces == whole );
}
