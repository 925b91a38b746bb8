// frame_rules_t: the rules a frame's header must follow given the frames before it (RFC 6455
// 5.1-5.5, RFC 7692 6.1, our size limit), and the state of the message they belong to: whether
// one is open, its type, whether it is compressed, its size so far. Part of the receive
// pipeline (receiver.hpp), which asks it about each header before taking the payload. Pure.
#pragma once

#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/frame_error.hpp>
#include <restinio/websocket/message.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

class frame_rules_t
{
public:
    explicit frame_rules_t( std::uint64_t max_message_size ) noexcept
        : m_max_message_size{ max_message_size }
        , m_message_open{ false }
        , m_message_is_text{ false }
        , m_message_is_compressed{ false }
        , m_frame_is_text{ false }
        , m_frame_is_compressed{ false }
        , m_frame_starts_message{ false }
    {}

    [[nodiscard]] std::uint64_t max_message_size() const noexcept { return m_max_message_size; }
    void max_message_size( std::uint64_t value ) noexcept { m_max_message_size = value; }

    // All the header rules, in order; the first broken one decides the error. Updates the
    // fragmentation state for data frames, since the next header can only come after this
    // frame's payload. `deflate` says whether permessage-deflate was agreed on.
    [[nodiscard]] frame_error_t
    start_frame( const frame_header_t & header, bool deflate ) noexcept
    {
        // RFC 6455 5.2: "MUST be 0 unless an extension is negotiated"; permessage-deflate
        // gives RSV1 a meaning (RFC 7692 6), only on the first frame of a data message.
        const bool rsv1 = 0u != ( header.rsv_bits & rsv1_bit );
        if( 0u != ( header.rsv_bits & ~rsv1_bit ) || ( rsv1 && !deflate ) )
            return frame_error_t::reserved_bits_set;
        // RFC 6455 5.2: reserved opcodes fail the connection.
        if( !is_valid_opcode( header.opcode ) )
            return frame_error_t::reserved_opcode;
        // RFC 6455 5.1: "The server MUST close the connection upon receiving a frame that is
        // not masked."
        if( !header.masked )
            return frame_error_t::unmasked_client_frame;
        // RFC 6455 5.2: "the most significant bit MUST be 0". Checked before the size limit
        // so that such a length is a protocol error (1002), not a too-big message (1009).
        if( 0u != ( header.payload_length >> 63 ) )
            return frame_error_t::payload_length_msb_set;
        // Lengths in a longer form than needed (126 with a value <= 125, and so on) are
        // accepted: RFC 6455 5.2 puts the "minimal number of bytes" rule on the sender and
        // names no failure for the receiver; the value is what the limits below judge.

        if( is_control_frame( header.opcode ) )
        {
            // RFC 6455 5.5: control frames are never fragmented and carry at most 125 bytes.
            if( final_frame_flag_t::final_frame != header.final_flag )
                return frame_error_t::fragmented_control_frame;
            if( header.payload_length > max_control_payload_size )
                return frame_error_t::control_frame_too_big;
            if( rsv1 )
                return frame_error_t::compressed_control_frame;
            m_frame_is_text = false;
            m_frame_is_compressed = false;
            m_frame_starts_message = false;
            return frame_error_t::none;
        }

        // RFC 6455 5.4: a continuation belongs to an open fragmented message, and a new text
        // or binary frame may not start while one is open.
        const bool is_continuation = opcode_t::continuation_frame == header.opcode;
        if( is_continuation && !m_message_open )
            return frame_error_t::unexpected_continuation;
        if( !is_continuation && m_message_open )
            return frame_error_t::data_frame_inside_fragmented_message;
        if( is_continuation && rsv1 )
            return frame_error_t::compressed_continuation;

        // Deflate makes incompressible data a little longer (5 bytes per stored block of up to
        // 64 KiB): a compressed message's bytes on the wire may pass the limit by that much,
        // since what the limit bounds is its inflated size (permessage_deflate.hpp).
        const bool compressed = is_continuation ? m_message_is_compressed : rsv1;
        const std::uint64_t slack = m_max_message_size / 64u + 1024u;
        const std::uint64_t max_wire_size = !compressed ? m_max_message_size
                : m_max_message_size > std::numeric_limits< std::uint64_t >::max() - slack
                        ? std::numeric_limits< std::uint64_t >::max() : m_max_message_size + slack;
        if( header.payload_length > max_wire_size )
            return frame_error_t::frame_too_big;
        if constexpr( sizeof( std::size_t ) < sizeof( std::uint64_t ) )
        {
            if( header.payload_length > std::numeric_limits< std::size_t >::max() )
                return frame_error_t::frame_too_big;
        }

        if( is_continuation )
        {
            // m_message_size <= max_wire_size, so the subtraction cannot wrap.
            if( header.payload_length > max_wire_size - m_message_size )
                return frame_error_t::message_too_big;
            m_message_size += header.payload_length;
        }
        else
        {
            m_message_is_text = opcode_t::text_frame == header.opcode;
            m_message_is_compressed = rsv1;
            m_message_size = header.payload_length;
        }
        m_frame_starts_message = !is_continuation;
        m_message_open = final_frame_flag_t::not_final_frame == header.final_flag;
        m_frame_is_text = m_message_is_text;
        m_frame_is_compressed = m_message_is_compressed;
        return frame_error_t::none;
    }

    // Of the frame last accepted by start_frame().
    [[nodiscard]] bool frame_is_text() const noexcept { return m_frame_is_text; }
    [[nodiscard]] bool frame_is_compressed() const noexcept { return m_frame_is_compressed; }
    // A text or binary frame: a new message (fragmented or not) starts with it.
    [[nodiscard]] bool frame_starts_message() const noexcept { return m_frame_starts_message; }
    // A fragmented message is open (RFC 6455 5.4): more of its frames are to come.
    [[nodiscard]] bool message_open() const noexcept { return m_message_open; }

private:
    std::uint64_t m_max_message_size;
    // The fragmented message (RFC 6455 5.4) the data frames belong to.
    std::uint64_t m_message_size = 0u;
    // One byte for all the flags: the receiver packs its own small members after it.
    bool m_message_open : 1;
    bool m_message_is_text : 1;
    bool m_message_is_compressed : 1;
    bool m_frame_is_text : 1;
    bool m_frame_is_compressed : 1;
    bool m_frame_starts_message : 1;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
