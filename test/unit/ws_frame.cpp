// Tests of frame.hpp: outgoing header encoding at every length-form boundary, and the opcode
// predicates.
#include <restinio/websocket/impl/frame.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <tuple>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;

namespace
{

std::vector< std::uint8_t >
header_for( rws::final_frame_flag_t flag, rws::opcode_t opcode, std::uint64_t size )
{
    rwi::frame_header_buffer_t buffer;
    buffer.fill( 0xEE );
    const std::size_t n = rwi::write_frame_header( buffer, flag, opcode, size );
    return std::vector< std::uint8_t >( buffer.begin(), buffer.begin() + static_cast< std::ptrdiff_t >( n ) );
}

} // namespace

TEST_CASE( "server frame headers use the minimal length form (RFC 6455 5.2)",
        "[websocket][frame]" )
{
    using bytes_t = std::vector< std::uint8_t >;
    struct row_t { const char * name; rws::final_frame_flag_t flag; rws::opcode_t opcode;
            std::uint64_t size; bytes_t expected; };
    const auto text = rws::opcode_t::text_frame;
    const auto binary = rws::opcode_t::binary_frame;
    const row_t rows[] = {
        { "empty text", rws::final_frame, text, 0, { 0x81, 0x00 } },
        { "spec 13: hello", rws::final_frame, text, 5, { 0x81, 0x05 } },
        { "125: largest 7-bit", rws::final_frame, binary, 125, { 0x82, 0x7D } },
        { "126: smallest 16-bit", rws::final_frame, binary, 126, { 0x82, 0x7E, 0x00, 0x7E } },
        { "spec 13: 200-byte text", rws::final_frame, text, 200, { 0x81, 0x7E, 0x00, 0xC8 } },
        { "65535: largest 16-bit", rws::final_frame, binary, 65535, { 0x82, 0x7E, 0xFF, 0xFF } },
        { "65536: smallest 64-bit", rws::final_frame, binary, 65536,
            { 0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 } },
        { "spec 13: 70000-byte binary", rws::final_frame, binary, 70000,
            { 0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x11, 0x70 } },
        { "2^32 + 1", rws::final_frame, binary, 0x100000001ull,
            { 0x82, 0x7F, 0, 0, 0, 0x01, 0, 0, 0, 0x01 } },
        { "largest allowed, 2^63 - 1", rws::final_frame, binary, 0x7FFFFFFFFFFFFFFFull,
            { 0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF } },
        { "not final text", rws::not_final_frame, text, 2, { 0x01, 0x02 } },
        { "continuation", rws::final_frame, rws::opcode_t::continuation_frame, 3, { 0x80, 0x03 } },
        { "close 1000", rws::final_frame, rws::opcode_t::connection_close_frame, 2, { 0x88, 0x02 } },
        { "ping", rws::final_frame, rws::opcode_t::ping_frame, 0, { 0x89, 0x00 } },
        { "pong", rws::final_frame, rws::opcode_t::pong_frame, 1, { 0x8A, 0x01 } },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( header_for( row.flag, row.opcode, row.size ) == row.expected );
    }
}

TEST_CASE( "header encoding needs no allocation and is usable in a noexcept context",
        "[websocket][frame]" )
{
    rwi::frame_header_buffer_t buffer{};
    STATIC_REQUIRE( noexcept( rwi::write_frame_header( buffer, rws::final_frame, rws::opcode_t::text_frame, 1u ) ) );
    STATIC_REQUIRE( std::tuple_size< rwi::frame_header_buffer_t >::value == 10 );
    STATIC_REQUIRE( rwi::max_frame_header_size == 14 );
}

TEST_CASE( "control and data opcodes", "[websocket][frame]" )
{
    for( unsigned value = 0; value != 16; ++value )
    {
        const auto opcode = static_cast< rws::opcode_t >( value );
        INFO( "opcode " << value );
        CHECK( rwi::is_control_frame( opcode ) == ( value == 8 || value == 9 || value == 10 ) );
        CHECK( rwi::is_data_frame( opcode ) == ( value == 1 || value == 2 ) );
    }
}
