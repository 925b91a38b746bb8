// Incremental decoder of incoming frame headers (RFC 6455 5.2).
//
// A header is 2 to 14 bytes and may be split across reads anywhere: inside the extended length,
// inside the masking key, one byte per read. When a whole header is in the input the parser
// decodes it in place; otherwise it keeps the part it has in a fixed 14-byte array until the
// rest arrives. It never reads past the span it is given and never allocates. It decodes only:
// judging the header (RSV bits, opcodes, lengths, masking) is the receiver's job.
#pragma once

#include <restinio/websocket/impl/frame.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace restinio
{

namespace websocket
{

namespace basic
{

namespace impl
{

enum class parse_status_t : std::uint8_t
{
    need_more,          // every byte given was taken; the header is not complete yet
    header_ready        // a header is complete: see frame_parser_t::header()
};

struct parse_result_t
{
    std::size_t consumed;
    parse_status_t status;
};

class frame_parser_t
{
public:
    // Takes bytes until one header is complete or the input ends. With header_ready, `consumed`
    // stops at the first payload byte, and the next call starts a new header. With need_more,
    // all `size` bytes were taken.
    [[nodiscard]] parse_result_t
    feed( const std::uint8_t * data, std::size_t size ) noexcept
    {
        // Fast path: nothing kept from earlier reads and the whole header is here.
        if( 0u == m_partial_size && size >= first_two_bytes_size )
        {
            const std::size_t header_size = header_size_from_second_byte( data[ 1 ] );
            if( size >= header_size )
            {
                decode( data );
                return { header_size, parse_status_t::header_ready };
            }
        }

        std::size_t consumed = 0u;
        for(;;)
        {
            // The size is unknown until byte 1 (MASK and 7-bit length) is in: until then the
            // target is those two bytes, and after that it is the whole header.
            const std::size_t target = m_partial_size < first_two_bytes_size ?
                    first_two_bytes_size : header_size_from_second_byte( m_partial[ 1 ] );
            if( m_partial_size == target )
                break;

            const std::size_t wanted = target - m_partial_size;
            const std::size_t available = size - consumed;
            const std::size_t taken = wanted < available ? wanted : available;
            if( 0u == taken )
                return { consumed, parse_status_t::need_more };
            std::memcpy( m_partial.data() + m_partial_size, data + consumed, taken );
            m_partial_size = static_cast< std::uint8_t >( m_partial_size + taken );
            consumed += taken;
        }

        decode( m_partial.data() );
        m_partial_size = 0u;
        return { consumed, parse_status_t::header_ready };
    }

    // The last complete header. Unchanged by calls that return need_more.
    [[nodiscard]] const frame_header_t &
    header() const noexcept { return m_header; }

    // True while part of a header is kept from earlier input.
    [[nodiscard]] bool
    has_partial_header() const noexcept { return 0u != m_partial_size; }

private:
    [[nodiscard]] static std::size_t
    header_size_from_second_byte( std::uint8_t second_byte ) noexcept
    {
        std::size_t size = first_two_bytes_size;
        const std::uint8_t length_code = second_byte & payload_length_mask;
        if( length_code_16_bit == length_code )
            size += 2u;
        else if( length_code_64_bit == length_code )
            size += 8u;
        if( 0u != ( second_byte & mask_bit ) )
            size += masking_key_size;
        return size;
    }

    // `bytes` holds a whole header (its size given by byte 1).
    void
    decode( const std::uint8_t * bytes ) noexcept
    {
        m_header.final_flag = 0u != ( bytes[ 0 ] & fin_bit ) ?
                final_frame_flag_t::final_frame : final_frame_flag_t::not_final_frame;
        m_header.rsv_bits = static_cast< std::uint8_t >( ( bytes[ 0 ] & rsv_bits_mask ) >> 4 );
        m_header.opcode = static_cast< opcode_t >( bytes[ 0 ] & opcode_mask );
        m_header.masked = 0u != ( bytes[ 1 ] & mask_bit );

        // Extended lengths are in network byte order (RFC 6455 5.2).
        const std::uint8_t length_code = bytes[ 1 ] & payload_length_mask;
        std::size_t offset = first_two_bytes_size;
        std::size_t length_bytes = 0u;
        if( length_code_16_bit == length_code )
            length_bytes = 2u;
        else if( length_code_64_bit == length_code )
            length_bytes = 8u;

        if( 0u == length_bytes )
            m_header.payload_length = length_code;
        else
        {
            std::uint64_t length = 0u;
            for( std::size_t i = 0; i != length_bytes; ++i )
                length = ( length << 8 ) | bytes[ offset + i ];
            m_header.payload_length = length;
            offset += length_bytes;
        }

        if( m_header.masked )
            std::memcpy( m_header.mask_key.data(), bytes + offset, masking_key_size );
        else
            m_header.mask_key = mask_key_t{};
    }

    frame_header_t m_header;
    std::array< std::uint8_t, max_frame_header_size > m_partial{};
    std::uint8_t m_partial_size = 0u;
};

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
