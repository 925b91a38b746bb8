// libFuzzer target for the whole receive pipeline (receiver_t), with a sink that checks what
// the receiver promises about every frame it delivers.
//
// Input layout, so the fuzzer explores read boundaries as well as frame bytes (the idea of
// uWebSockets' makeChunked): byte 0 picks max_message_size (bits 0-2) and whether
// permessage-deflate is on (bit 3; bit 4: with the client's context takeover), so compressed
// messages go through the inflate path too; byte 1 says how many chunk-size
// bytes follow (0-15), those bytes give the sizes of successive reads (cycled), and the rest is
// the wire. The same wire is also fed whole to a second receiver: the two runs must deliver the
// same frames and end with the same error, whatever the split, and whether a read went
// through consume() or straight into the payload string (payload_space() / commit_payload()).
// The data frames also go through a message_assembler_t, whose whole messages must be the
// fragments joined.
#include <restinio/websocket/impl/message_assembler.hpp>
#include <restinio/websocket/impl/receiver.hpp>
#include <restinio/websocket/deflate.hpp>

#include "fuzz_support.hpp"
#include "utf8_reference.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <string>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;

namespace
{

bool
is_valid_utf8( const std::string & s )
{
    const auto r = utf8_reference::validate(
            reinterpret_cast< const std::uint8_t * >( s.data() ), s.size() );
    return r.complete;
}

bool
is_valid_utf8_prefix( const std::string & s )
{
    return utf8_reference::validate(
            reinterpret_cast< const std::uint8_t * >( s.data() ), s.size() ).first_invalid == s.size();
}

struct delivered_t
{
    rws::final_frame_flag_t final_flag;
    rws::opcode_t opcode;
    std::string payload;

    bool operator==( const delivered_t & o ) const
    {
        return final_flag == o.final_flag && opcode == o.opcode && payload == o.payload;
    }
};

// Checks RFC 6455's guarantees on each delivered frame, independently of the receiver's code.
struct checking_sink_t
{
    explicit checking_sink_t( std::uint64_t limit ) : max_message_size{ limit } {}

    std::uint64_t max_message_size;
    std::vector< delivered_t > frames;

    bool message_open = false;
    bool message_is_text = false;
    std::string text_so_far;
    std::uint64_t message_size = 0;
    bool closed = false;

    rwi::message_assembler_t assembler;
    rws::opcode_t message_opcode = rws::opcode_t::continuation_frame;
    std::string joined;     // the reference: every fragment of the message so far

    void
    on_frame( rws::final_frame_flag_t final_flag, rws::opcode_t opcode, std::string && payload )
    {
        FUZZ_REQUIRE( !closed );
        FUZZ_REQUIRE( rws::is_valid_opcode( opcode ) );
        const bool is_final = rws::final_frame == final_flag;

        if( rwi::is_control_frame( opcode ) )
        {
            FUZZ_REQUIRE( is_final );
            FUZZ_REQUIRE( payload.size() <= 125 );
            if( rws::opcode_t::connection_close_frame == opcode )
            {
                FUZZ_REQUIRE( payload.size() != 1 );
                if( payload.size() >= 2 )
                {
                    const auto code = static_cast< unsigned >( rws::status_code_from_bin( payload ) );
                    // IANA's registered codes (1012-1014 included) and the private range.
                    FUZZ_REQUIRE( ( code >= 1000 && code <= 1014 && code != 1004 && code != 1005 &&
                            code != 1006 ) || ( code >= 3000 && code <= 4999 ) );
                    FUZZ_REQUIRE( is_valid_utf8( payload.substr( 2 ) ) );
                }
                closed = true;
            }
        }
        else
        {
            const bool is_continuation = rws::opcode_t::continuation_frame == opcode;
            FUZZ_REQUIRE( is_continuation == message_open );
            if( !is_continuation )
            {
                message_is_text = rws::opcode_t::text_frame == opcode;
                text_so_far.clear();
                message_size = 0;
            }
            message_size += payload.size();
            FUZZ_REQUIRE( message_size <= max_message_size );
            if( message_is_text )
            {
                text_so_far += payload;
                FUZZ_REQUIRE( is_final ? is_valid_utf8( text_so_far ) : is_valid_utf8_prefix( text_so_far ) );
            }
            message_open = !is_final;
            assemble( final_flag, opcode, payload );
        }
        frames.push_back( { final_flag, opcode, std::move( payload ) } );
    }

    void
    assemble( rws::final_frame_flag_t final_flag, rws::opcode_t opcode, const std::string & payload )
    {
        if( rws::opcode_t::continuation_frame != opcode )
        {
            message_opcode = opcode;
            joined.clear();
        }
        joined += payload;
        bool delivered = false;
        const std::string spent = assembler.add_frame( final_flag, opcode, std::string{ payload },
                [ & ]( rws::opcode_t whole_opcode, std::string && message ) {
                    FUZZ_REQUIRE( !delivered );
                    delivered = true;
                    FUZZ_REQUIRE( whole_opcode == message_opcode );
                    FUZZ_REQUIRE( message == joined );
                } );
        FUZZ_REQUIRE( delivered == ( rws::final_frame == final_flag ) );
    }
};

} // namespace

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    if( size < 2 )
        return 0;

    // Small limits reach the 1009 paths; 0 means the default.
    const std::uint8_t limit_selector = data[ 0 ] % 8;
    const std::uint64_t max_message_size = 0 == limit_selector ?
            rwi::receiver_t::default_max_message_size : std::uint64_t{ 1 } << ( 2 * limit_selector );
    const bool deflate = 0 != ( data[ 0 ] & 0x08 );
    rws::deflate_params_t deflate_params;
    deflate_params.client_no_context_takeover = 0 == ( data[ 0 ] & 0x10 );
    static const auto engine = rws::make_zlib_deflate().engine();
    const std::size_t chunk_size_count = data[ 1 ] % 16;
    if( size < 2 + chunk_size_count )
        return 0;
    const std::uint8_t * chunk_sizes = data + 2;
    const std::uint8_t * wire = data + 2 + chunk_size_count;
    const std::size_t wire_size = size - 2 - chunk_size_count;

    // Run 1: the wire in chunks, each in an exact-size heap buffer so ASan sees over-reads.
    rwi::receiver_t chunked{ max_message_size };
    if( deflate )
        chunked.enable_deflate( engine, deflate_params );
    checking_sink_t chunked_sink{ max_message_size };
    rwi::frame_error_t chunked_error = rwi::frame_error_t::none;
    std::size_t offset = 0;
    for( std::size_t i = 0; offset != wire_size; ++i )
    {
        std::size_t n = wire_size - offset;
        if( 0 != chunk_size_count )
        {
            const std::size_t wanted = std::size_t{ chunk_sizes[ i % chunk_size_count ] } + 1;
            n = wanted < n ? wanted : n;
        }
        // Every other read goes straight into the payload string where the receiver offers
        // room for one, as the connection does for long payloads.
        const auto [ space, room ] = 1 == i % 2 ? chunked.payload_space( 1, n, chunked_sink )
                : std::pair< std::uint8_t *, std::size_t >{ nullptr, 0 };
        if( space )
        {
            FUZZ_REQUIRE( room <= n );
            std::copy( wire + offset, wire + offset + room, space );
            offset += room;
            chunked_error = chunked.commit_payload( room, chunked_sink );
        }
        else
        {
            std::vector< std::uint8_t > chunk( wire + offset, wire + offset + n );
            offset += n;
            chunked_error = chunked.consume( chunk.data(), chunk.size(), chunked_sink );
        }
        if( rwi::frame_error_t::none != chunked_error )
            break;
    }

    // A dead receiver stays dead and silent.
    if( rwi::frame_error_t::none != chunked_error )
    {
        const std::size_t delivered = chunked_sink.frames.size();
        std::vector< std::uint8_t > more{ 0x81, 0x80, 0, 0, 0, 0 };
        FUZZ_REQUIRE( chunked.consume( more.data(), more.size(), chunked_sink ) == chunked_error );
        FUZZ_REQUIRE( chunked_sink.frames.size() == delivered );
    }
    FUZZ_REQUIRE( chunked.close_received() == chunked_sink.closed );

    // Run 2: the same wire in one piece must give the same result.
    rwi::receiver_t whole{ max_message_size };
    if( deflate )
        whole.enable_deflate( engine, deflate_params );
    checking_sink_t whole_sink{ max_message_size };
    std::vector< std::uint8_t > copy( wire, wire + wire_size );
    const rwi::frame_error_t whole_error = whole.consume( copy.data(), copy.size(), whole_sink );
    FUZZ_REQUIRE( whole_error == chunked_error );
    FUZZ_REQUIRE( whole_sink.frames == chunked_sink.frames );

    return 0;
}
