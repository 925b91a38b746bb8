// Tests of the receive pipeline: valid traffic delivered one call per frame, every rule with its
// exact close code, and the same outcome whatever the split of the input into reads.
#include <restinio/websocket/impl/receiver.hpp>

#include "../allocation_counter.hpp"
#include "ws_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <tuple>

using namespace ws_test;
using rwi::frame_error_t;
using rws::status_code_t;

namespace
{

std::string
repeated( std::size_t n, char c = 'x' )
{
    return std::string( n, c );
}

// A text of n bytes mixing 1- to 4-byte code points (n >= 4 is enough for a whole one).
std::string
mixed_text( std::size_t n )
{
    static const char * pieces[] = { "a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };
    std::string text;
    std::size_t i = 0;
    while( text.size() < n )
    {
        const std::string piece = pieces[ i++ % 4 ];
        if( text.size() + piece.size() > n )
            text.append( n - text.size(), 'z' );
        else
            text += piece;
    }
    return text;
}

// A sink that allocates nothing: it keeps payload sizes only, in reserved storage.
struct counting_sink_t
{
    std::vector< std::size_t > sizes;

    void
    on_frame( rws::final_frame_flag_t, rws::opcode_t, std::string && payload )
    {
        sizes.push_back( payload.size() );
    }
};

} // namespace

TEST_CASE( "valid traffic is delivered one call per frame, whatever the split",
        "[websocket][receiver]" )
{
    struct row_t
    {
        const char * name;
        bytes_t wire;
        std::vector< recorded_frame_t > expected;
        bool close_received;
    };

    const std::string e4 = "\xF0\x9D\x84\x9E";    // U+1D11E, 4 bytes
    const row_t rows[] = {
        { "RFC 6455 5.7: masked \"Hello\"",
            { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 },
            { expect( fin | op_text, "Hello" ) }, false },
        { "RFC 6455 5.7: fragmented \"Hel\" \"lo\"",
            cat( { frame( op_text, "Hel" ), frame( fin | op_cont, "lo" ) } ),
            { expect( op_text, "Hel" ), expect( fin | op_cont, "lo" ) }, false },
        { "ping and pong with payloads",
            cat( { frame( fin | op_ping, "Hello" ), frame( fin | op_pong, "Hello" ) } ),
            { expect( fin | op_ping, "Hello" ), expect( fin | op_pong, "Hello" ) }, false },
        { "empty frames of every kind",
            cat( { frame( fin | op_text, "" ), frame( fin | op_binary, "" ),
                    frame( fin | op_ping, "" ), frame( fin | op_pong, "" ),
                    frame( op_binary, "" ), frame( fin | op_cont, "" ), frame( fin | op_close, "" ) } ),
            { expect( fin | op_text, "" ), expect( fin | op_binary, "" ),
                    expect( fin | op_ping, "" ), expect( fin | op_pong, "" ),
                    expect( op_binary, "" ), expect( fin | op_cont, "" ),
                    expect( fin | op_close, "" ) }, true },
        { "spec 13: fragmented text with a ping between fragments",
            cat( { frame( op_text, "he" ), frame( fin | op_ping, "p" ), frame( fin | op_cont, "llo" ) } ),
            { expect( op_text, "he" ), expect( fin | op_ping, "p" ), expect( fin | op_cont, "llo" ) },
            false },
        { "a 4-byte code point split between fragments (8.1: UTF-8 spans fragments)",
            cat( { frame( op_text, "a" + e4.substr( 0, 2 ) ), frame( op_cont, e4.substr( 2, 1 ) ),
                    frame( fin | op_cont, e4.substr( 3 ) + "b" ) } ),
            { expect( op_text, "a" + e4.substr( 0, 2 ) ), expect( op_cont, e4.substr( 2, 1 ) ),
                    expect( fin | op_cont, e4.substr( 3 ) + "b" ) }, false },
        { "a code point split around a ping",
            cat( { frame( op_text, e4.substr( 0, 1 ) ), frame( fin | op_ping, "" ),
                    frame( fin | op_cont, e4.substr( 1 ) ) } ),
            { expect( op_text, e4.substr( 0, 1 ) ), expect( fin | op_ping, "" ),
                    expect( fin | op_cont, e4.substr( 1 ) ) }, false },
        { "binary data need not be UTF-8",
            frame( fin | op_binary, "\xFF\xFE\xC0" ),
            { expect( fin | op_binary, "\xFF\xFE\xC0" ) }, false },
        { "fragmented binary with a continuation of invalid UTF-8",
            cat( { frame( op_binary, "\xED" ), frame( fin | op_cont, "\xA0\x80" ) } ),
            { expect( op_binary, "\xED" ), expect( fin | op_cont, "\xA0\x80" ) }, false },
        { "two messages in a row, the second after a fragmented one",
            cat( { frame( op_text, "a" ), frame( fin | op_cont, "b" ), frame( fin | op_text, "c" ) } ),
            { expect( op_text, "a" ), expect( fin | op_cont, "b" ), expect( fin | op_text, "c" ) },
            false },
        { "close with code and reason",
            close_frame( 1000, "reason" ),
            { expect( fin | op_close, std::string( "\x03\xE8", 2 ) + "reason" ) }, true },
        { "close with an application code 3000", close_frame( 3000 ),
            { expect( fin | op_close, "\x0B\xB8" ) }, true },
        { "close with an application code 4999", close_frame( 4999, "\xC3\xA9" ),
            { expect( fin | op_close, "\x13\x87\xC3\xA9" ) }, true },
        { "nothing after a close is looked at (5.5.1)",
            cat( { close_frame( 1001 ), frame( fin | op_text, "late" ), bytes_t{ 0xFF, 0xFF } } ),
            { expect( fin | op_close, "\x03\xE9" ) }, true },
        { "a non-minimal 16-bit length is accepted",
            raw_frame( fin | op_text, bytes_of( "Hi" ), true, length_form_t::force_16_bit ),
            { expect( fin | op_text, "Hi" ) }, false },
        { "a non-minimal 64-bit length is accepted",
            raw_frame( fin | op_binary, bytes_of( "Hi" ), true, length_form_t::force_64_bit ),
            { expect( fin | op_binary, "Hi" ) }, false },
        { "a control frame with a non-minimal length",
            raw_frame( fin | op_ping, bytes_of( "p" ), true, length_form_t::force_16_bit ),
            { expect( fin | op_ping, "p" ) }, false },
        { "a ping of exactly 125 bytes", frame( fin | op_ping, repeated( 125 ) ),
            { expect( fin | op_ping, repeated( 125 ) ) }, false },
        { "a zero masking key", raw_frame( fin | op_text, bytes_of( "zero" ), true,
                length_form_t::minimal, { { 0, 0, 0, 0 } } ),
            { expect( fin | op_text, "zero" ) }, false },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const run_result_t result = require_same_result_for_every_split( row.wire );
        CHECK( result.error == frame_error_t::none );
        CHECK( result.frames == row.expected );
        CHECK( result.close_received == row.close_received );
    }
}

TEST_CASE( "payloads at the length-form boundaries: 7, 16 and 64-bit headers",
        "[websocket][receiver]" )
{
    for( const std::size_t size : { 0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u } )
    {
        for( const std::uint8_t opcode : { op_text, op_binary } )
        {
            INFO( "size " << size << ", opcode " << int( opcode ) );
            const std::string payload = op_text == opcode ? mixed_text( size ) : repeated( size, '\xAB' );
            const bytes_t wire = cat( { frame( fin | opcode, payload ), frame( fin | op_ping, "after" ) } );
            const run_result_t result = require_same_result_for_every_split( wire,
                    rwi::receiver_t::default_max_message_size, size > 1000 ? 3 : 64 );
            REQUIRE( result.error == frame_error_t::none );
            REQUIRE( result.frames.size() == 2 );
            CHECK( result.frames[ 0 ] == expect( fin | opcode, payload ) );
            CHECK( result.frames[ 1 ] == expect( fin | op_ping, "after" ) );
        }
    }
}

TEST_CASE( "every rule violation gets its error and exact close code",
        "[websocket][receiver]" )
{
    constexpr auto protocol_error = status_code_t::protocol_error;
    constexpr auto invalid_data = status_code_t::invalid_message_data;
    constexpr auto too_big = status_code_t::too_big_message;

    struct row_t
    {
        const char * name;
        bytes_t wire;
        frame_error_t error;
        status_code_t code;
        std::size_t frames_before;
        std::uint64_t max = rwi::receiver_t::default_max_message_size;
    };

    const auto close_with_code = []( std::uint16_t code ) { return close_frame( code ); };
    const bytes_t huge_length_header{ 0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4 };

    const row_t rows[] = {
        { "RSV1 set (5.2)", frame( fin | 0x40 | op_text, "a" ), frame_error_t::reserved_bits_set, protocol_error, 0 },
        { "RSV2 set (5.2)", frame( fin | 0x20 | op_binary, "a" ), frame_error_t::reserved_bits_set, protocol_error, 0 },
        { "RSV3 set on a ping (5.2)", frame( fin | 0x10 | op_ping, "" ), frame_error_t::reserved_bits_set, protocol_error, 0 },
        { "reserved opcode 0x3 (5.2)", frame( fin | 0x3, "" ), frame_error_t::reserved_opcode, protocol_error, 0 },
        { "reserved opcode 0x7 (5.2)", frame( fin | 0x7, "a" ), frame_error_t::reserved_opcode, protocol_error, 0 },
        { "reserved opcode 0xB (5.2)", frame( fin | 0xB, "" ), frame_error_t::reserved_opcode, protocol_error, 0 },
        { "reserved opcode 0xF (5.2)", frame( fin | 0xF, "a" ), frame_error_t::reserved_opcode, protocol_error, 0 },
        { "unmasked text (5.1)", raw_frame( fin | op_text, bytes_of( "Hello" ), false ),
            frame_error_t::unmasked_client_frame, protocol_error, 0 },
        { "unmasked close (5.1)", raw_frame( fin | op_close, {}, false ),
            frame_error_t::unmasked_client_frame, protocol_error, 0 },
        { "unmasked frame after a valid one (5.1)",
            cat( { frame( fin | op_text, "ok" ), raw_frame( fin | op_text, bytes_of( "no" ), false ) } ),
            frame_error_t::unmasked_client_frame, protocol_error, 1 },
        { "fragmented ping (5.5)", frame( op_ping, "" ), frame_error_t::fragmented_control_frame, protocol_error, 0 },
        { "fragmented pong (5.5)", frame( op_pong, "x" ), frame_error_t::fragmented_control_frame, protocol_error, 0 },
        { "fragmented close (5.5)", frame( op_close, "" ), frame_error_t::fragmented_control_frame, protocol_error, 0 },
        { "ping of 126 bytes (5.5)", frame( fin | op_ping, repeated( 126 ) ),
            frame_error_t::control_frame_too_big, protocol_error, 0 },
        { "close of 126 bytes (5.5)", close_frame( 1000, repeated( 124 ) ),
            frame_error_t::control_frame_too_big, protocol_error, 0 },
        { "pong with a 64-bit length (5.5)",
            bytes_t{ 0x8A, 0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 1, 2, 3, 4 },
            frame_error_t::control_frame_too_big, protocol_error, 0 },
        { "64-bit length with the top bit set (5.2)",
            bytes_t{ 0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4 },
            frame_error_t::payload_length_msb_set, protocol_error, 0 },
        { "all-ones 64-bit length (5.2)",
            bytes_t{ 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4 },
            frame_error_t::payload_length_msb_set, protocol_error, 0 },
        { "continuation first (5.4)", frame( fin | op_cont, "x" ),
            frame_error_t::unexpected_continuation, protocol_error, 0 },
        { "continuation after a finished message (5.4)",
            cat( { frame( op_text, "a" ), frame( fin | op_cont, "b" ), frame( fin | op_cont, "c" ) } ),
            frame_error_t::unexpected_continuation, protocol_error, 2 },
        { "text while a fragmented text is open (5.4)",
            cat( { frame( op_text, "a" ), frame( fin | op_text, "b" ) } ),
            frame_error_t::data_frame_inside_fragmented_message, protocol_error, 1 },
        { "binary while a fragmented text is open, after a ping (5.4)",
            cat( { frame( op_text, "a" ), frame( fin | op_ping, "" ), frame( op_binary, "b" ) } ),
            frame_error_t::data_frame_inside_fragmented_message, protocol_error, 2 },
        { "1-byte close payload (5.5.1)", raw_frame( fin | op_close, { 0x03 } ),
            frame_error_t::invalid_close_payload_size, protocol_error, 0 },
        { "close code 0", close_with_code( 0 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 999", close_with_code( 999 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 1004", close_with_code( 1004 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 1005", close_with_code( 1005 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 1006", close_with_code( 1006 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 1015", close_with_code( 1015 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 1016", close_with_code( 1016 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 2999", close_with_code( 2999 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 5000", close_with_code( 5000 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close code 65535", close_with_code( 65535 ), frame_error_t::invalid_close_code, protocol_error, 0 },
        { "close reason not UTF-8 (5.5.1)", close_frame( 1000, "bad \xFF" ),
            frame_error_t::invalid_close_reason, invalid_data, 0 },
        { "close reason ends inside a code point", close_frame( 1000, "\xE2\x82" ),
            frame_error_t::invalid_close_reason, invalid_data, 0 },
        { "spec 13: text with FF FE (8.1)", frame( fin | op_text, "\xFF\xFE" ),
            frame_error_t::invalid_utf8, invalid_data, 0 },
        { "text with a surrogate (8.1)", frame( fin | op_text, "ok \xED\xA0\x80" ),
            frame_error_t::invalid_utf8, invalid_data, 0 },
        { "text with U+110000 (8.1)", frame( fin | op_text, "\xF4\x90\x80\x80" ),
            frame_error_t::invalid_utf8, invalid_data, 0 },
        { "bad UTF-8 in a continuation (8.1)",
            cat( { frame( op_text, "good" ), frame( fin | op_cont, "\xC0\xAF" ) } ),
            frame_error_t::invalid_utf8, invalid_data, 1 },
        { "bad continuation byte across fragments (8.1)",
            cat( { frame( op_text, "\xE2" ), frame( fin | op_cont, "\x28\xA1" ) } ),
            frame_error_t::invalid_utf8, invalid_data, 1 },
        { "final text frame ends inside a code point (8.1)", frame( fin | op_text, "\xE2\x82" ),
            frame_error_t::truncated_utf8, invalid_data, 0 },
        { "final fragment ends inside a code point (8.1)",
            cat( { frame( op_text, "a" ), frame( fin | op_cont, "\xF0\x9F\x98" ) } ),
            frame_error_t::truncated_utf8, invalid_data, 1 },
        { "empty final fragment after an unfinished code point (8.1)",
            cat( { frame( op_text, "\xC3" ), frame( fin | op_cont, "" ) } ),
            frame_error_t::truncated_utf8, invalid_data, 1 },
        { "frame over the limit", frame( fin | op_binary, repeated( 1001 ) ),
            frame_error_t::frame_too_big, too_big, 0, 1000 },
        { "text frame over the limit, even with bad UTF-8 after the header",
            frame( fin | op_text, "\xFF" + repeated( 1000 ) ),
            frame_error_t::frame_too_big, too_big, 0, 1000 },
        { "fragmented message over the limit",
            cat( { frame( op_binary, repeated( 600 ) ), frame( fin | op_ping, "" ),
                    frame( fin | op_cont, repeated( 401 ) ) } ),
            frame_error_t::message_too_big, too_big, 2, 1000 },
        { "a declared length of 2^62 (spec 7.6's 1011 case)", huge_length_header,
            frame_error_t::frame_too_big, too_big, 0 },
        { "a limit of zero refuses any non-empty data frame", frame( fin | op_text, "a" ),
            frame_error_t::frame_too_big, too_big, 0, 0 },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const run_result_t result = require_same_result_for_every_split( row.wire, row.max );
        CHECK( result.error == row.error );
        CHECK( rwi::close_code_for( result.error ) == row.code );
        CHECK( result.frames.size() == row.frames_before );
        CHECK_FALSE( result.close_received );
    }
}

TEST_CASE( "limits at exactly max_message_size pass", "[websocket][receiver]" )
{
    const bytes_t wire = cat( { frame( fin | op_binary, repeated( 1000 ) ), frame( op_text, repeated( 400 ) ),
            frame( op_cont, repeated( 300 ) ), frame( fin | op_cont, repeated( 300 ) ) } );
    const run_result_t result = require_same_result_for_every_split( wire, 1000, 8 );
    CHECK( result.error == frame_error_t::none );
    CHECK( result.frames.size() == 4 );
}

TEST_CASE( "bad UTF-8 fails before the rest of the frame arrives (Autobahn 6.4)",
        "[websocket][receiver]" )
{
    // A 1000-byte text frame whose 6th payload byte is invalid; only its first 10 payload
    // bytes are sent.
    std::string payload = repeated( 1000 );
    payload[ 5 ] = '\xC0';
    const bytes_t wire = frame( fin | op_text, payload );
    bytes_t partial( wire.begin(), wire.begin() + 8 + 10 );

    rwi::receiver_t receiver;
    recorder_sink_t sink;
    CHECK( receiver.consume( partial.data(), partial.size(), sink ) == frame_error_t::invalid_utf8 );
    CHECK( sink.frames.empty() );

    // The same with the bad byte in a later read of the same frame.
    rwi::receiver_t second;
    bytes_t first_part( wire.begin(), wire.begin() + 8 + 3 );
    bytes_t second_part( wire.begin() + 8 + 3, wire.begin() + 8 + 6 );
    CHECK( second.consume( first_part.data(), first_part.size(), sink ) == frame_error_t::none );
    CHECK( second.consume( second_part.data(), second_part.size(), sink ) == frame_error_t::invalid_utf8 );
}

TEST_CASE( "allocation: one per frame contained in the input, none for a refused length",
        "[websocket][receiver][alloc]" )
{
    if( !test_support::counts_allocations )
    {
        WARN( "allocations are not counted in this build (ThreadSanitizer)" );
        return;
    }
    counting_sink_t sink;
    sink.sizes.reserve( 100 );
    const auto allocations_during = [ & ]( rwi::receiver_t & receiver, bytes_t & wire,
            frame_error_t expected ) {
        const std::size_t before = test_support::allocations_on_this_thread();
        const frame_error_t error = receiver.consume( wire.data(), wire.size(), sink );
        const std::size_t count = test_support::allocations_on_this_thread() - before;
        REQUIRE( error == expected );
        return count;
    };

    SECTION( "a 2^62-byte declared length allocates nothing (1009)" )
    {
        rwi::receiver_t receiver;
        bytes_t wire{ 0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0xAA, 0xBB };
        CHECK( allocations_during( receiver, wire, frame_error_t::frame_too_big ) == 0 );
        CHECK( rwi::close_code_for( receiver.error() ) == status_code_t::too_big_message );
    }
    SECTION( "a fragment pushing the message over the limit allocates nothing" )
    {
        rwi::receiver_t receiver{ 100 };
        bytes_t first = frame( op_binary, repeated( 10 ) );
        CHECK( allocations_during( receiver, first, frame_error_t::none ) == 0 );
        bytes_t second{ 0x80, 0x80 | 95, 1, 2, 3, 4 };   // 10 + 95 > 100, no payload yet
        CHECK( allocations_during( receiver, second, frame_error_t::message_too_big ) == 0 );
    }
    SECTION( "small payloads fit the string's own buffer: no allocation" )
    {
        rwi::receiver_t receiver;
        bytes_t wire = cat( { frame( fin | op_text, "short" ), frame( fin | op_ping, "" ),
                frame( op_binary, "a" ), frame( fin | op_cont, "b" ) } );
        CHECK( allocations_during( receiver, wire, frame_error_t::none ) == 0 );
        CHECK( sink.sizes.size() == 4 );
    }
    SECTION( "each larger frame in one buffer costs exactly one allocation" )
    {
        rwi::receiver_t receiver;
        bytes_t wire;
        for( int i = 0; i != 10; ++i )
            wire = cat( { wire, frame( fin | op_text, mixed_text( 100 + i ) ) } );
        CHECK( allocations_during( receiver, wire, frame_error_t::none ) == 10 );
        CHECK( sink.sizes.size() == 10 );
    }
    SECTION( "a sink that hands out recycled strings: no allocation at all" )
    {
        struct recycling_sink_t : counting_sink_t
        {
            std::vector< std::string > spare;
            std::string take_payload_string( std::size_t )
            {
                std::string s = std::move( spare.back() );
                spare.pop_back();
                return s;
            }
        };
        recycling_sink_t recycling;
        recycling.sizes.reserve( 10 );
        for( int i = 0; i != 10; ++i )
            recycling.spare.emplace_back().reserve( 200 );
        rwi::receiver_t receiver;
        bytes_t wire;
        for( int i = 0; i != 10; ++i )
            wire = cat( { wire, frame( fin | op_text, mixed_text( 100 + i ) ) } );
        const std::size_t before = test_support::allocations_on_this_thread();
        REQUIRE( receiver.consume( wire.data(), wire.size(), recycling ) == frame_error_t::none );
        CHECK( test_support::allocations_on_this_thread() - before == 0 );
        CHECK( recycling.sizes.size() == 10 );
    }
    SECTION( "a frame spread over many reads: 4 KiB at its first bytes, then the rest" )
    {
        rwi::receiver_t receiver;
        const bytes_t wire = frame( fin | op_binary, repeated( 5000 ) );
        bytes_t copy = wire;
        const std::size_t before = test_support::allocations_on_this_thread();
        const std::size_t bytes_before = test_support::bytes_allocated_on_this_thread();
        for( std::size_t offset = 0; offset < copy.size(); offset += 333 )
            REQUIRE( receiver.consume( copy.data() + offset, std::min< std::size_t >( 333, copy.size() - offset ),
                                       sink ) == frame_error_t::none );
        CHECK( test_support::allocations_on_this_thread() - before == 2 );
        CHECK( test_support::bytes_allocated_on_this_thread() - bytes_before == 4097 + 5001 );
        REQUIRE( sink.sizes.size() == 1 );
        CHECK( sink.sizes[ 0 ] == 5000 );
    }
}

namespace
{

// Feeds `wire` as a connection does: wherever the receiver offers payload space (at least
// `min_left` bytes of a payload to come), a random number of bytes is written there and
// committed; elsewhere a random chunk goes through consume().
run_result_t
run_with_direct_reads( const bytes_t & wire, std::uint32_t seed, std::uint64_t min_left )
{
    std::mt19937 rng{ seed };
    rwi::receiver_t receiver;
    recorder_sink_t sink;
    run_result_t result;
    std::size_t offset = 0;
    while( offset != wire.size() && frame_error_t::none == result.error )
    {
        const std::size_t left = wire.size() - offset;
        const std::size_t max_space = 1 + rng() % 70000;
        const auto [ space, room ] = receiver.payload_space( min_left, max_space, sink );
        if( space )
        {
            REQUIRE( room <= max_space );
            const std::size_t n = std::min( { room, left, std::size_t{ 1 } + rng() % room } );
            std::copy_n( wire.begin() + static_cast< std::ptrdiff_t >( offset ), n, space );
            offset += n;
            result.error = receiver.commit_payload( n, sink );
        }
        else
        {
            bytes_t chunk( wire.begin() + static_cast< std::ptrdiff_t >( offset ),
                    wire.begin() + static_cast< std::ptrdiff_t >( offset + std::min( left, std::size_t{ 1 } + rng() % 3000 ) ) );
            offset += chunk.size();
            result.error = receiver.consume( chunk.data(), chunk.size(), sink );
        }
    }
    result.frames = std::move( sink.frames );
    result.close_received = receiver.close_received();
    return result;
}

} // namespace

TEST_CASE( "payloads read straight into their string give what consume() gives",
        "[websocket][receiver][direct]" )
{
    const std::string text = mixed_text( 100000 );
    const std::string binary = repeated( 70000, '\x5A' );
    const bytes_t wire = cat( { frame( fin | op_text, text ), frame( fin | op_ping, "between" ),
            frame( op_binary, binary ), frame( fin | op_ping, "inside" ),
            frame( fin | op_cont, repeated( 20000, 'c' ) ), frame( fin | op_text, "short" ),
            close_frame( 1000, "bye" ) } );
    const run_result_t whole = run_whole( wire );
    REQUIRE( whole.error == frame_error_t::none );
    REQUIRE( whole.frames.size() == 7 );
    CHECK( whole.frames[ 0 ].payload == text );
    for( std::uint32_t seed = 1; seed <= 20; ++seed )
    {
        INFO( "seed " << seed );
        CHECK( run_with_direct_reads( wire, seed, 1 ) == whole );
        CHECK( run_with_direct_reads( wire, seed, 16 * 1024 ) == whole );
    }
}

TEST_CASE( "direct reads: space only inside a payload, no larger than what has arrived",
        "[websocket][receiver][direct]" )
{
    rwi::receiver_t receiver;
    recorder_sink_t sink;
    CHECK( receiver.payload_space( 1, 100, sink ).first == nullptr );

    bytes_t wire = frame( fin | op_binary, repeated( 1000, 'q' ) );
    bytes_t header( wire.begin(), wire.begin() + 8 );      // 2 + 2 length bytes + 4 key bytes
    REQUIRE( receiver.consume( header.data(), header.size(), sink ) == frame_error_t::none );
    CHECK( receiver.payload_space( 1, 4096, sink ).first == nullptr );    // nothing arrived yet
    bytes_t first( wire.begin() + 8, wire.begin() + 8 + 300 );
    REQUIRE( receiver.consume( first.data(), first.size(), sink ) == frame_error_t::none );
    CHECK( receiver.payload_space( 301, 4096, sink ).first == nullptr );
    auto [ space, room ] = receiver.payload_space( 300, 4096, sink );
    REQUIRE( space != nullptr );
    CHECK( room == 300 );       // no more than has arrived
    std::copy_n( wire.begin() + 8 + 300, 300, space );
    REQUIRE( receiver.commit_payload( 300, sink ) == frame_error_t::none );
    CHECK( sink.frames.empty() );
    std::tie( space, room ) = receiver.payload_space( 1, 4096, sink );
    REQUIRE( room == 400 );     // never more than the frame has left
    std::copy_n( wire.begin() + 8 + 600, 400, space );
    REQUIRE( receiver.commit_payload( 400, sink ) == frame_error_t::none );
    REQUIRE( sink.frames.size() == 1 );
    CHECK( sink.frames[ 0 ] == expect( fin | op_binary, repeated( 1000, 'q' ) ) );
    CHECK( receiver.payload_space( 1, 100, sink ).first == nullptr );     // between frames

    SECTION( "none once the receiver is dead" )
    {
        bytes_t bad{ 0x83, 0x80 | 126, 0x10, 0x00, 1, 2, 3, 4 };   // reserved opcode 3
        REQUIRE( receiver.consume( bad.data(), bad.size(), sink ) == frame_error_t::reserved_opcode );
        CHECK( receiver.payload_space( 1, 100, sink ).first == nullptr );
        CHECK( receiver.commit_payload( 0, sink ) == frame_error_t::reserved_opcode );
    }
}

TEST_CASE( "direct reads: bad UTF-8 fails in the read that brings it", "[websocket][receiver][direct]" )
{
    std::string payload = repeated( 50000, 'a' );
    payload[ 30000 ] = '\xFF';
    const bytes_t wire = frame( fin | op_text, payload );
    rwi::receiver_t receiver;
    recorder_sink_t sink;
    bytes_t start( wire.begin(), wire.begin() + 14 + 20000 );      // 2 + 8 length bytes + 4 key bytes
    REQUIRE( receiver.consume( start.data(), start.size(), sink ) == frame_error_t::none );
    auto [ space, room ] = receiver.payload_space( 1, 20000, sink );
    REQUIRE( room == 20000 );
    std::copy_n( wire.begin() + 14 + 20000, 20000, space );
    CHECK( receiver.commit_payload( 20000, sink ) == frame_error_t::invalid_utf8 );
    CHECK( rwi::close_code_for( receiver.error() ) == status_code_t::invalid_message_data );
    CHECK( sink.frames.empty() );
}

TEST_CASE( "direct reads: the payload string doubles with what arrives",
        "[websocket][receiver][direct][alloc]" )
{
    if( !test_support::counts_allocations )
    {
        WARN( "allocations are not counted in this build (ThreadSanitizer)" );
        return;
    }
    const bytes_t wire = frame( fin | op_binary, repeated( 300000, 'r' ) );
    rwi::receiver_t receiver;
    counting_sink_t sink;
    sink.sizes.reserve( 4 );
    bytes_t start( wire.begin(), wire.begin() + 14 + 5000 );
    const std::size_t before = test_support::allocations_on_this_thread();
    const std::size_t bytes_before = test_support::bytes_allocated_on_this_thread();
    REQUIRE( receiver.consume( start.data(), start.size(), sink ) == frame_error_t::none );
    std::size_t offset = start.size();
    while( offset != wire.size() )
    {
        const auto [ space, room ] = receiver.payload_space( 1, 70000, sink );
        REQUIRE( space != nullptr );
        // Fill only part of the space offered, as a short read does.
        const std::size_t n = std::min( room, std::size_t{ 50000 } );
        std::copy_n( wire.begin() + static_cast< std::ptrdiff_t >( offset ), n, space );
        offset += n;
        REQUIRE( receiver.commit_payload( n, sink ) == frame_error_t::none );
    }
    // 5,000 (the first read), 10,000, 20,000, ... 160,000, 300,000: each step doubles (or
    // ends at the length), so all the steps together ask for less than 3 times the payload.
    CHECK( test_support::allocations_on_this_thread() - before == 7 );
    CHECK( test_support::bytes_allocated_on_this_thread() - bytes_before < 3 * 300000 );
    REQUIRE( sink.sizes.size() == 1 );
    CHECK( sink.sizes[ 0 ] == 300000 );
}

TEST_CASE( "a stalled frame costs what it sent, not what it declared", "[websocket][receiver][alloc]" )
{
    if( !test_support::counts_allocations )
    {
        WARN( "allocations are not counted in this build (ThreadSanitizer)" );
        return;
    }
    // Storage that doubles has asked for less than twice its last size in all, and its last
    // size is at most twice what arrived (or the first 4 KiB): 4 KiB + 4 x arrived in all.
    struct row_t { const char * name; std::size_t arrived; std::size_t max_bytes; std::size_t space; };
    const row_t rows[] = {
        { "the header alone",         0,       0,                    0 },
        { "1 payload byte",           1,       4097,                 0 },
        { "4 KiB",                    4096,    4097,                 0 },
        { "20,000 bytes",             20000,   4097 + 4 * 20000,     20000 },
        { "100,000 bytes",            100000,  4097 + 4 * 100000,    100000 },
    };
    std::mt19937 rng{ 11 };
    for( const auto & row : rows )
    {
        for( const char * how : { "whole", "byte by byte", "random splits" } )
        {
            INFO( row.name << ", fed " << how );
            // A 16 MiB binary frame: 14 header bytes (a 64-bit length and a key), then the payload.
            bytes_t wire{ 0x82, 0xFF, 0, 0, 0, 0, 0x01, 0, 0, 0, 1, 2, 3, 4 };
            wire.resize( wire.size() + row.arrived, 0x55 );
            rwi::receiver_t receiver;
            counting_sink_t sink;
            const std::size_t bytes_before = test_support::bytes_allocated_on_this_thread();
            for( std::size_t offset = 0; offset != wire.size(); )
            {
                std::size_t n = wire.size() - offset;
                if( 'b' == how[ 0 ] )
                    n = 1;
                else if( 'r' == how[ 0 ] )
                    n = std::min< std::size_t >( n, 1 + rng() % 5000 );
                REQUIRE( receiver.consume( wire.data() + offset, n, sink ) == frame_error_t::none );
                offset += n;
            }
            CHECK( test_support::bytes_allocated_on_this_thread() - bytes_before <= row.max_bytes );
            CHECK( receiver.frame_in_progress() );
            // The direct-read window (16 KiB at least) opens only once the payload pays for it.
            const auto space = receiver.payload_space( 16 * 1024, 256 * 1024, sink );
            CHECK( space.second == row.space );
            CHECK( sink.sizes.empty() );
        }
    }
}

TEST_CASE( "frame_in_progress: from a header's first byte to the end of its message",
        "[websocket][receiver]" )
{
    const bytes_t hello = frame( fin | op_binary, "hello" );
    struct row_t { const char * name; bytes_t wire; bool in_progress; };
    const row_t rows[] = {
        { "nothing",                        {},                                                 false },
        { "one header byte",                { 0x82 },                                           true },
        { "a header without its key",       { 0x82, 0x85, 1, 2 },                               true },
        { "a header and part of a payload", bytes_t( hello.begin(), hello.end() - 2 ),          true },
        { "a whole frame",                  hello,                                              false },
        { "a first fragment",               frame( op_text, "hel" ),                            true },
        { "a ping inside a message",        cat( { frame( op_text, "hel" ), frame( fin | op_ping, "" ) } ), true },
        { "the final fragment",             cat( { frame( op_text, "hel" ), frame( fin | op_cont, "lo" ) } ), false },
        { "a close",                        close_frame( 1000 ),                                false },
        { "a close, then bytes",            cat( { close_frame( 1000 ), bytes_t{ 0x82 } } ),    false },
        { "an error",                       { 0x83, 0x80, 1, 2, 3, 4 },                         false },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        for( std::size_t chunk : { std::size_t{ 1 }, std::size_t{ 3 }, row.wire.size() } )
        {
            bytes_t wire = row.wire;
            rwi::receiver_t receiver;
            recorder_sink_t sink;
            for( std::size_t offset = 0; offset < wire.size(); offset += chunk )
                (void)receiver.consume( wire.data() + offset, std::min( chunk, wire.size() - offset ), sink );
            CHECK( receiver.frame_in_progress() == row.in_progress );
        }
    }
}

TEST_CASE( "direct reads into a recycled string longer than the payload overwrite its old bytes",
        "[websocket][receiver][direct][alloc]" )
{
    // Strings with old content, longer than any payload below, made before counting.
    struct stale_strings_sink_t : recorder_sink_t
    {
        std::vector< std::string > spare;
        std::vector< std::size_t > asked;
        std::string take_payload_string( std::size_t size )
        {
            asked.push_back( size );
            std::string s = std::move( spare.back() );
            spare.pop_back();
            return s;
        }
    };
    stale_strings_sink_t sink;
    sink.frames.reserve( 4 );
    sink.asked.reserve( 4 );
    for( int i = 0; i != 3; ++i )
        sink.spare.emplace_back( 60000, 'G' );

    std::string payload( 50000, 'p' );
    for( std::size_t i = 0; i != payload.size(); ++i )
        payload[ i ] = static_cast< char >( 'a' + i % 26 );
    const bytes_t wire = cat( { frame( fin | op_binary, payload ), frame( fin | op_binary, repeated( 100, 'w' ) ) } );
    rwi::receiver_t receiver;
    bytes_t start( wire.begin(), wire.begin() + 4 + 4 + 100 );      // 2 + 2 length bytes + 4 key bytes
    bytes_t rest( wire.begin() + 8 + 50000, wire.end() );
    const std::size_t before = test_support::allocations_on_this_thread();
    REQUIRE( receiver.consume( start.data(), start.size(), sink ) == frame_error_t::none );
    std::size_t offset = start.size();
    while( offset != 8 + payload.size() )
    {
        const auto [ space, room ] = receiver.payload_space( 1, 7777, sink );
        REQUIRE( space != nullptr );
        std::copy_n( wire.begin() + static_cast< std::ptrdiff_t >( offset ), room, space );
        offset += room;
        REQUIRE( receiver.commit_payload( room, sink ) == frame_error_t::none );
    }
    REQUIRE( receiver.consume( rest.data(), rest.size(), sink ) == frame_error_t::none );
    CHECK( test_support::allocations_on_this_thread() - before == 0 );

    CHECK( sink.asked == std::vector< std::size_t >{ 50000, 100 } );
    REQUIRE( sink.frames.size() == 2 );
    CHECK( sink.frames[ 0 ] == expect( fin | op_binary, payload ) );
    CHECK( sink.frames[ 1 ] == expect( fin | op_binary, repeated( 100, 'w' ) ) );
}

TEST_CASE( "payload bytes are unmasked in place in the caller's buffer", "[websocket][receiver]" )
{
    bytes_t wire{ 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    rwi::receiver_t receiver;
    recorder_sink_t sink;
    REQUIRE( receiver.consume( wire.data(), wire.size(), sink ) == frame_error_t::none );
    CHECK( std::string( wire.begin() + 6, wire.end() ) == "Hello" );
}

TEST_CASE( "empty input and settings", "[websocket][receiver]" )
{
    rwi::receiver_t receiver;
    recorder_sink_t sink;
    CHECK( receiver.max_message_size() == 16u * 1024u * 1024u );
    receiver.max_message_size( 10 );
    CHECK( receiver.max_message_size() == 10 );
    CHECK( receiver.consume( nullptr, 0, sink ) == frame_error_t::none );
    bytes_t wire = frame( fin | op_binary, repeated( 11 ) );
    CHECK( receiver.consume( wire.data(), wire.size(), sink ) == frame_error_t::frame_too_big );
    CHECK( receiver.consume( nullptr, 0, sink ) == frame_error_t::frame_too_big );
    CHECK_FALSE( receiver.close_received() );
}
