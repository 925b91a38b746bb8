// The server's side of the opening handshake (RFC 6455 4.2): is this request a WebSocket
// upgrade we can accept, and what goes into Sec-WebSocket-Accept.
//
// The check reads a request header and nothing else (no connection, no I/O), so it holds on its
// own whatever the HTTP layer let through. Each reason to refuse is its own enumerator mapped
// to one HTTP status: 400 for a malformed request, 426 with `Sec-WebSocket-Version: 13` for a
// version we don't speak (RFC 6455 4.4). RESTinio checks none of this and upgrades anything;
// we answer bad handshakes over HTTP instead.
#pragma once

#include <restinio/http_headers.hpp>
#include <restinio/string_view.hpp>
#include <restinio/utils/base64.hpp>
#include <restinio/utils/sha1.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace restinio
{

namespace websocket
{

namespace basic
{

namespace impl
{

// RFC 6455 1.3: the GUID appended to the client's key.
constexpr string_view_t websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// RFC 6455 4.4: the only version this server speaks; a 426 answer carries it in
// Sec-WebSocket-Version.
constexpr string_view_t supported_websocket_version = "13";

// RFC 7230 3.2.3: optional whitespace around a field value or a list element.
[[nodiscard]] constexpr string_view_t
trim_ows( string_view_t value ) noexcept
{
    while( !value.empty() && ( ' ' == value.front() || '\t' == value.front() ) )
        value.remove_prefix( 1u );
    while( !value.empty() && ( ' ' == value.back() || '\t' == value.back() ) )
        value.remove_suffix( 1u );
    return value;
}

// RFC 6455 4.2.2 step 5.4: base64( SHA-1( key + GUID ) ), the digest as 20 raw bytes.
// Surrounding whitespace is not part of a field value (RFC 7230 3.2.4), so it is trimmed.
// Tested with the RFC's own pair: dGhlIHNhbXBsZSBub25jZQ== -> s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
[[nodiscard]] inline std::string
make_sec_websocket_accept( string_view_t sec_websocket_key )
{
    const string_view_t key = trim_ows( sec_websocket_key );
    utils::sha1::impl::digest_builder_t sha1;
    sha1.update( reinterpret_cast< const std::uint8_t * >( key.data() ), key.size() );
    sha1.update( reinterpret_cast< const std::uint8_t * >( websocket_guid.data() ), websocket_guid.size() );
    const utils::sha1::digest_t digest = sha1.finish();

    char digest_bytes[ 20 ];
    for( std::size_t i = 0; i != 20u; ++i )
        digest_bytes[ i ] = static_cast< char >(
                static_cast< std::uint8_t >( digest[ i / 4u ] >> ( 24u - 8u * ( i % 4u ) ) ) );
    return utils::base64::encode( string_view_t{ digest_bytes, sizeof( digest_bytes ) } );
}

// The whole 101 response of an accepted handshake with these field values: the bytes the
// header builder makes of them (fields in its order), without building a field list first.
[[nodiscard]] inline std::string
make_upgrade_response_head(
    string_view_t sec_websocket_accept,
    std::optional< string_view_t > sec_websocket_protocol = std::nullopt )
{
    constexpr string_view_t status_and_connection =
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
    constexpr string_view_t protocol_name = "\r\nSec-WebSocket-Protocol: ";
    constexpr string_view_t upgrade_and_end = "\r\nUpgrade: websocket\r\n\r\n";

    std::string head;
    head.reserve( status_and_connection.size() + sec_websocket_accept.size() + upgrade_and_end.size() +
            ( sec_websocket_protocol ? protocol_name.size() + sec_websocket_protocol->size() : 0u ) );
    head.append( status_and_connection.data(), status_and_connection.size() );
    head.append( sec_websocket_accept.data(), sec_websocket_accept.size() );
    if( sec_websocket_protocol )
    {
        head.append( protocol_name.data(), protocol_name.size() );
        head.append( sec_websocket_protocol->data(), sec_websocket_protocol->size() );
    }
    head.append( upgrade_and_end.data(), upgrade_and_end.size() );
    return head;
}

// Why an upgrade request can't be accepted; each value maps to one HTTP status.
enum class upgrade_refusal_t : std::uint8_t
{
    none,                       // acceptable: answer 101
    not_get,                    // 4.2.1 item 1: "An HTTP/1.1 or higher GET request"
    not_http11_or_higher,       // 4.2.1 item 1
    missing_or_repeated_host,   // 4.2.1 item 2, and RFC 7230 5.4: exactly one Host field
    upgrade_not_websocket,      // 4.2.1 item 3: Upgrade must list "websocket"
    connection_not_upgrade,     // 4.2.1 item 4: Connection must list "Upgrade"
    missing_or_bad_key,         // 4.2.1 item 5: base64 of 16 bytes
    repeated_key,               // 11.3.1: Sec-WebSocket-Key at most once in a request
    repeated_version,           // 11.3.5: Sec-WebSocket-Version at most once in a request
    unsupported_version         // 4.2.1 item 6 and 4.4: Sec-WebSocket-Version must be 13
};

namespace handshake_details
{

// A comma-separated list (RFC 7230 7) has `token` as one of its elements; tokens compare
// without regard to case (RFC 6455 4.2.1 items 3 and 4).
[[nodiscard]] constexpr bool
lists_token( string_view_t list, string_view_t token ) noexcept
{
    while( !list.empty() )
    {
        const std::size_t comma = list.find( ',' );
        if( restinio::impl::equal_ignoring_ascii_case( trim_ows( list.substr( 0u, comma ) ), token ) )
            return true;
        if( string_view_t::npos == comma )
            break;
        list.remove_prefix( comma + 1u );
    }
    return false;
}

// A list-valued field may come in several lines, which mean the same as one line with the
// values joined by commas (RFC 7230 3.2.2).
template< typename Field >
[[nodiscard]] bool
any_field_lists_token( const http_request_header_t & h, Field field, string_view_t token ) noexcept
{
    bool found = false;
    h.for_each_value_of( field, [ & ]( string_view_t value ) noexcept {
        found = lists_token( value, token );
        return found ? http_header_fields_t::stop_enumeration() : http_header_fields_t::continue_enumeration();
    } );
    return found;
}

[[nodiscard]] inline std::size_t
count_of( const http_request_header_t & h, http_field_t field ) noexcept
{
    std::size_t count = 0;
    h.for_each_value_of( field, [ & ]( string_view_t ) noexcept {
        ++count;
        return http_header_fields_t::continue_enumeration();
    } );
    return count;
}

// RFC 6455 4.2.1 item 5: the key "when decoded, is 16 bytes in length": 22 base64 digits and
// "==", which is 24 characters.
[[nodiscard]] inline bool
is_valid_key( string_view_t key ) noexcept
{
    constexpr std::size_t encoded_16_bytes_size = 24u;
    key = trim_ows( key );
    return encoded_16_bytes_size == key.size() &&
            '=' == key[ 22 ] && '=' == key[ 23 ] &&
            utils::base64::is_valid_base64_string( key );
}

} /* namespace handshake_details */

// Checks, in this order: method, HTTP version, Host, Upgrade, Connection, Sec-WebSocket-Key,
// a repeated Sec-WebSocket-Version, and last the version's value, so that 426 (which tells the
// client to retry with version 13) is only answered to a request that would be accepted with
// it. A missing version gets 426 like a wrong one. Every rule holds on its own, whatever the
// HTTP layer has checked before. A body is no reason to refuse: RFC 6455 says nothing of one,
// and HTTP's framing says where it ends and the frames begin (RFC 7230 6.7: the protocol
// switches after the whole request), which is where the parser stops.
[[nodiscard]] inline upgrade_refusal_t
check_upgrade_request( const http_request_header_t & h ) noexcept
{
    using namespace handshake_details;

    if( http_method_get() != h.method() )
        return upgrade_refusal_t::not_get;
    if( h.http_major() < 1 || ( 1 == h.http_major() && h.http_minor() < 1 ) )
        return upgrade_refusal_t::not_http11_or_higher;

    const auto host = h.opt_value_of( http_field_t::host );
    if( !host || trim_ows( *host ).empty() || 1u != count_of( h, http_field_t::host ) )
        return upgrade_refusal_t::missing_or_repeated_host;

    if( !any_field_lists_token( h, http_field_t::upgrade, "websocket" ) )
        return upgrade_refusal_t::upgrade_not_websocket;
    if( !any_field_lists_token( h, string_view_t{ "Connection" }, "upgrade" ) )
        return upgrade_refusal_t::connection_not_upgrade;

    const auto key = h.opt_value_of( http_field_t::sec_websocket_key );
    if( !key || !is_valid_key( *key ) )
        return upgrade_refusal_t::missing_or_bad_key;
    if( 1u != count_of( h, http_field_t::sec_websocket_key ) )
        return upgrade_refusal_t::repeated_key;

    if( count_of( h, http_field_t::sec_websocket_version ) > 1u )
        return upgrade_refusal_t::repeated_version;

    const auto version = h.opt_value_of( http_field_t::sec_websocket_version );
    if( !version || supported_websocket_version != trim_ows( *version ) )
        return upgrade_refusal_t::unsupported_version;

    return upgrade_refusal_t::none;
}

// The HTTP status to answer with: 101 for none, 400 for a malformed request, 426 (Upgrade
// Required, with `Sec-WebSocket-Version: 13` in the response) for an unsupported version.
[[nodiscard]] constexpr std::uint16_t
http_status_for( upgrade_refusal_t refusal ) noexcept
{
    switch( refusal )
    {
    case upgrade_refusal_t::none:
        return 101u;
    case upgrade_refusal_t::not_get:
    case upgrade_refusal_t::not_http11_or_higher:
    case upgrade_refusal_t::missing_or_repeated_host:
    case upgrade_refusal_t::upgrade_not_websocket:
    case upgrade_refusal_t::connection_not_upgrade:
    case upgrade_refusal_t::missing_or_bad_key:
    case upgrade_refusal_t::repeated_key:
    case upgrade_refusal_t::repeated_version:
        return 400u;
    case upgrade_refusal_t::unsupported_version:
        return 426u;
    }
    return 400u;    // unreachable for a valid enumerator
}

// A short explanation, for logs and for the body of the refusal.
[[nodiscard]] constexpr const char *
upgrade_refusal_reason( upgrade_refusal_t refusal ) noexcept
{
    switch( refusal )
    {
    case upgrade_refusal_t::none:
        return "acceptable WebSocket upgrade request";
    case upgrade_refusal_t::not_get:
        return "a WebSocket upgrade must be a GET request (RFC 6455 4.2.1)";
    case upgrade_refusal_t::not_http11_or_higher:
        return "a WebSocket upgrade must be an HTTP/1.1 or higher request (RFC 6455 4.2.1)";
    case upgrade_refusal_t::missing_or_repeated_host:
        return "a WebSocket upgrade needs exactly one non-empty Host field (RFC 6455 4.2.1)";
    case upgrade_refusal_t::upgrade_not_websocket:
        return "the Upgrade field does not list websocket (RFC 6455 4.2.1)";
    case upgrade_refusal_t::connection_not_upgrade:
        return "the Connection field does not list Upgrade (RFC 6455 4.2.1)";
    case upgrade_refusal_t::missing_or_bad_key:
        return "Sec-WebSocket-Key is missing or is not base64 of 16 bytes (RFC 6455 4.2.1)";
    case upgrade_refusal_t::repeated_key:
        return "Sec-WebSocket-Key appears more than once (RFC 6455 11.3.1)";
    case upgrade_refusal_t::repeated_version:
        return "Sec-WebSocket-Version appears more than once (RFC 6455 11.3.5)";
    case upgrade_refusal_t::unsupported_version:
        return "unsupported Sec-WebSocket-Version: this server speaks version 13 (RFC 6455 4.4)";
    }
    return "unknown upgrade_refusal_t value";
}

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
