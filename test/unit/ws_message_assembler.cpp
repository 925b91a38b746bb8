// Tests of joining fragments into whole messages: the assembler behind a real receiver, fed the
// same wire bytes whole, one frame at a time, byte by byte and at random split points; control
// frames between fragments; the size limit over fragments; no copy of an unfragmented payload.
#include <restinio/websocket/impl/message_assembler.hpp>

#include "ws_test_support.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace ws_test;
using rwi::frame_error_t;
using rws::status_code_t;

namespace
{

// What the handler of a connection with whole messages would see: control frames as they come,
// data messages joined.
struct assembling_sink_t
{
    rwi::message_assembler_t assembler;
    std::vector< recorded_frame_t > delivered;

    void
    on_frame( rws::final_frame_flag_t final_flag, rws::opcode_t opcode, std::string && payload )
    {
        if( rwi::is_control_frame( opcode ) )
            return delivered.push_back( { final_flag, opcode, std::move( payload ) } );
        const std::string spent = assembler.add_frame( final_flag, opcode, std::move( payload ),
                [ this ]( rws::opcode_t message_opcode, std::string && message ) {
                    delivered.push_back( { rws::final_frame, message_opcode, std::move( message ) } );
                } );
        (void)spent;
    }
};

// Feeds `pieces` to one receiver, one consume() each; stops at the first error.
run_result_t
run_pieces( const std::vector< bytes_t > & pieces, std::uint64_t max_message_size )
{
    rwi::receiver_t receiver{ max_message_size };
    assembling_sink_t sink;
    run_result_t result;
    for( const auto & piece : pieces )
    {
        bytes_t copy = piece;      // exactly its size, so ASan sees a read past it
        result.error = receiver.consume( copy.data(), copy.size(), sink );
        if( frame_error_t::none != result.error )
            break;
    }
    result.frames = std::move( sink.delivered );
    result.close_received = receiver.close_received();
    return result;
}

std::vector< bytes_t >
split_every( const bytes_t & wire, std::size_t chunk )
{
    std::vector< bytes_t > pieces;
    for( std::size_t offset = 0; offset < wire.size(); offset += chunk )
        pieces.emplace_back( wire.begin() + static_cast< std::ptrdiff_t >( offset ),
                wire.begin() + static_cast< std::ptrdiff_t >( std::min( offset + chunk, wire.size() ) ) );
    return pieces;
}

// The outcome of `frames` (the frames as the client sends them) fed whole, one frame per read,
// byte by byte and at random split points must be the same; returns it.
run_result_t
same_result_for_every_split( const std::vector< bytes_t > & frames,
    std::uint64_t max = rwi::receiver_t::default_max_message_size )
{
    bytes_t wire;
    for( const auto & f : frames )
        wire.insert( wire.end(), f.begin(), f.end() );

    const run_result_t whole = run_pieces( { wire }, max );
    {
        INFO( "one frame per read" );
        REQUIRE( run_pieces( frames, max ) == whole );
    }
    {
        INFO( "byte by byte" );
        REQUIRE( run_pieces( split_every( wire, 1 ), max ) == whole );
    }
    for( std::uint32_t seed = 1; seed <= 8; ++seed )
    {
        INFO( "random splits, seed " << seed );
        std::mt19937 rng{ seed };
        std::vector< bytes_t > pieces;
        for( std::size_t offset = 0; offset < wire.size(); )
        {
            const std::size_t n = std::min< std::size_t >( 1 + rng() % 23, wire.size() - offset );
            pieces.emplace_back( wire.begin() + static_cast< std::ptrdiff_t >( offset ),
                    wire.begin() + static_cast< std::ptrdiff_t >( offset + n ) );
            offset += n;
        }
        REQUIRE( run_pieces( pieces, max ) == whole );
    }
    return whole;
}

recorded_frame_t
whole( std::uint8_t opcode, std::string payload )
{
    return expect( fin | opcode, std::move( payload ) );
}

} // namespace

TEST_CASE( "fragments reach the handler as one message, control frames as they come",
        "[websocket][assembler]" )
{
    struct row_t
    {
        const char * name;
        std::vector< bytes_t > frames;
        std::vector< recorded_frame_t > expected;
        bool close_received;
    };

    const std::string e4 = "\xF0\x9D\x84\x9E";    // U+1D11E, 4 bytes
    const std::string big( 70000, 'b' );
    const row_t rows[] = {
        { "an unfragmented text passes as it is",
            { frame( fin | op_text, "Hello" ) }, { whole( op_text, "Hello" ) }, false },
        { "an unfragmented binary passes as it is",
            { frame( fin | op_binary, std::string( "\xFF\x00\x01", 3 ) ) },
            { whole( op_binary, std::string( "\xFF\x00\x01", 3 ) ) }, false },
        { "RFC 6455 5.7: fragmented \"Hel\" \"lo\"",
            { frame( op_text, "Hel" ), frame( fin | op_cont, "lo" ) }, { whole( op_text, "Hello" ) }, false },
        { "binary in three fragments keeps the first frame's opcode",
            { frame( op_binary, std::string( "\x00\x01", 2 ) ), frame( op_cont, "\xFE" ),
                frame( fin | op_cont, "\xFF" ) },
            { whole( op_binary, std::string( "\x00\x01\xFE\xFF", 4 ) ) }, false },
        { "spec 13: a ping between fragments comes before the message",
            { frame( op_text, "he" ), frame( fin | op_ping, "p" ), frame( fin | op_cont, "llo" ) },
            { expect( fin | op_ping, "p" ), whole( op_text, "hello" ) }, false },
        { "pings and pongs between every fragment, in order",
            { frame( fin | op_pong, "0" ), frame( op_binary, "a" ), frame( fin | op_ping, "1" ),
                frame( op_cont, "b" ), frame( fin | op_pong, "2" ), frame( fin | op_ping, "3" ),
                frame( fin | op_cont, "c" ), frame( fin | op_ping, "4" ) },
            { expect( fin | op_pong, "0" ), expect( fin | op_ping, "1" ), expect( fin | op_pong, "2" ),
                expect( fin | op_ping, "3" ), whole( op_binary, "abc" ), expect( fin | op_ping, "4" ) },
            false },
        { "a close between fragments: the message never comes",
            { frame( op_text, "part" ), close_frame( 1000 ), frame( fin | op_cont, "ignored" ) },
            { expect( fin | op_close, "\x03\xE8" ) }, true },
        { "an empty first fragment",
            { frame( op_text, "" ), frame( op_cont, "ab" ), frame( fin | op_cont, "c" ) },
            { whole( op_text, "abc" ) }, false },
        { "an empty final fragment (how websockets ends a message sent from an iterable)",
            { frame( op_binary, "ab" ), frame( op_cont, "c" ), frame( fin | op_cont, "" ) },
            { whole( op_binary, "abc" ) }, false },
        { "empty fragments in the middle",
            { frame( op_text, "a" ), frame( op_cont, "" ), frame( op_cont, "" ), frame( fin | op_cont, "b" ) },
            { whole( op_text, "ab" ) }, false },
        { "every fragment empty: one empty message",
            { frame( op_text, "" ), frame( op_cont, "" ), frame( fin | op_cont, "" ) },
            { whole( op_text, "" ) }, false },
        { "a 4-byte code point split over three fragments",
            { frame( op_text, "a" + e4.substr( 0, 2 ) ), frame( op_cont, e4.substr( 2, 1 ) ),
                frame( fin | op_cont, e4.substr( 3 ) + "b" ) },
            { whole( op_text, "a" + e4 + "b" ) }, false },
        { "messages in a row: whole, fragmented, whole, fragmented again",
            { frame( fin | op_text, "1" ), frame( op_binary, "2a" ), frame( fin | op_cont, "2b" ),
                frame( fin | op_binary, "3" ), frame( op_text, "4a" ), frame( op_cont, "4b" ),
                frame( fin | op_cont, "4c" ) },
            { whole( op_text, "1" ), whole( op_binary, "2a2b" ), whole( op_binary, "3" ),
                whole( op_text, "4a4b4c" ) }, false },
        { "a long message in fragments of 16-bit lengths",
            { frame( op_text, big ), frame( op_cont, big ), frame( fin | op_cont, "end" ) },
            { whole( op_text, big + big + "end" ) }, false },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const run_result_t result = same_result_for_every_split( row.frames );
        CHECK( result.error == frame_error_t::none );
        CHECK( result.frames == row.expected );
        CHECK( result.close_received == row.close_received );
    }
}

TEST_CASE( "the message-size limit counts every fragment: 1009 at one byte over",
        "[websocket][assembler]" )
{
    struct row_t
    {
        const char * name;
        std::vector< bytes_t > frames;
        std::uint64_t max;
        std::vector< recorded_frame_t > expected;
        frame_error_t error;
    };

    const row_t rows[] = {
        { "fragments that add up to the limit exactly",
            { frame( op_text, "12345" ), frame( op_cont, "678" ), frame( fin | op_cont, "90" ) }, 10,
            { whole( op_text, "1234567890" ) }, frame_error_t::none },
        { "one byte over the limit in the last fragment",
            { frame( op_text, "12345" ), frame( op_cont, "678" ), frame( fin | op_cont, "901" ) }, 10,
            {}, frame_error_t::message_too_big },
        { "one byte over in a middle fragment: refused before the rest comes",
            { frame( op_binary, "12345" ), frame( op_cont, "678901" ) }, 10,
            {}, frame_error_t::message_too_big },
        { "a first fragment over the limit on its own",
            { frame( op_binary, "12345678901" ) }, 10, {}, frame_error_t::frame_too_big },
        { "pings between fragments do not count",
            { frame( op_text, "12345" ), frame( fin | op_ping, "pingpingping" ),
                frame( fin | op_cont, "67890" ) }, 10,
            { expect( fin | op_ping, "pingpingping" ), whole( op_text, "1234567890" ) }, frame_error_t::none },
        { "the limit applies per message, not per connection",
            { frame( op_text, "12345" ), frame( fin | op_cont, "67890" ),
                frame( op_text, "abcde" ), frame( fin | op_cont, "fghij" ) }, 10,
            { whole( op_text, "1234567890" ), whole( op_text, "abcdefghij" ) }, frame_error_t::none },
        { "messages before the one over the limit are delivered",
            { frame( fin | op_text, "ok" ), frame( op_text, "123456" ), frame( fin | op_cont, "78901" ) }, 10,
            { whole( op_text, "ok" ) }, frame_error_t::message_too_big },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const run_result_t result = same_result_for_every_split( row.frames, row.max );
        CHECK( result.error == row.error );
        CHECK( rwi::close_code_for( result.error ) ==
                ( frame_error_t::none == row.error ? status_code_t::normal_closure : status_code_t::too_big_message ) );
        CHECK( result.frames == row.expected );
    }
}

TEST_CASE( "invalid UTF-8 in a fragment fails at once, before the final fragment",
        "[websocket][assembler]" )
{
    // No final fragment is ever sent: the error cannot wait for the whole message.
    const run_result_t result = same_result_for_every_split(
            { frame( op_text, "valid " ), frame( fin | op_ping, "p" ), frame( op_cont, "\xC3\x28" ) } );
    CHECK( result.error == frame_error_t::invalid_utf8 );
    CHECK( rwi::close_code_for( result.error ) == status_code_t::invalid_message_data );
    CHECK( result.frames == std::vector< recorded_frame_t >{ expect( fin | op_ping, "p" ) } );
}

TEST_CASE( "an unfragmented payload is moved to the handler, never copied", "[websocket][assembler]" )
{
    rwi::message_assembler_t assembler;
    std::string payload( 1000, 'x' );
    const char * const bytes = payload.data();
    const char * delivered = nullptr;
    const std::string spent = assembler.add_frame( rws::final_frame, rws::opcode_t::binary_frame,
            std::move( payload ), [ & ]( rws::opcode_t, std::string && message ) {
                const std::string kept = std::move( message );
                delivered = kept.data();
            } );
    CHECK( delivered == bytes );
    CHECK( spent.capacity() <= std::string{}.capacity() );
}

TEST_CASE( "fragments are appended to the first fragment's string; the others are handed back",
        "[websocket][assembler]" )
{
    rwi::message_assembler_t assembler;
    std::string message;
    const auto deliver = [ & ]( rws::opcode_t opcode, std::string && m ) {
        CHECK( opcode == rws::opcode_t::text_frame );
        message = std::move( m );
    };

    std::string first = "first";
    first.reserve( 100 );
    const char * const first_bytes = first.data();
    CHECK( assembler.add_frame( rws::not_final_frame, rws::opcode_t::text_frame, std::move( first ), deliver ).empty() );

    std::string second( 50, 's' );
    const char * const second_bytes = second.data();
    const std::string spent = assembler.add_frame( rws::final_frame, rws::opcode_t::continuation_frame,
            std::move( second ), deliver );
    CHECK( spent.data() == second_bytes );     // for the caller's pool
    CHECK( message == "first" + std::string( 50, 's' ) );
    CHECK( message.data() == first_bytes );    // no reallocation while it had the room

    // After an empty first fragment, the continuation's string becomes the message's.
    CHECK( assembler.add_frame( rws::not_final_frame, rws::opcode_t::text_frame, std::string{}, deliver ).empty() );
    std::string third( 40, 't' );
    const char * const third_bytes = third.data();
    (void)assembler.add_frame( rws::final_frame, rws::opcode_t::continuation_frame, std::move( third ), deliver );
    CHECK( message.data() == third_bytes );
    CHECK( message == std::string( 40, 't' ) );
}
