// What can be wrong with the frames a client sends, one enumerator per rule, and the close code
// each one is answered with.
//
// Bad input from the network is ordinary, so it is a value, never an exception. Each rule of
// RFC 6455 the receiver enforces has its own enumerator, so logs and tests stay specific, and
// each maps to exactly one close code (7.4.1). The switches have no `default`, so -Wswitch
// points at a new enumerator nobody has mapped.
#pragma once

#include <restinio/websocket/message.hpp>

#include <cstdint>

namespace restinio
{

namespace websocket
{

namespace basic
{

namespace impl
{

enum class frame_error_t : std::uint8_t
{
    none,
    reserved_bits_set,                      // 5.2: RSV1-3 set, no extension negotiated
    compressed_control_frame,               // RFC 7692 6.1: RSV1 on a control frame
    compressed_continuation,                // RFC 7692 6.1: RSV1 on a continuation frame
    reserved_opcode,                        // 5.2: opcodes 0x3-0x7 and 0xB-0xF
    unmasked_client_frame,                  // 5.1: a server must fail an unmasked frame
    fragmented_control_frame,               // 5.5: control frames have FIN set
    control_frame_too_big,                  // 5.5: control payloads are at most 125 bytes
    payload_length_msb_set,                 // 5.2: the 64-bit length's top bit must be 0
    unexpected_continuation,                // 5.4: continuation with no message open
    data_frame_inside_fragmented_message,   // 5.4: text/binary before the open one ended
    invalid_close_payload_size,             // 5.5.1: a close body is empty or >= 2 bytes
    invalid_close_code,                     // 7.4: a code that may not be sent on the wire
    invalid_close_reason,                   // 5.5.1: the reason is not valid UTF-8
    invalid_utf8,                           // 8.1: a text message is not valid UTF-8
    truncated_utf8,                         // 8.1: a text message ends inside a code point
    invalid_compressed_data,                // RFC 7692 7.2.2: not a deflate stream
    frame_too_big,                          // our limit: the declared frame length
    message_too_big,                        // our limit: a fragmented message's total length
    inflated_message_too_big                // our limit: a compressed message, inflated
};

// The close code a server sends when it fails the connection for `error` (RFC 6455 7.1.7).
[[nodiscard]] constexpr status_code_t
close_code_for( frame_error_t error ) noexcept
{
    switch( error )
    {
    case frame_error_t::none:
        return status_code_t::normal_closure;                                   // 1000

    case frame_error_t::reserved_bits_set:
    case frame_error_t::compressed_control_frame:
    case frame_error_t::compressed_continuation:
    case frame_error_t::reserved_opcode:
    case frame_error_t::unmasked_client_frame:
    case frame_error_t::fragmented_control_frame:
    case frame_error_t::control_frame_too_big:
    case frame_error_t::payload_length_msb_set:
    case frame_error_t::unexpected_continuation:
    case frame_error_t::data_frame_inside_fragmented_message:
    case frame_error_t::invalid_close_payload_size:
    case frame_error_t::invalid_close_code:
        return status_code_t::protocol_error;                                   // 1002

    // RFC 6455 7.4.1: 1007 is for "data within a message that was not consistent with the
    // type of the message (e.g., non-UTF-8 [RFC3629] data within a text message)".
    case frame_error_t::invalid_close_reason:
    case frame_error_t::invalid_utf8:
    case frame_error_t::truncated_utf8:
    case frame_error_t::invalid_compressed_data:
        return status_code_t::invalid_message_data;                             // 1007

    case frame_error_t::frame_too_big:
    case frame_error_t::message_too_big:
    case frame_error_t::inflated_message_too_big:
        return status_code_t::too_big_message;                                  // 1009
    }
    return status_code_t::protocol_error;   // unreachable for a valid enumerator
}

// A short text for logs: the enumerator's name and the rule it stands for.
[[nodiscard]] constexpr const char *
frame_error_to_string( frame_error_t error ) noexcept
{
    switch( error )
    {
    case frame_error_t::none:
        return "none";
    case frame_error_t::reserved_bits_set:
        return "reserved_bits_set: RSV1-3 set without a negotiated extension (RFC 6455 5.2)";
    case frame_error_t::compressed_control_frame:
        return "compressed_control_frame: RSV1 on a control frame (RFC 7692 6.1)";
    case frame_error_t::compressed_continuation:
        return "compressed_continuation: RSV1 on a continuation frame (RFC 7692 6.1)";
    case frame_error_t::reserved_opcode:
        return "reserved_opcode: opcode 0x3-0x7 or 0xB-0xF (RFC 6455 5.2)";
    case frame_error_t::unmasked_client_frame:
        return "unmasked_client_frame: a client frame without MASK (RFC 6455 5.1)";
    case frame_error_t::fragmented_control_frame:
        return "fragmented_control_frame: a control frame with FIN=0 (RFC 6455 5.5)";
    case frame_error_t::control_frame_too_big:
        return "control_frame_too_big: a control payload over 125 bytes (RFC 6455 5.5)";
    case frame_error_t::payload_length_msb_set:
        return "payload_length_msb_set: a 64-bit length with its top bit set (RFC 6455 5.2)";
    case frame_error_t::unexpected_continuation:
        return "unexpected_continuation: a continuation with no message open (RFC 6455 5.4)";
    case frame_error_t::data_frame_inside_fragmented_message:
        return "data_frame_inside_fragmented_message: a text or binary frame before the "
                "fragmented message ended (RFC 6455 5.4)";
    case frame_error_t::invalid_close_payload_size:
        return "invalid_close_payload_size: a 1-byte close payload (RFC 6455 5.5.1)";
    case frame_error_t::invalid_close_code:
        return "invalid_close_code: a close code not allowed on the wire (RFC 6455 7.4)";
    case frame_error_t::invalid_close_reason:
        return "invalid_close_reason: a close reason that is not UTF-8 (RFC 6455 5.5.1)";
    case frame_error_t::invalid_utf8:
        return "invalid_utf8: a text message that is not UTF-8 (RFC 6455 8.1)";
    case frame_error_t::truncated_utf8:
        return "truncated_utf8: a text message ending inside a code point (RFC 6455 8.1)";
    case frame_error_t::invalid_compressed_data:
        return "invalid_compressed_data: a compressed message that does not inflate (RFC 7692 7.2.2)";
    case frame_error_t::inflated_message_too_big:
        return "inflated_message_too_big: a compressed message inflating past max_message_size";
    case frame_error_t::frame_too_big:
        return "frame_too_big: a frame longer than max_message_size";
    case frame_error_t::message_too_big:
        return "message_too_big: a fragmented message longer than max_message_size";
    }
    return "unknown frame_error_t value";
}

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
