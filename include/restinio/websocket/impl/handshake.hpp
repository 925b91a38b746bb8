// The server's side of the opening handshake (RFC 6455 4.2): is this request a WebSocket
// upgrade we can accept, and what goes into Sec-WebSocket-Accept.
//
// The check takes plain values (method, HTTP version, three optional field values) so it does
// not depend on the HTTP request classes; the caller looks the fields up. Each reason to refuse
// is its own enumerator mapped to one HTTP status: 400 for a malformed request, 426 with
// `Sec-WebSocket-Version: 13` for a version we don't speak (RFC 6455 4.4). RESTinio checks none
// of this and upgrades anything; we answer bad handshakes over HTTP instead.
#pragma once

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
    not_get_or_not_http11,      // 4.2.1 item 1: "An HTTP/1.1 or higher GET request"
    upgrade_not_websocket,      // 4.2.1 item 3: Upgrade must list "websocket"
    missing_or_bad_key,         // 4.2.1 item 5: base64 of 16 bytes
    unsupported_version         // 4.2.1 item 6 and 4.4: Sec-WebSocket-Version must be 13
};

namespace handshake_details
{

[[nodiscard]] constexpr bool
equals_ignoring_ascii_case( string_view_t a, string_view_t b ) noexcept
{
    if( a.size() != b.size() )
        return false;
    for( std::size_t i = 0; i != a.size(); ++i )
    {
        const auto lower = []( char c ) constexpr noexcept {
            return 'A' <= c && c <= 'Z' ? static_cast< char >( c - 'A' + 'a' ) : c;
        };
        if( lower( a[ i ] ) != lower( b[ i ] ) )
            return false;
    }
    return true;
}

// Upgrade is a comma-separated list of protocols (RFC 7230 6.7); token names compare without
// regard to case.
[[nodiscard]] constexpr bool
lists_websocket( string_view_t upgrade_field ) noexcept
{
    while( !upgrade_field.empty() )
    {
        const std::size_t comma = upgrade_field.find( ',' );
        const string_view_t element = trim_ows( upgrade_field.substr( 0u, comma ) );
        if( equals_ignoring_ascii_case( element, "websocket" ) )
            return true;
        if( string_view_t::npos == comma )
            break;
        upgrade_field.remove_prefix( comma + 1u );
    }
    return false;
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

// Checks, in this order: method and HTTP version, Upgrade, Sec-WebSocket-Key,
// Sec-WebSocket-Version. An absent field is std::nullopt. A missing version gets 426 like a
// wrong one, since the answer tells the client which version to use. The Connection field's
// "Upgrade" token is the HTTP layer's to check: it is what marks the request as an upgrade.
[[nodiscard]] inline upgrade_refusal_t
check_upgrade_request(
    string_view_t method,
    int http_major,
    int http_minor,
    std::optional< string_view_t > upgrade_field,
    std::optional< string_view_t > sec_websocket_key,
    std::optional< string_view_t > sec_websocket_version ) noexcept
{
    // Methods are case-sensitive (RFC 7231 4.1).
    const bool http_1_1_or_higher = http_major > 1 || ( 1 == http_major && http_minor >= 1 );
    if( "GET" != method || !http_1_1_or_higher )
        return upgrade_refusal_t::not_get_or_not_http11;

    if( !upgrade_field || !handshake_details::lists_websocket( *upgrade_field ) )
        return upgrade_refusal_t::upgrade_not_websocket;

    if( !sec_websocket_key || !handshake_details::is_valid_key( *sec_websocket_key ) )
        return upgrade_refusal_t::missing_or_bad_key;

    if( !sec_websocket_version ||
            supported_websocket_version != trim_ows( *sec_websocket_version ) )
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
    case upgrade_refusal_t::not_get_or_not_http11:
    case upgrade_refusal_t::upgrade_not_websocket:
    case upgrade_refusal_t::missing_or_bad_key:
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
    case upgrade_refusal_t::not_get_or_not_http11:
        return "a WebSocket upgrade must be an HTTP/1.1 GET request (RFC 6455 4.2.1)";
    case upgrade_refusal_t::upgrade_not_websocket:
        return "the Upgrade field does not list websocket (RFC 6455 4.2.1)";
    case upgrade_refusal_t::missing_or_bad_key:
        return "Sec-WebSocket-Key is missing or is not base64 of 16 bytes (RFC 6455 4.2.1)";
    case upgrade_refusal_t::unsupported_version:
        return "unsupported Sec-WebSocket-Version: this server speaks version 13 (RFC 6455 4.4)";
    }
    return "unknown upgrade_refusal_t value";
}

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
