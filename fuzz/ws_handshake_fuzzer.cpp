// libFuzzer target for the server's side of the WebSocket opening handshake
// (websocket/impl/handshake.hpp), fed the way the server feeds it: the input is HTTP request
// bytes, parsed by impl::request_parser_t, and every request that comes out is checked with
// the field values the server looks up.
//
// For each request:
//   - check_upgrade_request() must agree with a reference written from RFC 6455 4.2.1 and
//     11.3 alone (reading every field line itself), refusal for refusal (the order included);
//   - the refusal maps to 101, 400 or 426, 101 for an acceptable request only, and has a reason;
//   - for an acceptable request, Sec-WebSocket-Accept is 28 base64 characters, equal to
//     base64( SHA-1( trimmed key + GUID ) ) computed with the slow reference SHA-1 of the unit
//     tests, and the 101 head (with the request's Sec-WebSocket-Protocol echoed, as an
//     application may) is exactly what the header builder makes of the same fields.
#include <restinio/impl/header_helpers.hpp>
#include <restinio/impl/request_parser.hpp>
#include <restinio/websocket/impl/handshake.hpp>

#include "fuzz_support.hpp"
#include "sha1_reference.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace
{

namespace rwi = restinio::websocket::basic::impl;
using rwi::upgrade_refusal_t;

std::string_view
trimmed( std::string_view v )
{
    const auto first = v.find_first_not_of( " \t" );
    if( first == std::string_view::npos )
        return {};
    return v.substr( first, v.find_last_not_of( " \t" ) - first + 1 );
}

std::string
lower( std::string_view v )
{
    std::string s{ v };
    for( auto & c : s )
        if( 'A' <= c && c <= 'Z' )
            c = static_cast< char >( c - 'A' + 'a' );
    return s;
}

bool
is_base64_digit( char c )
{
    return ( 'A' <= c && c <= 'Z' ) || ( 'a' <= c && c <= 'z' ) || ( '0' <= c && c <= '9' ) ||
            '+' == c || '/' == c;
}

// Every value of the fields named `name` (several lines of one field, in order).
std::vector< std::string_view >
values_of( const restinio::http_request_header_t & h, std::string_view name )
{
    std::vector< std::string_view > values;
    h.for_each_field( [ & ]( const auto & field ) {
        if( lower( field.name() ) == lower( name ) )
            values.push_back( field.value() );
    } );
    return values;
}

// Whether one of the comma-separated elements of one of `values` is `token`, ignoring case.
bool
lists( const std::vector< std::string_view > & values, std::string_view token )
{
    for( const std::string_view list : values )
    {
        for( std::size_t start = 0; start <= list.size(); )
        {
            const std::size_t comma = std::min( list.find( ',', start ), list.size() );
            if( lower( trimmed( list.substr( start, comma - start ) ) ) == token )
                return true;
            start = comma + 1;
        }
    }
    return false;
}

// RFC 6455 4.2.1 (items 1 to 6) and 11.3.1/11.3.5 (the key and the version at most once), in
// the order the server checks them: 426 only for a request that version 13 would make good.
upgrade_refusal_t
reference_refusal( const restinio::http_request_header_t & h )
{
    if( std::string_view{ h.method().c_str() } != "GET" )
        return upgrade_refusal_t::not_get;
    if( h.http_major() < 1 || ( 1 == h.http_major() && h.http_minor() < 1 ) )
        return upgrade_refusal_t::not_http11_or_higher;

    const auto hosts = values_of( h, "Host" );
    if( 1 != hosts.size() || trimmed( hosts.front() ).empty() )
        return upgrade_refusal_t::missing_or_repeated_host;
    if( !lists( values_of( h, "Upgrade" ), "websocket" ) )
        return upgrade_refusal_t::upgrade_not_websocket;
    if( !lists( values_of( h, "Connection" ), "upgrade" ) )
        return upgrade_refusal_t::connection_not_upgrade;

    // 16 bytes in base64: 22 digits, then the padding "==".
    const auto keys = values_of( h, "Sec-WebSocket-Key" );
    const std::string_view k = keys.empty() ? std::string_view{} : trimmed( keys.front() );
    bool key_ok = 24 == k.size() && "==" == k.substr( 22 );
    for( std::size_t i = 0; key_ok && i != 22; ++i )
        key_ok = is_base64_digit( k[ i ] );
    if( !key_ok )
        return upgrade_refusal_t::missing_or_bad_key;
    if( 1 != keys.size() )
        return upgrade_refusal_t::repeated_key;

    const auto versions = values_of( h, "Sec-WebSocket-Version" );
    if( versions.size() > 1 )
        return upgrade_refusal_t::repeated_version;
    if( versions.empty() || trimmed( versions.front() ) != "13" )
        return upgrade_refusal_t::unsupported_version;
    return upgrade_refusal_t::none;
}

std::string
reference_accept( std::string_view key )
{
    const std::string text = std::string{ trimmed( key ) } + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    const auto words = sha1_reference::digest(
            reinterpret_cast< const std::uint8_t * >( text.data() ), text.size() );
    std::string bytes;
    for( const std::uint32_t w : words )
        for( int shift = 24; shift >= 0; shift -= 8 )
            bytes += static_cast< char >( ( w >> shift ) & 0xFFu );
    return restinio::utils::base64::encode( bytes );
}

std::string
head_from_header_builder( const std::string & accept, std::optional< std::string_view > protocol )
{
    using restinio::http_field_t;
    restinio::http_response_header_t header{ restinio::status_switching_protocols() };
    header.connection( restinio::http_connection_header_t::upgrade );
    header.set_field( http_field_t::sec_websocket_accept, accept );
    if( protocol )
        header.set_field( http_field_t::sec_websocket_protocol, std::string{ *protocol } );
    header.add_field( http_field_t::upgrade, "websocket" );
    return restinio::impl::create_header_string(
            header, restinio::impl::content_length_field_presence_t::skip_content_length );
}

void
check_request( const restinio::http_request_header_t & h )
{
    using restinio::http_field_t;
    const auto key = h.opt_value_of( http_field_t::sec_websocket_key );
    const auto refusal = rwi::check_upgrade_request( h );
    FUZZ_REQUIRE( refusal == reference_refusal( h ) );

    const auto status = rwi::http_status_for( refusal );
    FUZZ_REQUIRE( ( 101 == status ) == ( upgrade_refusal_t::none == refusal ) );
    FUZZ_REQUIRE( ( 426 == status ) == ( upgrade_refusal_t::unsupported_version == refusal ) );
    FUZZ_REQUIRE( 101 == status || 400 == status || 426 == status );
    FUZZ_REQUIRE( '\0' != *rwi::upgrade_refusal_reason( refusal ) );
    if( upgrade_refusal_t::none != refusal )
        return;

    const std::string accept = rwi::make_sec_websocket_accept( *key );
    FUZZ_REQUIRE( 28 == accept.size() && restinio::utils::base64::is_valid_base64_string( accept ) );
    FUZZ_REQUIRE( accept == reference_accept( *key ) );

    std::optional< std::string_view > protocol;
    if( const auto p = h.opt_value_of( http_field_t::sec_websocket_protocol ) )
        protocol = trimmed( *p );
    const std::string head = rwi::make_upgrade_response_head( accept, protocol );
    FUZZ_REQUIRE( head == head_from_header_builder( accept, protocol ) );
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    using restinio::impl::request_parse_status_t;
    restinio::impl::request_parser_t parser{ restinio::incoming_http_msg_limits_t{} };
    const char * wire = reinterpret_cast< const char * >( data );
    for( std::size_t at = 0; at < size; )
    {
        const auto r = parser.parse( wire + at, size - at );
        if( request_parse_status_t::request_ready != r.status )
            break;
        at += r.consumed;
        const auto request = parser.take_request();
        check_request( request.m_header );
        if( restinio::http_connection_header_t::upgrade == request.m_header.connection() )
            break;
    }
    return 0;
}
