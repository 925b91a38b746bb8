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

namespace
{

// A request header as the parser leaves it: `fields` holds "Name: value" lines ending in '\n';
// a Content-Length line also sets the typed length.
restinio::http_request_header_t
request( restinio::http_method_id_t method, std::uint16_t major, std::uint16_t minor, const std::string & fields )
{
    restinio::http_request_header_t h{ method, "/chat" };
    h.http_major( major );
    h.http_minor( minor );
    std::size_t begin = 0;
    while( begin < fields.size() )
    {
        const std::size_t end = fields.find( '\n', begin );
        const std::string line = fields.substr( begin, end - begin );
        const std::size_t colon = line.find( ':' );
        const std::string name = line.substr( 0, colon );
        const std::string value = line.substr( colon + 2 );
        if( restinio::impl::equal_ignoring_ascii_case( name, "Content-Length" ) )
            h.content_length( std::stoull( value ) );
        h.add_field( name, value );
        begin = end + 1;
    }
    return h;
}

} // namespace

TEST_CASE( "upgrade requests: every rule of RFC 6455 4.2.1 and 11.3, and its HTTP status",
        "[websocket][handshake]" )
{
    struct row_t
    {
        const char * name;
        restinio::http_method_id_t method;
        std::uint16_t major;
        std::uint16_t minor;
        std::string fields;
        upgrade_refusal_t expected;
        std::uint16_t status;
    };

    const auto get = restinio::http_method_get();
    const std::string host = "Host: server.example.com\n";
    const std::string upgrade = "Upgrade: websocket\n";
    const std::string connection = "Connection: Upgrade\n";
    const std::string key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n";
    const std::string version = "Sec-WebSocket-Version: 13\n";
    const std::string all = host + upgrade + connection + key + version;

    const auto ok = upgrade_refusal_t::none;
    const auto not_get = upgrade_refusal_t::not_get;
    const auto old_http = upgrade_refusal_t::not_http11_or_higher;
    const auto bad_host = upgrade_refusal_t::missing_or_repeated_host;
    const auto not_ws = upgrade_refusal_t::upgrade_not_websocket;
    const auto not_upgrade = upgrade_refusal_t::connection_not_upgrade;
    const auto bad_key = upgrade_refusal_t::missing_or_bad_key;
    const auto two_keys = upgrade_refusal_t::repeated_key;
    const auto two_versions = upgrade_refusal_t::repeated_version;
    const auto bad_version = upgrade_refusal_t::unsupported_version;

    const row_t rows[] = {
        // Accepted.
        { "RFC 6455 1.2 example", get, 1, 1, host + upgrade + connection + key +
            "Origin: http://example.com\nSec-WebSocket-Protocol: chat, superchat\n" + version, ok, 101 },
        { "fields in another order", get, 1, 1, version + key + connection + upgrade + host, ok, 101 },
        { "HTTP/1.2 is 'or higher'", get, 1, 2, all, ok, 101 },
        { "HTTP/2.0 is 'or higher'", get, 2, 0, all, ok, 101 },
        { "Upgrade token is case-insensitive", get, 1, 1,
            host + "Upgrade: WebSocket\n" + connection + key + version, ok, 101 },
        { "Upgrade as a list", get, 1, 1, host + "Upgrade: h2c, websocket\n" + connection + key + version, ok, 101 },
        { "Upgrade list with odd spacing", get, 1, 1,
            host + "Upgrade:  foo/2 ,\tWEBSOCKET , \n" + connection + key + version, ok, 101 },
        { "Upgrade in two lines (RFC 7230 3.2.2)", get, 1, 1,
            host + "Upgrade: h2c\nUpgrade: websocket\n" + connection + key + version, ok, 101 },
        { "Connection token is case-insensitive", get, 1, 1, host + upgrade + "Connection: uPGRADE\n" + key + version, ok, 101 },
        { "Connection as a list", get, 1, 1, host + upgrade + "Connection: keep-alive, Upgrade\n" + key + version, ok, 101 },
        { "Connection in two lines", get, 1, 1,
            host + upgrade + "Connection: keep-alive\nConnection: Upgrade\n" + key + version, ok, 101 },
        { "whitespace around key and version", get, 1, 1, host + upgrade + connection +
            "Sec-WebSocket-Key:  dGhlIHNhbXBsZSBub25jZQ== \nSec-WebSocket-Version:  13 \n", ok, 101 },
        { "Sec-WebSocket-Protocol may repeat (11.3.4)", get, 1, 1,
            all + "Sec-WebSocket-Protocol: chat\nSec-WebSocket-Protocol: superchat\n", ok, 101 },
        { "Sec-WebSocket-Extensions may repeat (11.3.2)", get, 1, 1,
            all + "Sec-WebSocket-Extensions: foo\nSec-WebSocket-Extensions: bar; baz=2\n", ok, 101 },
        { "Content-Length: 0", get, 1, 1, all + "Content-Length: 0\n", ok, 101 },
        { "a body: HTTP's framing says where the frames begin", get, 1, 1, all + "Content-Length: 5\n", ok, 101 },
        { "a chunked body", get, 1, 1, all + "Transfer-Encoding: chunked\n", ok, 101 },

        // Item 1: an HTTP/1.1 or higher GET.
        { "POST", restinio::http_method_post(), 1, 1, all, not_get, 400 },
        { "HEAD", restinio::http_method_head(), 1, 1, all, not_get, 400 },
        { "CONNECT", restinio::http_method_connect(), 1, 1, all, not_get, 400 },
        { "HTTP/1.0", get, 1, 0, all, old_http, 400 },
        { "HTTP/0.9", get, 0, 9, all, old_http, 400 },
        // Item 2: Host.
        { "no Host", get, 1, 1, upgrade + connection + key + version, bad_host, 400 },
        { "empty Host", get, 1, 1, "Host: \n" + upgrade + connection + key + version, bad_host, 400 },
        { "two Host fields, same value", get, 1, 1, host + all, bad_host, 400 },
        { "two Host fields, other values", get, 1, 1, "Host: a.example\n" + all, bad_host, 400 },
        // Item 3: Upgrade lists websocket.
        { "no Upgrade", get, 1, 1, host + connection + key + version, not_ws, 400 },
        { "Upgrade: h2c", get, 1, 1, host + "Upgrade: h2c\n" + connection + key + version, not_ws, 400 },
        { "Upgrade: websockets", get, 1, 1, host + "Upgrade: websockets\n" + connection + key + version, not_ws, 400 },
        { "Upgrade: websocket/13 is another token", get, 1, 1,
            host + "Upgrade: websocket/13\n" + connection + key + version, not_ws, 400 },
        { "empty Upgrade", get, 1, 1, host + "Upgrade: \n" + connection + key + version, not_ws, 400 },
        // Item 4: Connection lists Upgrade.
        { "no Connection", get, 1, 1, host + upgrade + key + version, not_upgrade, 400 },
        { "Connection: keep-alive", get, 1, 1, host + upgrade + "Connection: keep-alive\n" + key + version, not_upgrade, 400 },
        { "Connection: Upgradex is another token", get, 1, 1,
            host + upgrade + "Connection: Upgradex\n" + key + version, not_upgrade, 400 },
        { "Connection: websocket", get, 1, 1, host + upgrade + "Connection: websocket\n" + key + version, not_upgrade, 400 },
        // Item 5 and 11.3.1: one key, base64 of 16 bytes.
        { "no key", get, 1, 1, host + upgrade + connection + version, bad_key, 400 },
        { "empty key", get, 1, 1, host + upgrade + connection + "Sec-WebSocket-Key: \n" + version, bad_key, 400 },
        { "key of 15 bytes", get, 1, 1,
            host + upgrade + connection + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\n" + version, bad_key, 400 },
        { "key of 17 bytes", get, 1, 1,
            host + upgrade + connection + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=\n" + version, bad_key, 400 },
        { "key not base64", get, 1, 1,
            host + upgrade + connection + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!=\n" + version, bad_key, 400 },
        { "key with one '=' too many", get, 1, 1,
            host + upgrade + connection + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZ===\n" + version, bad_key, 400 },
        { "two keys in one line", get, 1, 1, host + upgrade + connection +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==, AAAAAAAAAAAAAAAAAAAAAA==\n" + version, bad_key, 400 },
        { "key twice, same value", get, 1, 1, all + key, two_keys, 400 },
        { "key twice, other values", get, 1, 1, all + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\n", two_keys, 400 },
        { "a bad second key", get, 1, 1, all + "Sec-WebSocket-Key: x\n", two_keys, 400 },
        // Item 6, 11.3.5 and 4.4: one version, 13.
        { "version twice, both 13", get, 1, 1, all + version, two_versions, 400 },
        { "version 13 and 8", get, 1, 1, all + "Sec-WebSocket-Version: 8\n", two_versions, 400 },
        { "no version", get, 1, 1, host + upgrade + connection + key, bad_version, 426 },
        { "version 8", get, 1, 1, host + upgrade + connection + key + "Sec-WebSocket-Version: 8\n", bad_version, 426 },
        { "version 1 (RESTinio's tests send it)", get, 1, 1,
            host + upgrade + connection + key + "Sec-WebSocket-Version: 1\n", bad_version, 426 },
        { "version 013", get, 1, 1, host + upgrade + connection + key + "Sec-WebSocket-Version: 013\n", bad_version, 426 },
        { "version list in one line", get, 1, 1,
            host + upgrade + connection + key + "Sec-WebSocket-Version: 13, 8\n", bad_version, 426 },
        // Order: the first rule broken decides; 426 only for a request 13 would make acceptable.
        { "method is checked first", restinio::http_method_put(), 1, 0, "", not_get, 400 },
        { "key before version", get, 1, 1, host + upgrade + connection + "Sec-WebSocket-Version: 7\n", bad_key, 400 },
        { "a repeated version before the version's value", get, 1, 1,
            host + upgrade + connection + key + "Sec-WebSocket-Version: 8\n" + version, two_versions, 400 },
    };

    for( const auto & row : rows )
    {
        INFO( row.name );
        const upgrade_refusal_t refusal = rwi::check_upgrade_request(
                request( row.method, row.major, row.minor, row.fields ) );
        CHECK( refusal == row.expected );
        CHECK( rwi::http_status_for( refusal ) == row.status );
        CHECK( std::string{ rwi::upgrade_refusal_reason( refusal ) }.size() > 10 );
    }
    CHECK( rwi::supported_websocket_version == "13" );
}
