// Tests of frame_error_t: each enumerator's close code and log text.
#include <restinio/websocket/impl/frame_error.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;
using rwi::frame_error_t;

TEST_CASE( "each frame error maps to one close code", "[websocket][frame_error]" )
{
    struct row_t { frame_error_t error; unsigned code; const char * name; };
    const row_t rows[] = {
        { frame_error_t::none, 1000, "none" },
        { frame_error_t::reserved_bits_set, 1002, "reserved_bits_set" },
        { frame_error_t::compressed_control_frame, 1002, "compressed_control_frame" },
        { frame_error_t::compressed_continuation, 1002, "compressed_continuation" },
        { frame_error_t::reserved_opcode, 1002, "reserved_opcode" },
        { frame_error_t::unmasked_client_frame, 1002, "unmasked_client_frame" },
        { frame_error_t::fragmented_control_frame, 1002, "fragmented_control_frame" },
        { frame_error_t::control_frame_too_big, 1002, "control_frame_too_big" },
        { frame_error_t::payload_length_msb_set, 1002, "payload_length_msb_set" },
        { frame_error_t::unexpected_continuation, 1002, "unexpected_continuation" },
        { frame_error_t::data_frame_inside_fragmented_message, 1002, "data_frame_inside_fragmented_message" },
        { frame_error_t::invalid_close_payload_size, 1002, "invalid_close_payload_size" },
        { frame_error_t::invalid_close_code, 1002, "invalid_close_code" },
        { frame_error_t::invalid_close_reason, 1007, "invalid_close_reason" },
        { frame_error_t::invalid_utf8, 1007, "invalid_utf8" },
        { frame_error_t::truncated_utf8, 1007, "truncated_utf8" },
        { frame_error_t::invalid_compressed_data, 1007, "invalid_compressed_data" },
        { frame_error_t::frame_too_big, 1009, "frame_too_big" },
        { frame_error_t::message_too_big, 1009, "message_too_big" },
        { frame_error_t::inflated_message_too_big, 1009, "inflated_message_too_big" },
    };
    STATIC_REQUIRE( rwi::close_code_for( frame_error_t::unmasked_client_frame ) == rws::status_code_t::protocol_error );
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( static_cast< unsigned >( rwi::close_code_for( row.error ) ) == row.code );
        CHECK( std::string{ rwi::frame_error_to_string( row.error ) }.rfind( row.name, 0 ) == 0 );
    }
}
