// Checks the payload of a close frame a client sent (RFC 6455 5.5.1 and 7.4).
//
// The body is empty, or a 2-byte big-endian status code followed by a UTF-8 reason. Only some
// codes may appear on the wire: those 7.4.1 defines and IANA's registry adds (1012 service
// restart, 1013 try again later, 1014 bad gateway), except 1004 (reserved) and 1005, 1006 and
// 1015 (for local use only); 3000-4999 belong to libraries and applications. Unassigned codes
// (below 1000, 1016-2999, 5000 and up) are refused. Unlike RESTinio, 1012-1014 are accepted and
// a 1-byte body is a protocol error, as 5.5.1 requires. Pure computation, noexcept.
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

// True for the codes that may be sent in a close frame, by a peer or by us: 1000-1014 except
// 1004, 1005 and 1006, and 3000-4999.
[[nodiscard]] constexpr bool
is_valid_close_code( std::uint16_t code ) noexcept
{
    if( code >= 3000u && code <= 4999u )
        return true;
    return code >= 1000u && code <= 1014u && 1004u != code && 1005u != code && 1006u != code;
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
