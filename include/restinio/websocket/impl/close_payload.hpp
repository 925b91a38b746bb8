// Checks the payload of a close frame a client sent (RFC 6455 5.5.1 and 7.4).
//
// The body is empty, or a 2-byte big-endian status code followed by a UTF-8 reason. Only some
// codes may appear on the wire: 1004, 1005, 1006 and 1015 are reserved for local use, 1012-2999
// are not ours to accept, 3000-4999 belong to libraries and applications. Unlike RESTinio, a
// 1-byte body is a protocol error, as 5.5.1 requires. Pure computation, noexcept.
#pragma once

#include <restinio/utils/utf8_checker.hpp>
#include <restinio/websocket/impl/frame_error.hpp>

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

// True for the codes a peer may send: 1000-1011 except 1004, 1005 and 1006, and 3000-4999.
[[nodiscard]] constexpr bool
is_valid_close_code( std::uint16_t code ) noexcept
{
    if( code >= 3000u && code <= 4999u )
        return true;
    return code >= 1000u && code <= 1011u && 1004u != code && 1005u != code && 1006u != code;
}

// none, or the first problem found: invalid_close_payload_size (1 byte), invalid_close_code,
// invalid_close_reason (close_code_for maps it to 1007, the others to 1002).
[[nodiscard]] inline frame_error_t
check_close_payload( const std::uint8_t * data, std::size_t size ) noexcept
{
    if( 0u == size )
        return frame_error_t::none;
    if( 1u == size )
        return frame_error_t::invalid_close_payload_size;

    const auto code = static_cast< std::uint16_t >( ( data[ 0 ] << 8 ) | data[ 1 ] );
    if( !is_valid_close_code( code ) )
        return frame_error_t::invalid_close_code;

    if( !utils::is_valid_utf8( data + 2, size - 2u ) )
        return frame_error_t::invalid_close_reason;

    return frame_error_t::none;
}

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
