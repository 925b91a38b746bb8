// impl::request_parser_t, the llhttp wrapper the HTTP connection feeds: whole requests, every
// split point, pipelined requests, chunked bodies, Expect: 100-continue, keep-alive rules,
// upgrade leftovers, and the exact status for every limit and every malformed input.
//
// A recorder turns what the parser produces into a log at request level (method, target,
// version, connection, fields, body, chunks, trailers), so the way the bytes are split cannot
// change the log; the same wire is then fed whole, byte by byte, in chunks of every size, and at
// random split points from a fixed seed, and must give the same log every time.
#include <restinio/impl/request_parser.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace
{

using restinio::impl::request_parse_status_t;
using restinio::impl::request_parser_t;
using restinio::incoming_http_msg_limits_t;
using restinio::http_connection_header_t;

[[nodiscard]] const char * connection_name( http_connection_header_t c )
{
    switch( c )
    {
    case http_connection_header_t::keep_alive: return "keep-alive";
    case http_connection_header_t::close:      return "close";
    case http_connection_header_t::upgrade:    return "upgrade";
    }
    return "?";
}

// One line per event. A request's line lists everything the handler could see of it.
[[nodiscard]] std::string describe( restinio::impl::parsed_request_t & r )
{
    std::ostringstream out;
    const auto & h = r.m_header;
    out << "request " << h.method().c_str() << ' ' << h.request_target()
        << " HTTP/" << h.http_major() << '.' << h.http_minor()
        << ' ' << connection_name( h.connection() )
        << " content-length=" << h.content_length() << " fields=[";
    h.for_each_field( [&]( const restinio::http_header_field_t & f ) {
        out << f.name() << ':' << f.value() << ';';
    } );
    out << "] body=[" << r.m_body << ']';
    if( const auto * info = r.m_chunked_input_info.get() )
    {
        out << " chunks=[";
        for( const auto & c : info->chunks() )
            out << c.started_at() << '+' << c.size() << ';';
        out << "] trailers=[";
        info->trailing_fields().for_each_field( [&]( const restinio::http_header_field_t & f ) {
            out << f.name() << ':' << f.value() << ';';
        } );
        out << ']';
    }
    out << '\n';
    return out.str();
}

// Feeds `wire` in the pieces `piece_sizes` gives (the last piece takes the rest) and logs what
// comes out. Stops at the first failure, and after an upgrade request, when it logs the bytes
// the parser left unconsumed.
[[nodiscard]] std::string event_log(
    const std::string & wire,
    const std::vector< std::size_t > & piece_sizes,
    const incoming_http_msg_limits_t & limits = incoming_http_msg_limits_t{} )
{
    request_parser_t parser{ limits };
    std::string log;
    std::size_t offset = 0;
    std::size_t piece_index = 0;
    while( offset < wire.size() )
    {
        std::size_t piece = wire.size() - offset;
        if( piece_index < piece_sizes.size() )
            piece = std::min( piece, std::max< std::size_t >( 1, piece_sizes[ piece_index++ ] ) );

        // One piece may hold the end of one request and the start of the next.
        std::size_t at = offset;
        const std::size_t piece_end = offset + piece;
        while( at < piece_end )
        {
            const auto result = parser.parse( wire.data() + at, piece_end - at );
            REQUIRE( result.consumed <= piece_end - at );
            at += result.consumed;
            if( parser.take_continue_request() )
                log += "100-continue\n";
            if( request_parse_status_t::failed == result.status )
            {
                REQUIRE( 0 == result.consumed );
                return log + "error " + std::to_string( parser.error_status() ) + '\n';
            }
            if( request_parse_status_t::request_ready == result.status )
            {
                auto request = parser.take_request();
                log += describe( request );
                if( http_connection_header_t::upgrade == request.m_header.connection() )
                    return log + "left [" + wire.substr( at ) + "]\n";
            }
            else
                REQUIRE( at == piece_end );
        }
        offset = piece_end;
    }
    if( parser.in_request() )
        log += "incomplete\n";
    return log;
}

[[nodiscard]] std::string whole_log( const std::string & wire,
    const incoming_http_msg_limits_t & limits = incoming_http_msg_limits_t{} )
{
    return event_log( wire, { wire.size() }, limits );
}

// Requires the same log for every chunk size and for 200 random splittings (seed 20240611).
void require_same_log_for_every_split(
    const std::string & wire,
    const incoming_http_msg_limits_t & limits = incoming_http_msg_limits_t{} )
{
    const std::string whole = whole_log( wire, limits );
    for( std::size_t chunk = 1; chunk < wire.size(); ++chunk )
    {
        INFO( "chunk size " << chunk );
        REQUIRE( event_log( wire, std::vector< std::size_t >( wire.size(), chunk ), limits ) == whole );
    }

    const unsigned seed = 20240611u;
    std::mt19937 rng{ seed };
    for( int round = 0; round != 200; ++round )
    {
        std::vector< std::size_t > pieces;
        std::uniform_int_distribution< std::size_t > piece_size{ 1, std::max< std::size_t >( 1, wire.size() / 3 ) };
        for( std::size_t total = 0; total < wire.size(); )
        {
            pieces.push_back( piece_size( rng ) );
            total += pieces.back();
        }
        INFO( "seed " << seed << " round " << round );
        REQUIRE( event_log( wire, pieces, limits ) == whole );
    }
}

const std::string simple_get =
    "GET /path/to?x=1&y=2#frag HTTP/1.1\r\n"
    "Host: example.com\r\n"
    "User-Agent: test\r\n"
    "\r\n";

} // namespace

TEST_CASE( "a simple GET, whole and at every split point", "[http][parser]" )
{
    REQUIRE( whole_log( simple_get ) ==
        "request GET /path/to?x=1&y=2#frag HTTP/1.1 keep-alive content-length=0 "
        "fields=[Host:example.com;User-Agent:test;] body=[]\n" );
    require_same_log_for_every_split( simple_get );
}

TEST_CASE( "the request target is split into path, query and fragment", "[http][parser]" )
{
    request_parser_t parser{ incoming_http_msg_limits_t{} };
    const auto r = parser.parse( simple_get.data(), simple_get.size() );
    REQUIRE( r.status == request_parse_status_t::request_ready );
    REQUIRE( r.consumed == simple_get.size() );
    const auto request = parser.take_request();
    CHECK( request.m_header.method() == restinio::http_method_get() );
    CHECK( request.m_header.path() == "/path/to" );
    CHECK( request.m_header.query() == "x=1&y=2" );
    CHECK( request.m_header.fragment() == "frag" );
    CHECK( request.m_header.get_field( restinio::http_field_t::host ) == "example.com" );
    CHECK_FALSE( parser.in_request() );
}

TEST_CASE( "a POST with Content-Length keeps its body and its length", "[http][parser]" )
{
    const std::string wire =
        "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\n"
        "hello world";
    REQUIRE( whole_log( wire ) ==
        "request POST /echo HTTP/1.1 keep-alive content-length=11 "
        "fields=[Host:h;Content-Length:11;Content-Type:text/plain;] body=[hello world]\n" );
    require_same_log_for_every_split( wire );
}

TEST_CASE( "a request cut short is not reported", "[http][parser]" )
{
    CHECK( whole_log( "GET / HTTP/1.1\r\nHost: h\r\n" ) == "incomplete\n" );
    CHECK( whole_log( "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabc" ) == "incomplete\n" );
}

TEST_CASE( "pipelined requests in one buffer come out one at a time, in order", "[http][parser]" )
{
    const std::string wire =
        "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
        "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
        "GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    REQUIRE( whole_log( wire ) ==
        "request GET /1 HTTP/1.1 keep-alive content-length=0 fields=[Host:h;] body=[]\n"
        "request POST /2 HTTP/1.1 keep-alive content-length=3 fields=[Host:h;Content-Length:3;] body=[abc]\n"
        "request GET /3 HTTP/1.1 close content-length=0 fields=[Host:h;Connection:close;] body=[]\n" );
    require_same_log_for_every_split( wire );

    SECTION( "each parse stops right after its request" )
    {
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const auto first = parser.parse( wire.data(), wire.size() );
        REQUIRE( first.status == request_parse_status_t::request_ready );
        REQUIRE( first.consumed == std::string{ "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n" }.size() );
        CHECK( parser.take_request().m_header.request_target() == "/1" );
        const auto second = parser.parse( wire.data() + first.consumed, wire.size() - first.consumed );
        REQUIRE( second.status == request_parse_status_t::request_ready );
        CHECK( parser.take_request().m_body == "abc" );
    }
}

TEST_CASE( "chunked bodies are joined, with chunk infos and trailers", "[http][parser]" )
{
    const std::string wire =
        "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n"
        "1;name=value\r\n \r\n"          // a chunk extension is allowed and ignored
        "A\r\n0123456789\r\n"
        "0\r\n"
        "X-Checksum: abc\r\n"
        "X-Other: 1\r\n"
        "\r\n";
    REQUIRE( whole_log( wire ) ==
        "request POST /upload HTTP/1.1 keep-alive content-length=0 "
        "fields=[Host:h;Transfer-Encoding:chunked;] body=[hello 0123456789] "
        "chunks=[0+5;5+1;6+10;] trailers=[X-Checksum:abc;X-Other:1;]\n" );
    require_same_log_for_every_split( wire );
}

TEST_CASE( "a chunked body without chunks or trailers", "[http][parser]" )
{
    const std::string wire =
        "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    REQUIRE( whole_log( wire ) ==
        "request POST /u HTTP/1.1 keep-alive content-length=0 fields=[Host:h;Transfer-Encoding:chunked;] "
        "body=[] chunks=[] trailers=[]\n"
        "request GET /next HTTP/1.1 keep-alive content-length=0 fields=[Host:h;] body=[]\n" );
    require_same_log_for_every_split( wire );
}

TEST_CASE( "Expect: 100-continue is reported once, and only when a body follows", "[http][parser]" )
{
    struct row_t { const char * name; std::string wire; const char * expected_prefix; };
    const row_t rows[] = {
        { "with Content-Length",
          "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
          "100-continue\nrequest PUT" },
        { "chunked",
          "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
          "100-continue\nrequest PUT" },
        { "no body", "GET /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n", "request GET" },
        { "HTTP/1.0", "PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", "request PUT" },
        { "another expectation", "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: something\r\nContent-Length: 2\r\n\r\nok",
          "request PUT" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        const std::string log = whole_log( row.wire );
        CHECK( log.rfind( row.expected_prefix, 0 ) == 0 );
        CHECK( log.find( "100-continue\n", 1 ) == std::string::npos );
        require_same_log_for_every_split( row.wire );
    }

    SECTION( "it is known as soon as the header is, before the body arrives" )
    {
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const std::string head = "PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
        const auto r = parser.parse( head.data(), head.size() );
        CHECK( r.status == request_parse_status_t::need_more );
        CHECK( parser.in_request() );
        CHECK( parser.take_continue_request() );
        CHECK_FALSE( parser.take_continue_request() );
    }
}

TEST_CASE( "keep-alive follows the HTTP/1.0 and HTTP/1.1 rules", "[http][parser]" )
{
    struct row_t { const char * name; const char * wire; http_connection_header_t expected; };
    const row_t rows[] = {
        { "1.1 default",          "GET / HTTP/1.1\r\nHost: h\r\n\r\n",                               http_connection_header_t::keep_alive },
        { "1.1 close",            "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",          http_connection_header_t::close },
        { "1.1 Close (case)",     "GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n",          http_connection_header_t::close },
        { "1.1 keep-alive",       "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n",     http_connection_header_t::keep_alive },
        { "1.0 default",          "GET / HTTP/1.0\r\n\r\n",                               http_connection_header_t::close },
        { "1.0 keep-alive",       "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",     http_connection_header_t::keep_alive },
        { "1.0 Keep-Alive (case)","GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",     http_connection_header_t::keep_alive },
        { "1.0 close",            "GET / HTTP/1.0\r\nConnection: close\r\n\r\n",          http_connection_header_t::close },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const std::string wire = row.wire;
        const auto r = parser.parse( wire.data(), wire.size() );
        REQUIRE( r.status == request_parse_status_t::request_ready );
        const auto request = parser.take_request();
        CHECK( request.m_header.connection() == row.expected );
        CHECK( request.m_header.http_major() == 1 );
    }
}

TEST_CASE( "an upgrade request stops the parser and leaves the following bytes unconsumed",
           "[http][parser][upgrade]" )
{
    const std::string request =
        "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const std::string frames = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58GET / HTTP/1.1\r\n\r\n";
    const std::string wire = request + frames;

    const std::string log = whole_log( wire );
    REQUIRE( log ==
        "request GET /chat HTTP/1.1 upgrade content-length=0 fields=[Host:h;Upgrade:websocket;"
        "Connection:Upgrade;Sec-WebSocket-Key:dGhlIHNhbXBsZSBub25jZQ==;Sec-WebSocket-Version:13;] body=[]\n"
        "left [" + frames + "]\n" );
    require_same_log_for_every_split( wire );

    SECTION( "consumed stops at the end of the request" )
    {
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const auto r = parser.parse( wire.data(), wire.size() );
        REQUIRE( r.status == request_parse_status_t::request_ready );
        CHECK( r.consumed == request.size() );
    }
}

TEST_CASE( "what counts as an upgrade", "[http][parser][upgrade]" )
{
    struct row_t { const char * name; const char * wire; http_connection_header_t expected; };
    const row_t rows[] = {
        { "token among others", "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n",
          http_connection_header_t::upgrade },
        { "lower case", "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
          http_connection_header_t::upgrade },
        { "h2c counts too", "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
          http_connection_header_t::upgrade },
        { "Connection: Upgrade without Upgrade", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n\r\n",
          http_connection_header_t::keep_alive },
        { "Upgrade without the Connection token", "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
          http_connection_header_t::keep_alive },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const std::string wire = row.wire;
        const auto r = parser.parse( wire.data(), wire.size() );
        REQUIRE( r.status == request_parse_status_t::request_ready );
        CHECK( parser.take_request().m_header.connection() == row.expected );
    }
}

TEST_CASE( "every limit is answered with its exact status", "[http][parser][limits]" )
{
    using limits_t = incoming_http_msg_limits_t;
    struct row_t { const char * name; limits_t limits; std::string wire; const char * expected; };
    const std::string head = "GET /0123456789 HTTP/1.1\r\nHost: h\r\nX-Name: value\r\n";
    const row_t rows[] = {
        { "URL at the limit",            limits_t{}.max_url_size( 11 ), head + "\r\n", nullptr },
        { "URL over the limit",          limits_t{}.max_url_size( 10 ), head + "\r\n", "error 414\n" },
        { "field name at the limit",     limits_t{}.max_field_name_size( 6 ), head + "\r\n", nullptr },
        { "field name over the limit",   limits_t{}.max_field_name_size( 5 ), head + "\r\n", "error 431\n" },
        { "field value at the limit",    limits_t{}.max_field_value_size( 5 ), head + "\r\n", nullptr },
        { "field value over the limit",  limits_t{}.max_field_value_size( 4 ), head + "\r\n", "error 431\n" },
        { "field count at the limit",    limits_t{}.max_field_count( 2 ), head + "\r\n", nullptr },
        { "field count over the limit",  limits_t{}.max_field_count( 1 ), head + "\r\n", "error 431\n" },
        { "body at the limit",           limits_t{}.max_body_size( 4 ),
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd", nullptr },
        { "declared body over the limit", limits_t{}.max_body_size( 3 ),
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd", "error 413\n" },
        { "chunked body at the limit",   limits_t{}.max_body_size( 5 ),
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", nullptr },
        { "chunked body over the limit", limits_t{}.max_body_size( 4 ),
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", "error 413\n" },
        { "trailers count as fields",    limits_t{}.max_field_count( 1 ),
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n", "error 431\n" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        const std::string log = whole_log( row.wire, row.limits );
        if( row.expected )
            CHECK( log == row.expected );
        else
            CHECK( log.rfind( "request ", 0 ) == 0 );
        require_same_log_for_every_split( row.wire, row.limits );
    }
}

TEST_CASE( "an element both over a limit and malformed gets one status at every split",
    "[http][parser][limits]" )
{
    // Found by fuzz/request_parser_fuzzer: llhttp hands an element over in pieces when reads
    // split it, so a limit check on the first piece answered 431 where the whole element,
    // rejected by llhttp before it was handed over, got 400. The element ends malformed here,
    // so 400 wherever the reads split it.
    using limits_t = incoming_http_msg_limits_t;
    struct row_t { const char * name; limits_t limits; std::string wire; };
    const row_t rows[] = {
        { "URL",         limits_t{}.max_url_size( 4 ), std::string{ "GET /0123456789\x7F HTTP/1.1\r\n\r\n" } },
        { "field name",  limits_t{}.max_field_name_size( 4 ),
          std::string{ "GET / HTTP/1.1\r\nX-Long-Name\x01: v\r\n\r\n" } },
        { "field value", limits_t{}.max_field_value_size( 4 ),
          std::string{ "GET / HTTP/1.1\r\nX: 0123456789\x7F\r\n\r\n" } },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( whole_log( row.wire, row.limits ) == "error 400\n" );
        CHECK( event_log( row.wire, std::vector< std::size_t >( row.wire.size(), 1 ), row.limits ) == "error 400\n" );
        CHECK( event_log( row.wire, { 20, 3 }, row.limits ) == "error 400\n" );
    }
}

TEST_CASE( "the header section is capped at 1 MiB whatever the limits say", "[http][parser][limits]" )
{
    SECTION( "one huge field value" )
    {
        const std::string wire = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string( 1024 * 1024 + 1, 'a' ) + "\r\n\r\n";
        CHECK( whole_log( wire ) == "error 431\n" );
        CHECK( event_log( wire, std::vector< std::size_t >( 300, 4096 ) ) == "error 431\n" );
    }
    SECTION( "many small fields" )
    {
        std::string wire = "GET / HTTP/1.1\r\nHost: h\r\n";
        for( int i = 0; i != 70000; ++i )
            wire += "X-Field-" + std::to_string( i ) + ": 0123456789\r\n";
        wire += "\r\n";
        CHECK( whole_log( wire ) == "error 431\n" );
    }
    SECTION( "a huge URL with no URL limit" )
    {
        const std::string wire = "GET /" + std::string( 1024 * 1024 + 1, 'u' ) + " HTTP/1.1\r\nHost: h\r\n\r\n";
        CHECK( whole_log( wire ) == "error 431\n" );
    }
    SECTION( "just under the cap is fine" )
    {
        const std::string wire = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string( 1000 * 1000, 'a' ) + "\r\n\r\n";
        CHECK( whole_log( wire ).rfind( "request GET / HTTP/1.1", 0 ) == 0 );
    }
}

namespace
{

// The same log whole, byte by byte, in pieces of 4093 and 65536 bytes, and at 20 random
// splittings (seed 20261202): for wires too long to try every chunk size.
void require_same_log_for_some_splits(
    const std::string & wire, const std::string & expected,
    const incoming_http_msg_limits_t & limits = incoming_http_msg_limits_t{} )
{
    REQUIRE( whole_log( wire, limits ) == expected );
    for( const std::size_t piece : { std::size_t{ 1 }, std::size_t{ 4093 }, std::size_t{ 65536 } } )
    {
        INFO( "pieces of " << piece );
        REQUIRE( event_log( wire, std::vector< std::size_t >( wire.size() / piece + 1, piece ), limits ) == expected );
    }
    const unsigned seed = 20261202u;
    std::mt19937 rng{ seed };
    for( int round = 0; round != 20; ++round )
    {
        std::vector< std::size_t > pieces;
        std::uniform_int_distribution< std::size_t > piece_size{ 1, 200000 };
        for( std::size_t total = 0; total < wire.size(); total += pieces.back() )
            pieces.push_back( piece_size( rng ) );
        INFO( "seed " << seed << " round " << round );
        REQUIRE( event_log( wire, pieces, limits ) == expected );
    }
}

[[nodiscard]] std::string repeated( const std::string & text, std::size_t times )
{
    std::string result;
    result.reserve( text.size() * times );
    for( std::size_t i = 0; i != times; ++i )
        result += text;
    return result;
}

const std::size_t one_mib = 1024 * 1024;

} // namespace

TEST_CASE( "the 1 MiB cap counts the header section's every byte on the wire", "[http][parser][limits]" )
{
    const auto no_count_limit = incoming_http_msg_limits_t{}.max_field_count( std::numeric_limits< std::size_t >::max() );
    struct row_t { const char * name; std::string wire; };
    const row_t rows[] = {
        // 270,000 x 4 bytes on the wire, but no name or value byte beyond the 'a's.
        { "a flood of empty fields", "GET / HTTP/1.1\r\nHost: h\r\n" + repeated( "a:\r\n", 270000 ) + "\r\n" },
        { "whitespace before a value", "GET / HTTP/1.1\r\nHost: h\r\nX:" + std::string( one_mib, ' ' ) + "v\r\n\r\n" },
        { "whitespace after a value", "GET / HTTP/1.1\r\nHost: h\r\nX: v" + std::string( one_mib, ' ' ) + "\r\n\r\n" },
        { "empty lines before the request line", repeated( "\r\n", one_mib / 2 + 1 ) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n" },
        { "a flood of empty trailer fields", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                                             + repeated( "a:\r\n", 270000 ) + "\r\n" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( whole_log( row.wire, no_count_limit ) == "error 431\n" );
        CHECK( event_log( row.wire, std::vector< std::size_t >( row.wire.size() / 4096 + 1, 4096 ), no_count_limit )
               == "error 431\n" );
    }
}

TEST_CASE( "a header section of exactly 1 MiB is served, one byte more is not", "[http][parser][limits]" )
{
    const std::string head = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-Pad: ";
    const std::string end = "\r\n\r\n";
    const std::string pad( one_mib - head.size() - end.size(), 'p' );
    const std::string at_the_cap = head + pad + end;
    REQUIRE( at_the_cap.size() == one_mib );

    const std::string next = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    require_same_log_for_some_splits( at_the_cap + "hello" + next,
        "request POST /up HTTP/1.1 keep-alive content-length=5 fields=[Host:h;Content-Length:5;X-Pad:" + pad
        + ";] body=[hello]\n"
        "request GET /next HTTP/1.1 keep-alive content-length=0 fields=[Host:h;] body=[]\n" );
    require_same_log_for_some_splits( head + pad + "q" + end + "hello", "error 431\n" );
}

TEST_CASE( "a request may have 100 fields unless the limits say otherwise", "[http][parser][limits]" )
{
    CHECK( incoming_http_msg_limits_t{}.max_field_count() == 100u );
    const auto with_fields = []( std::size_t count ) {
        std::string wire = "GET / HTTP/1.1\r\nHost: h\r\n";
        for( std::size_t i = 1; i != count; ++i )
            wire += "X-" + std::to_string( i ) + ": v\r\n";
        return wire + "\r\n";
    };
    CHECK( whole_log( with_fields( 100 ) ).rfind( "request GET / HTTP/1.1", 0 ) == 0 );
    CHECK( whole_log( with_fields( 101 ) ) == "error 431\n" );
    require_same_log_for_every_split( with_fields( 101 ) );
    CHECK( whole_log( with_fields( 101 ), incoming_http_msg_limits_t{}.max_field_count( 101 ) )
           .rfind( "request GET / HTTP/1.1", 0 ) == 0 );
}

TEST_CASE( "malformed requests are answered with 400", "[http][parser][errors]" )
{
    struct row_t { const char * name; const char * wire; };
    const row_t rows[] = {
        { "garbage request line",        "HELLO\r\n\r\n" },
        { "bad HTTP version",            "GET / HTTP/x.1\r\n\r\n" },
        { "unknown HTTP version",        "GET / HTTP/1.2\r\n\r\n" },
        { "lower-case method",           "get / HTTP/1.1\r\n\r\n" },
        // RFC 9112 5.1: whitespace between a field name and the colon MUST be answered with 400
        // (a proxy could read "Content-Length : 3" differently).
        { "space before the colon",      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\nabc" },
        { "space before the colon (TE)", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" },
        { "first field line folded",     "POST / HTTP/1.1\r\n Content-Length: 3\r\n\r\nabc" },
        { "bare LF between fields",      "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n" },
        { "bad Content-Length",          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12x\r\n\r\n" },
        { "two Content-Lengths",         "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab" },
        { "Content-Length and chunked",  "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
        { "Content-Length overflows",    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n" },
        { "bad chunk size",              "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" },
        { "chunk size overflows",        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFF\r\n" },
        { "chunk without its CRLF",      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n" },
        { "binary junk",                 "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" },
        { "space inside a field name",   "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n" },
        // RFC 9110 5.1: a field name is a token, at least one character (found by the fuzzer).
        { "empty field name",            "GET / HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n" },
        { "empty trailer name",          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n: x\r\n\r\n" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        const std::string wire = row.wire;
        CHECK( whole_log( wire ) == "error 400\n" );
        require_same_log_for_every_split( wire );
    }
}

TEST_CASE( "Host: one in every HTTP/1.1 request, at most one in any (RFC 9112 3.2)", "[http][parser][host]" )
{
    struct row_t { const char * name; std::string wire; std::string expected; };
    const row_t rows[] = {
        { "1.1 without Host", "GET / HTTP/1.1\r\nX: 1\r\n\r\n", "error 400\n" },
        { "1.1 with two", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nhost: a\r\n\r\n", "error 400\n" },
        { "1.1 with an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n",
          "request GET / HTTP/1.1 keep-alive content-length=0 fields=[Host:;] body=[]\n" },
        { "1.0 without Host", "GET / HTTP/1.0\r\n\r\n",
          "request GET / HTTP/1.0 close content-length=0 fields=[] body=[]\n" },
        { "1.0 with two", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "error 400\n" },
        { "a trailer named Host is not a second Host",
          "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nHost: b\r\n\r\n",
          "request POST / HTTP/1.1 keep-alive content-length=0 fields=[Host:a;Transfer-Encoding:chunked;] "
          "body=[] chunks=[] trailers=[Host:b;]\n" },
        { "a valid host and port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
          "request GET / HTTP/1.1 keep-alive content-length=0 fields=[Host:[::1]:8080;] body=[]\n" },
        { "a space in Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "error 400\n" },
        { "a path in Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "error 400\n" },
        { "userinfo in Host", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", "error 400\n" },
        { "a bad port in Host", "GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", "error 400\n" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( whole_log( row.wire ) == row.expected );
        require_same_log_for_every_split( row.wire );
    }
}

TEST_CASE( "request targets: origin-form for routes, '*' for OPTIONS, no CONNECT (RFC 9112 3.2)",
           "[http][parser][target]" )
{
    struct row_t { const char * name; std::string wire; std::string expected; };
    const row_t rows[] = {
        { "absolute-form: routes see the path, Host is the target's authority",
          "GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: other\r\nX: 1\r\n\r\n",
          "request GET /a/b?x=1 HTTP/1.1 keep-alive content-length=0 fields=[Host:example.com:8080;X:1;] body=[]\n" },
        { "absolute-form, https, scheme in capitals, empty path",
          "GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n",
          "request GET / HTTP/1.1 keep-alive content-length=0 fields=[Host:example.com;] body=[]\n" },
        { "absolute-form, empty path and a query",
          "GET http://example.com?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
          "request GET /?q=1 HTTP/1.1 keep-alive content-length=0 fields=[Host:example.com;] body=[]\n" },
        { "absolute-form in HTTP/1.0 without Host gets one",
          "GET http://a.example/p HTTP/1.0\r\n\r\n",
          "request GET /p HTTP/1.0 close content-length=0 fields=[Host:a.example;] body=[]\n" },
        { "absolute-form in HTTP/1.1 still needs Host", "GET http://a.example/p HTTP/1.1\r\n\r\n", "error 400\n" },
        { "absolute-form of another scheme", "GET ftp://a.example/p HTTP/1.1\r\nHost: a\r\n\r\n", "error 400\n" },
        { "absolute-form with userinfo", "GET http://u:p@a.example/p HTTP/1.1\r\nHost: a\r\n\r\n", "error 400\n" },
        { "absolute-form with an empty host", "GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n", "error 400\n" },
        { "absolute-form with only a port", "GET http://:80/p HTTP/1.1\r\nHost: a\r\n\r\n", "error 400\n" },
        { "OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
          "request OPTIONS * HTTP/1.1 keep-alive content-length=0 fields=[Host:a;] body=[]\n" },
        { "'*' for another method", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", "error 400\n" },
        { "authority-form for GET", "GET a.example:80 HTTP/1.1\r\nHost: a\r\n\r\n", "error 400\n" },
        { "CONNECT", "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", "error 501\n" },
        { "CONNECT with a path", "CONNECT /p HTTP/1.1\r\nHost: a\r\n\r\n", "error 501\n" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( whole_log( row.wire ) == row.expected );
        require_same_log_for_every_split( row.wire );
    }

    SECTION( "path() and query() come from the origin-form" )
    {
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const std::string wire = "GET http://example.com/chat/5?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
        REQUIRE( parser.parse( wire.data(), wire.size() ).status == request_parse_status_t::request_ready );
        const auto request = parser.take_request();
        CHECK( request.m_header.request_target() == "/chat/5?x=1" );
        CHECK( request.m_header.path() == "/chat/5" );
        CHECK( request.m_header.query() == "x=1" );
    }
}

TEST_CASE( "only HTTP/1.x requests are served: 0.9 and 2.0 get 505", "[http][parser]" )
{
    // llhttp reads "GET /" as an HTTP/0.9 simple request; neither it nor a "HTTP/2.0" request
    // line is HTTP/1.1 syntax to be answered as such.
    CHECK( whole_log( "GET /\r\n\r\n" ) == "error 505\n" );
    CHECK( whole_log( "GET / HTTP/2.0\r\nHost: a\r\n\r\n" ) == "error 505\n" );
    require_same_log_for_every_split( "GET / HTTP/2.0\r\nHost: a\r\n\r\n" );
}

TEST_CASE( "a failure is sticky and a good request before it is still delivered", "[http][parser][errors]" )
{
    const std::string wire = "GET /good HTTP/1.1\r\nHost: h\r\n\r\nBAD REQUEST LINE\r\n\r\n";
    REQUIRE( whole_log( wire ) ==
        "request GET /good HTTP/1.1 keep-alive content-length=0 fields=[Host:h;] body=[]\n"
        "error 400\n" );
    require_same_log_for_every_split( wire );

    request_parser_t parser{ incoming_http_msg_limits_t{} };
    const std::string bad = "BAD\r\n\r\n";
    CHECK( parser.parse( bad.data(), bad.size() ).status == request_parse_status_t::failed );
    const auto again = parser.parse( simple_get.data(), simple_get.size() );
    CHECK( again.status == request_parse_status_t::failed );
    CHECK( again.consumed == 0 );
    CHECK( parser.error_status() == 400 );
}

TEST_CASE( "methods are mapped to RESTinio's method ids", "[http][parser]" )
{
    struct row_t { const char * method; restinio::http_method_id_t expected; };
    const row_t rows[] = {
        { "GET", restinio::http_method_get() }, { "POST", restinio::http_method_post() },
        { "PUT", restinio::http_method_put() }, { "DELETE", restinio::http_method_delete() },
        { "HEAD", restinio::http_method_head() }, { "OPTIONS", restinio::http_method_options() },
        { "PATCH", restinio::http_method_patch() }, { "M-SEARCH", restinio::http_method_msearch() },
    };
    for( const auto & row : rows )
    {
        INFO( row.method );
        request_parser_t parser{ incoming_http_msg_limits_t{} };
        const std::string wire = std::string{ row.method } + " / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n";
        REQUIRE( parser.parse( wire.data(), wire.size() ).status == request_parse_status_t::request_ready );
        CHECK( parser.take_request().m_header.method() == row.expected );
    }
}
