// Tests of the opening handshake: Sec-WebSocket-Accept from the RFC's example, and each way an
// upgrade request can be refused with its exact HTTP status.
#include <restinio/websocket/impl/handshake.hpp>

#include <restinio/impl/header_helpers.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>

namespace rwi = restinio::websocket::basic::impl;
using rwi::upgrade_refusal_t;
using std::nullopt;

TEST_CASE( "RFC 6455 4.2.2: Sec-WebSocket-Accept", "[websocket][handshake]" )
{
    CHECK( rwi::make_sec_websocket_accept( "dGhlIHNhbXBsZSBub25jZQ==" ) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" );
    // Surrounding whitespace is not part of the field value.
    CHECK( rwi::make_sec_websocket_accept( " \tdGhlIHNhbXBsZSBub25jZQ== " ) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" );
    // RFC 6455 1.2's client example.
    CHECK( rwi::make_sec_websocket_accept( "x3JJHMbDL1EzLkh9GBhXDw==" ) == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=" );
}

TEST_CASE( "the 101 response: the bytes the header builder makes of the same fields",
        "[websocket][handshake]" )
{
    const auto built = []( std::optional< std::string > protocol ) {
        restinio::http_response_header_t header{ restinio::status_switching_protocols() };
        header.connection( restinio::http_connection_header_t::upgrade );
        header.set_field( restinio::http_field_t::sec_websocket_accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" );
        if( protocol )
            header.set_field( restinio::http_field_t::sec_websocket_protocol, *protocol );
        header.add_field( restinio::http_field_t::upgrade, "websocket" );
        return restinio::impl::create_header_string(
                header, restinio::impl::content_length_field_presence_t::skip_content_length );
    };
    CHECK( rwi::make_upgrade_response_head( "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ) == built( nullopt ) );
    CHECK( rwi::make_upgrade_response_head( "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", restinio::string_view_t{ "chat" } )
            == built( std::string{ "chat" } ) );
    CHECK( rwi::make_upgrade_response_head( "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ) ==
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nUpgrade: websocket\r\n\r\n" );
}

TEST_CASE( "upgrade requests: each refusal and its HTTP status", "[websocket][handshake]" )
{
    struct row_t
    {
        const char * name;
        const char * method;
        int major;
        int minor;
        std::optional< restinio::string_view_t > upgrade;
        std::optional< restinio::string_view_t > key;
        std::optional< restinio::string_view_t > version;
        upgrade_refusal_t expected;
        std::uint16_t status;
    };

    const char * key = "dGhlIHNhbXBsZSBub25jZQ==";
    const auto ok = upgrade_refusal_t::none;
    const auto bad_request = upgrade_refusal_t::not_get_or_not_http11;
    const auto not_ws = upgrade_refusal_t::upgrade_not_websocket;
    const auto bad_key = upgrade_refusal_t::missing_or_bad_key;
    const auto bad_version = upgrade_refusal_t::unsupported_version;

    const row_t rows[] = {
        { "RFC 6455 1.2 example", "GET", 1, 1, "websocket", key, "13", ok, 101 },
        { "HTTP/2.0 is 'or higher'", "GET", 2, 0, "websocket", key, "13", ok, 101 },
        { "Upgrade token is case-insensitive", "GET", 1, 1, "WebSocket", key, "13", ok, 101 },
        { "Upgrade as a list", "GET", 1, 1, "h2c, websocket", key, "13", ok, 101 },
        { "Upgrade list with odd spacing", "GET", 1, 1, " foo/2 ,\tWEBSOCKET , ", key, "13", ok, 101 },
        { "whitespace around key and version", "GET", 1, 1, "websocket", " dGhlIHNhbXBsZSBub25jZQ== ", " 13 ", ok, 101 },
        { "POST", "POST", 1, 1, "websocket", key, "13", bad_request, 400 },
        { "lowercase method (methods are case-sensitive)", "get", 1, 1, "websocket", key, "13", bad_request, 400 },
        { "HTTP/1.0", "GET", 1, 0, "websocket", key, "13", bad_request, 400 },
        { "HTTP/0.9", "GET", 0, 9, "websocket", key, "13", bad_request, 400 },
        { "no Upgrade", "GET", 1, 1, nullopt, key, "13", not_ws, 400 },
        { "Upgrade: h2c", "GET", 1, 1, "h2c", key, "13", not_ws, 400 },
        { "Upgrade: websockets", "GET", 1, 1, "websockets", key, "13", not_ws, 400 },
        { "Upgrade: websocket/13 is another token", "GET", 1, 1, "websocket/13", key, "13", not_ws, 400 },
        { "empty Upgrade", "GET", 1, 1, "", key, "13", not_ws, 400 },
        { "no key", "GET", 1, 1, "websocket", nullopt, "13", bad_key, 400 },
        { "empty key", "GET", 1, 1, "websocket", "", "13", bad_key, 400 },
        { "key of 15 bytes", "GET", 1, 1, "websocket", "AAAAAAAAAAAAAAAAAAAA", "13", bad_key, 400 },
        { "key of 17 bytes", "GET", 1, 1, "websocket", "AAAAAAAAAAAAAAAAAAAAAAA=", "13", bad_key, 400 },
        { "key not base64", "GET", 1, 1, "websocket", "dGhlIHNhbXBsZSBub25jZQ!=", "13", bad_key, 400 },
        { "key with one '=' too many", "GET", 1, 1, "websocket", "dGhlIHNhbXBsZSBub25jZ===", "13", bad_key, 400 },
        { "no version", "GET", 1, 1, "websocket", key, nullopt, bad_version, 426 },
        { "version 8", "GET", 1, 1, "websocket", key, "8", bad_version, 426 },
        { "version 1 (RESTinio's tests send it)", "GET", 1, 1, "websocket", key, "1", bad_version, 426 },
        { "version list", "GET", 1, 1, "websocket", key, "13, 8", bad_version, 426 },
        { "method is checked first", "PUT", 1, 1, nullopt, nullopt, nullopt, bad_request, 400 },
        { "key before version", "GET", 1, 1, "websocket", nullopt, "7", bad_key, 400 },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const upgrade_refusal_t refusal = rwi::check_upgrade_request(
                row.method, row.major, row.minor, row.upgrade, row.key, row.version );
        CHECK( refusal == row.expected );
        CHECK( rwi::http_status_for( refusal ) == row.status );
        CHECK( std::string{ rwi::upgrade_refusal_reason( refusal ) }.size() > 10 );
    }
    CHECK( rwi::supported_websocket_version == "13" );
}
