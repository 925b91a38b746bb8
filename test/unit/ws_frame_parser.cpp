// Tests of the incremental header parser: every header layout, every split, and no read past
// the span it is given.
#include <restinio/websocket/impl/frame_parser.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <algorithm>
#include <iterator>
#include <random>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;
using bytes_t = std::vector< std::uint8_t >;

namespace
{

struct expected_header_t
{
    bool fin;
    std::uint8_t rsv;
    std::uint8_t opcode;
    bool masked;
    std::uint64_t length;
    rwi::mask_key_t key;
};

void
check_header( const rwi::frame_header_t & h, const expected_header_t & e )
{
    CHECK( ( h.final_flag == rws::final_frame ) == e.fin );
    CHECK( h.rsv_bits == e.rsv );
    CHECK( static_cast< unsigned >( h.opcode ) == e.opcode );
    CHECK( h.masked == e.masked );
    CHECK( h.payload_length == e.length );
    CHECK( h.mask_key == e.key );
}

// Feeds `wire` (a header followed by `trailing` payload bytes) in pieces of the given sizes,
// each in an exact-size buffer, and checks the parser stops exactly at the payload.
void
parse_in_pieces( const bytes_t & wire, std::size_t header_size,
    const std::vector< std::size_t > & pieces, const expected_header_t & expected )
{
    rwi::frame_parser_t parser;
    std::size_t offset = 0;
    bool ready = false;
    for( const std::size_t piece_size : pieces )
    {
        const bytes_t piece( wire.begin() + static_cast< std::ptrdiff_t >( offset ),
                wire.begin() + static_cast< std::ptrdiff_t >( offset + piece_size ) );
        const rwi::parse_result_t r = parser.feed( piece.data(), piece.size() );
        offset += r.consumed;
        if( rwi::parse_status_t::header_ready == r.status )
        {
            ready = true;
            break;
        }
        REQUIRE( r.consumed == piece.size() );
        REQUIRE( parser.has_partial_header() == ( offset != 0 ) );
    }
    REQUIRE( ready );
    CHECK( offset == header_size );
    CHECK_FALSE( parser.has_partial_header() );
    check_header( parser.header(), expected );
}

} // namespace

TEST_CASE( "headers of every layout, split at every point", "[websocket][parser]" )
{
    struct row_t { const char * name; bytes_t header; expected_header_t expected; };
    const rwi::mask_key_t key{ { 0x37, 0xfa, 0x21, 0x3d } };
    const rwi::mask_key_t none{};
    const row_t rows[] = {
        { "RFC 5.7 masked Hello", { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d }, { true, 0, 1, true, 5, key } },
        { "unmasked empty", { 0x82, 0x00 }, { true, 0, 2, false, 0, none } },
        { "not final, RSV bits", { 0x71, 0x7D }, { false, 7, 1, false, 125, none } },
        { "reserved opcode kept as is", { 0x8B, 0x80, 1, 2, 3, 4 }, { true, 0, 0xB, true, 0, { { 1, 2, 3, 4 } } } },
        { "16-bit length", { 0x82, 0xFE, 0x01, 0x00, 0x37, 0xfa, 0x21, 0x3d }, { true, 0, 2, true, 256, key } },
        { "16-bit length 65535 unmasked", { 0x82, 0x7E, 0xFF, 0xFF }, { true, 0, 2, false, 65535, none } },
        { "64-bit length", { 0x82, 0xFF, 0, 0, 0, 0, 0, 0x01, 0, 0, 0x37, 0xfa, 0x21, 0x3d },
            { true, 0, 2, true, 65536, key } },
        { "64-bit length with the top bit", { 0x80, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0x2A },
            { true, 0, 0, false, 0x800000000000002Aull, none } },
        { "non-minimal 16-bit form of 1", { 0x89, 0xFE, 0x00, 0x01, 9, 8, 7, 6 },
            { true, 0, 9, true, 1, { { 9, 8, 7, 6 } } } },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const std::size_t header_size = row.header.size();
        bytes_t wire = row.header;
        wire.insert( wire.end(), { 0xAA, 0xBB, 0xCC } );      // payload bytes that must not be taken

        parse_in_pieces( wire, header_size, { wire.size() }, row.expected );
        parse_in_pieces( wire, header_size, std::vector< std::size_t >( wire.size(), 1 ), row.expected );
        // Every single split point, including just before the payload.
        for( std::size_t cut = 1; cut < header_size; ++cut )
        {
            INFO( "cut at " << cut );
            parse_in_pieces( wire, header_size, { cut, wire.size() - cut }, row.expected );
        }
        // Every pair of split points.
        for( std::size_t a = 1; a < header_size; ++a )
            for( std::size_t b = a + 1; b < header_size; ++b )
            {
                INFO( "cuts at " << a << " and " << b );
                parse_in_pieces( wire, header_size, { a, b - a, wire.size() - b }, row.expected );
            }
    }
}

TEST_CASE( "headers back to back, fed at random split points", "[websocket][parser]" )
{
    // Ten frames of known lengths with their payloads; the parser is asked only for headers,
    // the test skips payloads itself.
    const std::uint64_t lengths[] = { 0, 1, 125, 126, 300, 65535, 65536, 7, 0, 2 };
    bytes_t wire;
    for( const std::uint64_t n : lengths )
    {
        wire.push_back( 0x82 );
        if( n <= 125 )
            wire.push_back( static_cast< std::uint8_t >( 0x80 | n ) );
        else if( n <= 0xFFFF )
            wire.insert( wire.end(), { 0xFE, std::uint8_t( n >> 8 ), std::uint8_t( n ) } );
        else
        {
            wire.insert( wire.end(), { 0xFF } );
            for( int s = 56; s >= 0; s -= 8 )
                wire.push_back( std::uint8_t( n >> s ) );
        }
        wire.insert( wire.end(), { 1, 2, 3, 4 } );
        wire.insert( wire.end(), static_cast< std::size_t >( n ), 0x55 );
    }

    for( std::uint32_t seed = 1; seed <= 20; ++seed )
    {
        INFO( "seed " << seed );
        std::mt19937 rng{ seed };
        rwi::frame_parser_t parser;
        std::size_t offset = 0;
        std::size_t frame = 0;
        std::uint64_t payload_left = 0;
        bool in_header = true;
        while( offset != wire.size() )
        {
            const std::size_t n = std::min< std::size_t >( 1 + rng() % 16, wire.size() - offset );
            const bytes_t piece( wire.begin() + static_cast< std::ptrdiff_t >( offset ),
                    wire.begin() + static_cast< std::ptrdiff_t >( offset + n ) );
            std::size_t used = 0;
            while( used != piece.size() )
            {
                if( in_header )
                {
                    const auto r = parser.feed( piece.data() + used, piece.size() - used );
                    used += r.consumed;
                    if( rwi::parse_status_t::need_more == r.status )
                        break;
                    REQUIRE( frame < std::size( lengths ) );
                    REQUIRE( parser.header().payload_length == lengths[ frame ] );
                    REQUIRE( parser.header().mask_key == rwi::mask_key_t{ { 1, 2, 3, 4 } } );
                    payload_left = lengths[ frame++ ];
                    in_header = 0 == payload_left;
                }
                else
                {
                    const std::size_t skip = static_cast< std::size_t >(
                            std::min< std::uint64_t >( payload_left, piece.size() - used ) );
                    used += skip;
                    payload_left -= skip;
                    in_header = 0 == payload_left;
                }
            }
            offset += n;
        }
        CHECK( frame == std::size( lengths ) );
    }
}

TEST_CASE( "no input, no progress", "[websocket][parser]" )
{
    rwi::frame_parser_t parser;
    const auto r = parser.feed( nullptr, 0 );
    CHECK( r.consumed == 0 );
    CHECK( r.status == rwi::parse_status_t::need_more );
    CHECK_FALSE( parser.has_partial_header() );
}
