// Helpers shared by the WebSocket unit tests: byte vectors, a client-frame encoder written
// byte by byte from RFC 6455 5.2 (so tests do not trust the code under test to build their
// input), a recorder sink, and runners that feed the same wire bytes to a fresh receiver whole,
// byte by byte, in every chunk size and at random split points.
#pragma once

#include <restinio/websocket/impl/receiver.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace ws_test
{

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;

using bytes_t = std::vector< std::uint8_t >;

inline bytes_t
bytes_of( std::string_view text )
{
    return bytes_t( text.begin(), text.end() );
}

inline bytes_t
cat( std::initializer_list< bytes_t > parts )
{
    bytes_t result;
    for( const auto & part : parts )
        result.insert( result.end(), part.begin(), part.end() );
    return result;
}

enum class length_form_t { minimal, force_16_bit, force_64_bit };

constexpr std::array< std::uint8_t, 4 > default_key{ { 0x11, 0x22, 0x33, 0x44 } };

// A client frame: `first_byte` is FIN|RSV|opcode as it goes on the wire.
inline bytes_t
raw_frame(
    std::uint8_t first_byte,
    const bytes_t & payload,
    bool masked = true,
    length_form_t form = length_form_t::minimal,
    std::array< std::uint8_t, 4 > key = default_key )
{
    bytes_t frame{ first_byte };
    const std::uint8_t mask_flag = masked ? 0x80 : 0x00;
    const std::uint64_t n = payload.size();
    if( length_form_t::minimal == form && n <= 125 )
        frame.push_back( static_cast< std::uint8_t >( mask_flag | n ) );
    else if( length_form_t::force_64_bit != form && n <= 0xFFFF )
    {
        frame.push_back( mask_flag | 126 );
        frame.push_back( static_cast< std::uint8_t >( n >> 8 ) );
        frame.push_back( static_cast< std::uint8_t >( n ) );
    }
    else
    {
        frame.push_back( mask_flag | 127 );
        for( int shift = 56; shift >= 0; shift -= 8 )
            frame.push_back( static_cast< std::uint8_t >( n >> shift ) );
    }
    if( masked )
        frame.insert( frame.end(), key.begin(), key.end() );
    for( std::size_t i = 0; i != payload.size(); ++i )
        frame.push_back( masked ? payload[ i ] ^ key[ i % 4 ] : payload[ i ] );
    return frame;
}

constexpr std::uint8_t fin = 0x80;
constexpr std::uint8_t op_cont = 0x0, op_text = 0x1, op_binary = 0x2;
constexpr std::uint8_t op_close = 0x8, op_ping = 0x9, op_pong = 0xA;

inline bytes_t
frame( std::uint8_t first_byte, std::string_view payload )
{
    return raw_frame( first_byte, bytes_of( payload ) );
}

inline bytes_t
close_frame( std::uint16_t code, std::string_view reason = {} )
{
    bytes_t payload{ static_cast< std::uint8_t >( code >> 8 ), static_cast< std::uint8_t >( code ) };
    payload.insert( payload.end(), reason.begin(), reason.end() );
    return raw_frame( fin | op_close, payload );
}

struct recorded_frame_t
{
    rws::final_frame_flag_t final_flag;
    rws::opcode_t opcode;
    std::string payload;

    bool
    operator==( const recorded_frame_t & o ) const
    {
        return final_flag == o.final_flag && opcode == o.opcode && payload == o.payload;
    }
};

inline recorded_frame_t
expect( std::uint8_t first_byte, std::string payload )
{
    return { ( first_byte & fin ) ? rws::final_frame : rws::not_final_frame,
            static_cast< rws::opcode_t >( first_byte & 0x0F ), std::move( payload ) };
}

inline std::ostream &
operator<<( std::ostream & to, const recorded_frame_t & f )
{
    to << rws::opcode_to_string( f.opcode ) << ( f.final_flag == rws::final_frame ? " fin " : " more " )
       << f.payload.size() << " bytes";
    if( f.payload.size() <= 32 )
    {
        to << " \"";
        for( const char c : f.payload )
        {
            const auto b = static_cast< unsigned char >( c );
            if( b >= 0x20 && b < 0x7F )
                to << c;
            else
            {
                const char * digits = "0123456789ABCDEF";
                to << "\\x" << digits[ b >> 4 ] << digits[ b & 0xF ];
            }
        }
        to << '"';
    }
    return to;
}

struct recorder_sink_t
{
    std::vector< recorded_frame_t > frames;

    void
    on_frame( rws::final_frame_flag_t final_flag, rws::opcode_t opcode, std::string && payload )
    {
        frames.push_back( { final_flag, opcode, std::move( payload ) } );
    }
};

struct run_result_t
{
    std::vector< recorded_frame_t > frames;
    rwi::frame_error_t error = rwi::frame_error_t::none;
    bool close_received = false;

    bool
    operator==( const run_result_t & o ) const
    {
        return frames == o.frames && error == o.error && close_received == o.close_received;
    }
};

inline std::ostream &
operator<<( std::ostream & to, const run_result_t & r )
{
    for( const auto & f : r.frames )
        to << f << "; ";
    to << "error " << rwi::frame_error_to_string( r.error )
       << " (" << static_cast< int >( rwi::close_code_for( r.error ) ) << ")";
    if( r.close_received )
        to << ", close received";
    return to;
}

// Sets up a fresh receiver before it is fed (permessage-deflate on, say).
using prepare_t = std::function< void( rwi::receiver_t & ) >;

// Feeds a copy of `wire` to a fresh receiver, each chunk in a buffer of exactly its size (so
// ASan sees any read past it), stopping at the first error. A dead receiver must keep
// returning that error and deliver nothing more.
inline run_result_t
run_chunked(
    const bytes_t & wire,
    const std::function< std::size_t( std::size_t left ) > & next_chunk_size,
    std::uint64_t max_message_size = rwi::receiver_t::default_max_message_size,
    const prepare_t & prepare = {} )
{
    rwi::receiver_t receiver{ max_message_size };
    if( prepare )
        prepare( receiver );
    recorder_sink_t sink;
    run_result_t result;

    std::size_t offset = 0;
    while( offset != wire.size() )
    {
        const std::size_t n = std::min( next_chunk_size( wire.size() - offset ), wire.size() - offset );
        bytes_t chunk( wire.begin() + static_cast< std::ptrdiff_t >( offset ),
                wire.begin() + static_cast< std::ptrdiff_t >( offset + n ) );
        offset += n;
        result.error = receiver.consume( chunk.data(), chunk.size(), sink );
        if( rwi::frame_error_t::none != result.error )
            break;
    }

    if( rwi::frame_error_t::none != result.error )
    {
        const std::size_t delivered = sink.frames.size();
        bytes_t valid = frame( fin | op_text, "after the error" );
        REQUIRE( receiver.consume( valid.data(), valid.size(), sink ) == result.error );
        REQUIRE( receiver.error() == result.error );
        REQUIRE( sink.frames.size() == delivered );
    }
    result.frames = std::move( sink.frames );
    result.close_received = receiver.close_received();
    return result;
}

inline run_result_t
run_whole( const bytes_t & wire, std::uint64_t max = rwi::receiver_t::default_max_message_size,
    const prepare_t & prepare = {} )
{
    return run_chunked( wire, []( std::size_t left ) { return left; }, max, prepare );
}

// The outcome must not depend on how the bytes were split into reads: whole, one byte at a
// time, every fixed chunk size up to `max_chunk`, and random split points (fixed seeds).
inline run_result_t
require_same_result_for_every_split(
    const bytes_t & wire,
    std::uint64_t max = rwi::receiver_t::default_max_message_size,
    std::size_t max_chunk = 64,
    const prepare_t & prepare = {} )
{
    const run_result_t whole = run_whole( wire, max, prepare );

    const std::size_t last_chunk = std::min( max_chunk, wire.size() );
    for( std::size_t chunk = 1; chunk < last_chunk; ++chunk )
    {
        INFO( "chunk size " << chunk );
        REQUIRE( run_chunked( wire, [ chunk ]( std::size_t ) { return chunk; }, max, prepare ) == whole );
    }

    for( std::uint32_t seed = 1; seed <= 8; ++seed )
    {
        INFO( "random splits, seed " << seed );
        std::mt19937 rng{ seed };
        // Mostly small pieces, sometimes large ones, so headers and payloads both get cut.
        const auto next = [ &rng ]( std::size_t left ) -> std::size_t {
            const std::size_t limit = rng() % 4 == 0 ? left : 20;
            return 1 + rng() % std::max< std::size_t >( limit, 1 );
        };
        REQUIRE( run_chunked( wire, next, max, prepare ) == whole );
    }
    return whole;
}

} // namespace ws_test
