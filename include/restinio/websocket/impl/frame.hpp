// The WebSocket frame header (RFC 6455 5.2): its fields, the sizes the RFC's layout implies,
// opcode predicates, and the encoding of the headers a server sends.
//
// Incoming headers are decoded by frame_parser.hpp and judged by receiver.hpp; this header only
// says what a header is. Outgoing headers are written into a caller's fixed 10-byte array, with
// no allocation: it runs once per frame sent. A server never masks (RFC 6455 5.1), so its
// headers are 2, 4 or 10 bytes long.
#pragma once

#include <restinio/websocket/impl/mask.hpp>
#include <restinio/websocket/message.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace restinio
{

namespace websocket
{

namespace basic
{

namespace impl
{

// Byte 0: FIN, RSV1-3, opcode. Byte 1: MASK, 7-bit payload length (RFC 6455 5.2).
constexpr std::uint8_t fin_bit = 0x80u;
constexpr std::uint8_t rsv_bits_mask = 0x70u;
// RFC 7692 6: RSV1 on a data message's first frame says it is compressed; in byte 0, and in
// frame_header_t::rsv_bits.
constexpr std::uint8_t compressed_bit = 0x40u;
constexpr std::uint8_t rsv1_bit = 0x04u;
constexpr std::uint8_t opcode_mask = 0x0Fu;
constexpr std::uint8_t mask_bit = 0x80u;
constexpr std::uint8_t payload_length_mask = 0x7Fu;

// 7-bit length values that announce a 16-bit or a 64-bit extended length.
constexpr std::uint8_t length_code_16_bit = 126u;
constexpr std::uint8_t length_code_64_bit = 127u;

// RFC 6455 5.5: "All control frames MUST have a payload length of 125 bytes or less".
constexpr std::size_t max_control_payload_size = 125u;
// The largest payload a 7-bit length can state, and a 16-bit one.
constexpr std::uint64_t max_7_bit_length = 125u;
constexpr std::uint64_t max_16_bit_length = 0xFFFFu;

constexpr std::size_t first_two_bytes_size = 2u;
constexpr std::size_t masking_key_size = 4u;
// 2 fixed bytes, up to 8 bytes of extended length, up to 4 bytes of masking key.
constexpr std::size_t max_frame_header_size = first_two_bytes_size + 8u + masking_key_size;
// A server's headers carry no masking key.
constexpr std::size_t max_server_frame_header_size = first_two_bytes_size + 8u;

// A decoded header, as it was on the wire: nothing here has been validated yet.
struct frame_header_t
{
    // As stated on the wire, whichever of the three length forms it came in.
    std::uint64_t payload_length = 0u;
    mask_key_t mask_key{};
    final_frame_flag_t final_flag = final_frame_flag_t::final_frame;
    // RSV1, RSV2, RSV3 as bits 2, 1, 0: RSV1 only with permessage-deflate, the others never.
    std::uint8_t rsv_bits = 0u;
    // Any 4-bit value, reserved ones included.
    opcode_t opcode = opcode_t::continuation_frame;
    bool masked = false;
};

// Close, ping and pong (RFC 6455 5.5). Reserved control opcodes 0xB-0xF are not included:
// they are rejected before this matters.
[[nodiscard]] constexpr bool
is_control_frame( opcode_t opcode ) noexcept
{
    return opcode_t::connection_close_frame == opcode ||
            opcode_t::ping_frame == opcode ||
            opcode_t::pong_frame == opcode;
}

// Text and binary, the frames that start a message (RFC 6455 5.6).
[[nodiscard]] constexpr bool
is_data_frame( opcode_t opcode ) noexcept
{
    return opcode_t::text_frame == opcode || opcode_t::binary_frame == opcode;
}

using frame_header_buffer_t = std::array< std::uint8_t, max_server_frame_header_size >;

// Writes the header of an unmasked (server) frame into `out` and returns its size: 2, 4 or 10.
// `compressed` sets RSV1, for the first frame of a compressed message (RFC 7692 6).
// RFC 6455 5.2: the length uses the minimal form, in network byte order, and the 64-bit form's
// most significant bit must be zero, so payload_size must be below 2^63 (any real payload is).
[[nodiscard]] inline std::size_t
write_frame_header(
    frame_header_buffer_t & out,
    final_frame_flag_t final_flag,
    opcode_t opcode,
    std::uint64_t payload_size,
    bool compressed = false ) noexcept
{
    out[ 0 ] = static_cast< std::uint8_t >(
            ( final_frame_flag_t::final_frame == final_flag ? fin_bit : 0u ) |
            ( compressed ? compressed_bit : 0u ) |
            ( static_cast< std::uint8_t >( opcode ) & opcode_mask ) );

    if( payload_size <= max_7_bit_length )
    {
        out[ 1 ] = static_cast< std::uint8_t >( payload_size );
        return 2u;
    }
    if( payload_size <= max_16_bit_length )
    {
        out[ 1 ] = length_code_16_bit;
        out[ 2 ] = static_cast< std::uint8_t >( payload_size >> 8 );
        out[ 3 ] = static_cast< std::uint8_t >( payload_size );
        return 4u;
    }
    out[ 1 ] = length_code_64_bit;
    for( std::size_t i = 0; i != 8u; ++i )
        out[ 2u + i ] = static_cast< std::uint8_t >( payload_size >> ( 56u - 8u * i ) );
    return 10u;
}

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
