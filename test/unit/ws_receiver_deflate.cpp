// The receive pipeline with permessage-deflate (RFC 7692): compressed messages inflated across
// frames and reads, whatever the split; RSV1 misuse, bad data, bad text and the zip bomb, each
// with its exact close code.
#include <restinio/websocket/impl/receiver.hpp>
#include <restinio/websocket/deflate.hpp>

#include "ws_test_support.hpp"

#include <catch2/catch.hpp>

using namespace ws_test;
using rwi::frame_error_t;

namespace
{

constexpr std::uint8_t rsv1 = 0x40;

const auto engine = rws::make_zlib_deflate().engine();

rws::deflate_params_t
no_takeover()
{
    rws::deflate_params_t params;
    params.client_no_context_takeover = true;
    params.server_no_context_takeover = true;
    return params;
}

prepare_t
with_deflate( rws::deflate_params_t params = no_takeover() )
{
    return [ params ]( rwi::receiver_t & r ) { r.enable_deflate( engine, params ); };
}

// The message as a client's compressor (without context) sends it.
std::string
deflated( const std::string & message )
{
    const auto deflater = engine->make_deflater( 15, false );
    std::string out;
    deflater->compress( message.data(), message.size(), out );
    return out;
}

std::string
text_of( std::size_t n )
{
    std::string text;
    for( std::size_t i = 0; text.size() < n; ++i )
        text += "{\"id\":" + std::to_string( i % 97 ) + ",\"name\":\"caf\xC3\xA9\"},";
    text.resize( n );
    return text;
}

// The payloads of the data frames joined, and the control frames as they came.
std::string
joined_data( const run_result_t & r )
{
    std::string data;
    for( const auto & f : r.frames )
        if( !rwi::is_control_frame( f.opcode ) )
            data += f.payload;
    return data;
}

} // namespace

TEST_CASE( "compressed messages are inflated, whatever the split", "[websocket][receiver][deflate]" )
{
    const std::string message = text_of( 3000 );
    const std::string compressed = deflated( message );
    REQUIRE( compressed.size() < message.size() / 2 );
    const std::size_t third = compressed.size() / 3;

    SECTION( "one frame" )
    {
        const auto r = require_same_result_for_every_split(
                frame( fin | rsv1 | op_text, compressed ), rwi::receiver_t::default_max_message_size, 64, with_deflate() );
        REQUIRE( frame_error_t::none == r.error );
        REQUIRE( 1u == r.frames.size() );
        CHECK( expect( fin | op_text, message ) == r.frames[ 0 ] );
    }
    SECTION( "three fragments, a ping and a pong between them" )
    {
        const bytes_t wire = cat( {
                frame( rsv1 | op_text, compressed.substr( 0, third ) ),
                frame( fin | op_ping, "p" ),
                frame( op_cont, compressed.substr( third, third ) ),
                frame( fin | op_pong, "q" ),
                frame( fin | op_cont, compressed.substr( 2 * third ) ) } );
        const auto r = require_same_result_for_every_split( wire, rwi::receiver_t::default_max_message_size, 64, with_deflate() );
        REQUIRE( frame_error_t::none == r.error );
        REQUIRE( 5u == r.frames.size() );
        CHECK( joined_data( r ) == message );
        CHECK( rws::opcode_t::text_frame == r.frames[ 0 ].opcode );
        CHECK( expect( fin | op_ping, "p" ) == r.frames[ 1 ] );
        CHECK( rws::opcode_t::continuation_frame == r.frames[ 2 ].opcode );
        CHECK( rws::final_frame == r.frames[ 4 ].final_flag );
    }
    SECTION( "compressed, plain and empty messages in a row" )
    {
        const bytes_t wire = cat( {
                frame( fin | rsv1 | op_binary, compressed ),
                frame( fin | op_text, "plain" ),
                frame( fin | rsv1 | op_text, "" ),                       // only the appended tail
                frame( fin | rsv1 | op_text, std::string( "\x02\x00", 2 ) ),  // an empty fixed block
                frame( rsv1 | op_text, compressed ),
                frame( fin | op_cont, "" ),                              // the end in an empty frame
                close_frame( 1000 ) } );
        const auto r = require_same_result_for_every_split( wire, rwi::receiver_t::default_max_message_size, 64, with_deflate() );
        REQUIRE( frame_error_t::none == r.error );
        REQUIRE( 7u == r.frames.size() );
        CHECK( expect( fin | op_binary, message ) == r.frames[ 0 ] );
        CHECK( expect( fin | op_text, "plain" ) == r.frames[ 1 ] );
        CHECK( expect( fin | op_text, "" ) == r.frames[ 2 ] );
        CHECK( expect( fin | op_text, "" ) == r.frames[ 3 ] );
        CHECK( r.frames[ 4 ].payload + r.frames[ 5 ].payload == message );
        CHECK( r.close_received );
    }
    SECTION( "a large message in many reads" )
    {
        const std::string big = text_of( 1u << 20 );
        const auto r = require_same_result_for_every_split(
                frame( fin | rsv1 | op_text, deflated( big ) ), rwi::receiver_t::default_max_message_size, 3, with_deflate() );
        REQUIRE( 1u == r.frames.size() );
        CHECK( r.frames[ 0 ].payload == big );
    }
}

TEST_CASE( "context takeover: the window is kept only when agreed", "[websocket][receiver][deflate]" )
{
    const std::string message = text_of( 500 );
    const auto deflater = engine->make_deflater( 15, false );
    std::string first, second;
    deflater->compress( message.data(), message.size(), first );
    deflater->compress( message.data(), message.size(), second );
    const bytes_t wire = cat( { frame( fin | rsv1 | op_text, first ), frame( fin | rsv1 | op_text, second ) } );

    rws::deflate_params_t takeover;
    const auto kept = require_same_result_for_every_split( wire, rwi::receiver_t::default_max_message_size, 16, with_deflate( takeover ) );
    REQUIRE( frame_error_t::none == kept.error );
    REQUIRE( 2u == kept.frames.size() );
    CHECK( kept.frames[ 1 ].payload == message );

    // The client said it would not take over: the second message refers to what we forgot.
    const auto reset = run_whole( wire, rwi::receiver_t::default_max_message_size, with_deflate() );
    CHECK( frame_error_t::invalid_compressed_data == reset.error );
    CHECK( 1u == reset.frames.size() );
}

TEST_CASE( "bad compressed input gets the right close code", "[websocket][receiver][deflate]" )
{
    const std::string good = deflated( "hello" );
    const std::string bad_utf8 = deflated( "ok \xC3\x28 not" );
    const std::string cut_utf8 = deflated( "ends in \xE2\x82" );
    constexpr auto protocol_error = rws::status_code_t::protocol_error;
    constexpr auto invalid_data = rws::status_code_t::invalid_message_data;

    struct row_t { const char * name; bytes_t wire; bool deflate; frame_error_t error; rws::status_code_t code; };
    const row_t rows[] = {
        { "RSV1 without negotiation (RFC 6455 5.2)", frame( fin | rsv1 | op_text, good ), false,
          frame_error_t::reserved_bits_set, protocol_error },
        { "RSV1 on a continuation (RFC 7692 6.1)",
          cat( { frame( rsv1 | op_text, good ), frame( fin | rsv1 | op_cont, "" ) } ), true,
          frame_error_t::compressed_continuation, protocol_error },
        { "RSV1 on a continuation of a plain message",
          cat( { frame( op_text, "a" ), frame( fin | rsv1 | op_cont, good ) } ), true,
          frame_error_t::compressed_continuation, protocol_error },
        { "RSV1 on a ping (RFC 7692 6.1)", frame( fin | rsv1 | op_ping, "" ), true,
          frame_error_t::compressed_control_frame, protocol_error },
        { "RSV1 on a close", frame( fin | rsv1 | op_close, std::string( "\x03\xE8", 2 ) ), true,
          frame_error_t::compressed_control_frame, protocol_error },
        { "RSV2 with deflate", frame( fin | 0x20 | op_text, "a" ), true,
          frame_error_t::reserved_bits_set, protocol_error },
        { "RSV3 on a compressed frame", frame( fin | rsv1 | 0x10 | op_text, good ), true,
          frame_error_t::reserved_bits_set, protocol_error },
        { "not a deflate stream", frame( fin | rsv1 | op_binary, std::string( "\x07\x00", 2 ) ), true,
          frame_error_t::invalid_compressed_data, invalid_data },
        { "bad data in a later fragment",
          cat( { frame( rsv1 | op_binary, good ), frame( fin | op_cont, std::string( "\xfc\xff", 2 ) ) } ), true,
          frame_error_t::invalid_compressed_data, invalid_data },
        { "inflated text not UTF-8", frame( fin | rsv1 | op_text, bad_utf8 ), true,
          frame_error_t::invalid_utf8, invalid_data },
        { "inflated text ends inside a code point", frame( fin | rsv1 | op_text, cut_utf8 ), true,
          frame_error_t::truncated_utf8, invalid_data },
        // Found by the receiver fuzzer: a compressed text message, then one whose inflated text
        // goes bad before its data does. Whole, the inflater met the bad data before the text
        // was checked (1007 either way, but a different error); in small reads the text failed.
        { "bad text, then bad data: the text fails first", bytes_of( std::string_view{
                "\xc1\x93\x01\x02\x03\x04\xab\x54\x49\x50\xb3\x50\x49\x4a\x4d\x39\xbf\x56\xa8\xb4\x79\x60\x73\x02"
                "\x03\x41\x89\x05\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
                "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
                "\xff\xff\x00\x00\xab\x54\x49\x50\xb3\x50\x49\x4a\x4d\x89\x80\x01\x02\x03\x04\x80\x8a\x01\x02\x03"
                "\x04\x3a\xbe\x51\xad\xb7\x78\x67\x76\x01\x02", 107 } ), true, frame_error_t::invalid_utf8, invalid_data },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        const auto r = require_same_result_for_every_split( row.wire, rwi::receiver_t::default_max_message_size, 16,
                row.deflate ? with_deflate() : prepare_t{} );
        CHECK( row.error == r.error );
        CHECK( row.code == rwi::close_code_for( r.error ) );
    }
}

TEST_CASE( "a zip bomb ends at the size limit with 1009", "[websocket][receiver][deflate]" )
{
    const auto deflater = rws::make_zlib_deflate( rws::deflate_options_t{}.compression_level( 9 ) ).engine()->make_deflater( 15, false );
    const std::string zeros( 32u << 20, '\0' );
    std::string bomb;
    deflater->compress( zeros.data(), zeros.size(), bomb );
    REQUIRE( bomb.size() < 40'000u );
    constexpr std::uint64_t limit = 1u << 20;

    SECTION( "in one frame" )
    {
        const auto r = require_same_result_for_every_split( frame( fin | rsv1 | op_binary, bomb ), limit, 4, with_deflate() );
        CHECK( frame_error_t::inflated_message_too_big == r.error );
        CHECK( rws::status_code_t::too_big_message == rwi::close_code_for( r.error ) );
        CHECK( r.frames.empty() );
    }
    SECTION( "in fragments: their inflated total counts" )
    {
        const std::size_t half = bomb.size() / 2;
        const auto r = require_same_result_for_every_split( cat( {
                frame( rsv1 | op_binary, bomb.substr( 0, half ) ),
                frame( fin | op_cont, bomb.substr( half ) ) } ), limit, 4, with_deflate() );
        CHECK( frame_error_t::inflated_message_too_big == r.error );
    }
    SECTION( "a message inflating to exactly the limit passes" )
    {
        const std::string exact( limit, 'a' );
        const auto r = run_whole( frame( fin | rsv1 | op_binary, deflated( exact ) ), limit, with_deflate() );
        CHECK( frame_error_t::none == r.error );
        REQUIRE( 1u == r.frames.size() );
        CHECK( r.frames[ 0 ].payload == exact );
    }
}
