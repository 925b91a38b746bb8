// The three response builders (server.md 8.2), checked byte for byte: what each one hands to
// the connection, with which flags, in how many parts, and what it throws when misused. A fake
// connection records every write_response_parts() call instead of writing to a socket.
#include <restinio/message_builders.hpp>

#include <restinio/request_handler.hpp>

#include <catch2/catch.hpp>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace
{

using restinio::impl::response_connection_attr_t;
using restinio::impl::response_parts_attr_t;

struct recorded_parts_t
{
    restinio::request_id_t m_request_id;
    response_parts_attr_t m_parts;
    response_connection_attr_t m_connection;
    std::string m_bytes;
    std::size_t m_items;
};

class recording_connection_t final : public restinio::impl::connection_base_t
{
public:
    recording_connection_t() : connection_base_t{ 42 } {}

    void write_response_parts(
        restinio::request_id_t request_id,
        restinio::impl::response_output_flags_t flags,
        restinio::write_group_t wg ) override
    {
        std::string bytes;
        for( const auto & item : wg.items() )
        {
            const auto buf = item.buf();
            bytes.append( static_cast< const char * >( buf.data() ), buf.size() );
        }
        m_calls.push_back( { request_id, flags.m_response_parts, flags.m_response_connection,
                             std::move( bytes ), wg.items_count() } );
        // As a connection does once the bytes are out.
        wg.invoke_after_write_notificator_if_exists( restinio::asio_ns::error_code{} );
    }

    [[nodiscard]] const std::type_info & traits_type() const noexcept override { return typeid( void ); }

    void check_timeout( restinio::tcp_connection_ctx_handle_t & ) override {}

    std::vector< recorded_parts_t > m_calls;
};

struct fixture_t
{
    std::shared_ptr< recording_connection_t > m_connection = std::make_shared< recording_connection_t >();
    restinio::no_extra_data_factory_t m_factory;

    [[nodiscard]] restinio::request_handle_t make_request(
        restinio::http_connection_header_t connection = restinio::http_connection_header_t::keep_alive,
        restinio::request_id_t id = 7 )
    {
        restinio::http_request_header_t header{ restinio::http_method_get(), "/x" };
        header.connection( connection );
        return std::make_shared< restinio::request_t >(
                id, std::move( header ), std::string{}, m_connection,
                restinio::endpoint_t{ restinio::asio_ns::ip::make_address( "127.0.0.1" ), 5555 }, m_factory );
    }

    [[nodiscard]] const std::vector< recorded_parts_t > & calls() const { return m_connection->m_calls; }
};

template< typename F >
[[nodiscard]] std::string exception_text( F && f )
{
    try
    {
        f();
    }
    catch( const restinio::exception_t & ex )
    {
        return ex.what();
    }
    return "<no exception>";
}

} // namespace

TEST_CASE( "restinio_controlled: status line, Connection, Content-Length, fields in order, body",
           "[http][response]" )
{
    fixture_t f;
    auto req = f.make_request();
    const auto status = req->create_response( restinio::status_not_found() )
        .append_header( restinio::http_field::content_type, "text/plain" )
        .append_header( "X-First", "1" )
        .append_header( restinio::http_header_field_t{ std::string{ "X-First" }, std::string{ "2" } } )   // appended, not replaced
        .set_body( "nf" )
        .done();
    CHECK( status == restinio::request_accepted() );
    REQUIRE( f.calls().size() == 1 );
    const auto & call = f.calls()[ 0 ];
    CHECK( call.m_request_id == 7 );
    CHECK( call.m_parts == response_parts_attr_t::final_parts );
    CHECK( call.m_connection == response_connection_attr_t::connection_keepalive );
    CHECK( call.m_bytes ==
        "HTTP/1.1 404 Not Found\r\n"
        "Connection: keep-alive\r\n"
        "Content-Length: 2\r\n"
        "Content-Type: text/plain\r\n"
        "X-First: 1\r\n"
        "X-First: 2\r\n"
        "\r\n"
        "nf" );
}

TEST_CASE( "restinio_controlled: the body may be replaced and appended in any item kind",
           "[http][response]" )
{
    fixture_t f;
    static const char borrowed[] = "<borrowed>";
    auto req = f.make_request();
    req->create_response()
        .set_body( "discarded" )
        .set_body( std::string{ "one," } )
        .append_body( restinio::const_buffer( borrowed, sizeof( borrowed ) - 1 ) )
        .append_body( std::make_shared< std::string >( ",shared" ) )
        .append_body( std::vector< char >{ ',', 'v' } )
        .append_body( "" )
        .done();
    REQUIRE( f.calls().size() == 1 );
    CHECK( f.calls()[ 0 ].m_bytes ==
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 23\r\n\r\n"
        "one,<borrowed>,shared,v" );
    CHECK( f.calls()[ 0 ].m_items == 6 );
}

TEST_CASE( "restinio_controlled: an empty body still says Content-Length: 0", "[http][response]" )
{
    fixture_t f;
    f.make_request()->create_response( restinio::status_no_content() ).done();
    REQUIRE( f.calls().size() == 1 );
    CHECK( f.calls()[ 0 ].m_bytes == "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n" );
}

TEST_CASE( "the Connection line follows the request, and the builder can change it", "[http][response]" )
{
    using ch = restinio::http_connection_header_t;
    struct row_t { const char * name; ch request; int change; const char * line; response_connection_attr_t attr; };
    // change: 0 none, 1 connection_close(), 2 connection_keep_alive()
    const row_t rows[] = {
        { "keep-alive request",      ch::keep_alive, 0, "Connection: keep-alive\r\n", response_connection_attr_t::connection_keepalive },
        { "close request",           ch::close,      0, "Connection: close\r\n",      response_connection_attr_t::connection_close },
        { "upgrade request",         ch::upgrade,    0, "Connection: close\r\n",      response_connection_attr_t::connection_close },
        { "forced close",            ch::keep_alive, 1, "Connection: close\r\n",      response_connection_attr_t::connection_close },
        // Unlike RESTinio (where it does nothing), connection_keep_alive() really keeps alive.
        { "keep-alive asked for",    ch::close,      2, "Connection: keep-alive\r\n", response_connection_attr_t::connection_keepalive },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        fixture_t f;
        auto builder = f.make_request( row.request )->create_response();
        if( 1 == row.change )
            builder.connection_close();
        else if( 2 == row.change )
            builder.connection_keep_alive();
        builder.done();
        REQUIRE( f.calls().size() == 1 );
        CHECK( f.calls()[ 0 ].m_bytes ==
            std::string{ "HTTP/1.1 200 OK\r\n" } + row.line + "Content-Length: 0\r\n\r\n" );
        CHECK( f.calls()[ 0 ].m_connection == row.attr );
    }
}

TEST_CASE( "append_header_date_field sets one Date field in IMF-fixdate form", "[http][response]" )
{
    fixture_t f;
    const auto tp = std::chrono::system_clock::from_time_t( std::time_t{ 784111777 } );
    f.make_request()->create_response()
        .append_header_date_field( tp )
        .append_header_date_field( tp + std::chrono::seconds{ 1 } )
        .done();
    REQUIRE( f.calls().size() == 1 );
    CHECK( f.calls()[ 0 ].m_bytes ==
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n"
        "Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n\r\n" );
}

TEST_CASE( "a custom status line is written as given", "[http][response]" )
{
    fixture_t f;
    f.make_request()->create_response(
            restinio::http_status_line_t{ restinio::http_status_code_t{ 299 }, "Mostly Fine" } )
        .set_body( "x" ).done();
    REQUIRE( f.calls().size() == 1 );
    CHECK( f.calls()[ 0 ].m_bytes == "HTTP/1.1 299 Mostly Fine\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx" );
}

TEST_CASE( "a header or reason with CR, LF or NUL is refused at the call, in every builder",
           "[http][response][injection]" )
{
    // What a handler gets when it copies a client's decoded query parameter into a header.
    const std::string injected = "x\r\nSet-Cookie: session=stolen\r\n\r\nHTTP/1.1 200 OK";
    fixture_t f;
    const auto check_builder = [&]( auto builder ) {
        CHECK( exception_text( [&] { builder.append_header( "X-Echo", injected ); } )
            == "invalid HTTP field value: byte 0x0D at offset 1; "
               "a field value must not contain CR, LF or NUL (RFC 9110 5.5)" );
        CHECK_THROWS_AS( builder.append_header( restinio::http_field::location, injected ),
                         restinio::exception_t );
        CHECK_THROWS_AS( builder.append_header( "X-A: 1\r\nX-B", "1" ), restinio::exception_t );
        CHECK_THROWS_AS( builder.header().set_field( "X-Echo", injected ), restinio::exception_t );
        CHECK_THROWS_AS( builder.header().append_field( "X-Echo", injected ), restinio::exception_t );
        CHECK_THROWS_AS( builder.header().reason_phrase( injected ), restinio::exception_t );
        builder.append_header( "X-Echo", "fine" );
        builder.done();
    };
    check_builder( f.make_request()->create_response() );
    check_builder( f.make_request()->create_response< restinio::user_controlled_output_t >() );
    check_builder( f.make_request()->create_response< restinio::chunked_output_t >() );
    CHECK_THROWS_AS( f.make_request()->create_response(
                        restinio::http_status_line_t{ restinio::status_code::ok, injected } ),
                     restinio::exception_t );

    // Only the valid field reached the connection.
    REQUIRE( f.calls().size() == 3 );
    for( const auto & call : f.calls() )
    {
        CHECK( call.m_bytes.find( "X-Echo: fine\r\n" ) != std::string::npos );
        CHECK( call.m_bytes.find( "Set-Cookie" ) == std::string::npos );
        CHECK( call.m_bytes.find( "HTTP/1.1", 1 ) == std::string::npos );
    }
}

TEST_CASE( "done() twice throws; create_response() twice throws", "[http][response][misuse]" )
{
    fixture_t f;
    auto req = f.make_request();
    auto builder = req->create_response();
    builder.done();
    CHECK( exception_text( [&] { builder.done(); } ) == "done() cannot be called twice" );
    CHECK( f.calls().size() == 1 );

    CHECK( exception_text( [&] { (void)req->create_response(); } ) == "connection already moved" );
    CHECK( exception_text( [&] { (void)req->create_response< restinio::chunked_output_t >(); } ) ==
           "connection already moved" );

    SECTION( "the same for the other builders" )
    {
        auto user = f.make_request()->create_response< restinio::user_controlled_output_t >();
        user.done();
        CHECK( exception_text( [&] { user.done(); } ) == "done() cannot be called twice" );
        CHECK( exception_text( [&] { user.flush(); } ) == "done() cannot be called twice" );

        auto chunked = f.make_request()->create_response< restinio::chunked_output_t >();
        chunked.done();
        CHECK( exception_text( [&] { chunked.done(); } ) == "done() cannot be called twice" );
        CHECK( exception_text( [&] { chunked.flush(); } ) == "done() cannot be called twice" );
    }
}

TEST_CASE( "a builder dropped without done() sends nothing", "[http][response]" )
{
    fixture_t f;
    {
        auto builder = f.make_request()->create_response().set_body( "never" );
    }
    CHECK( f.calls().empty() );
}

TEST_CASE( "the write callback runs once the parts are written", "[http][response]" )
{
    fixture_t f;
    int calls = 0;
    restinio::asio_ns::error_code seen = restinio::make_asio_compaible_error(
            restinio::asio_convertible_error_t::write_was_not_executed );
    f.make_request()->create_response().set_body( "x" ).done(
        [&]( const restinio::asio_ns::error_code & ec ) { ++calls; seen = ec; } );
    CHECK( calls == 1 );
    CHECK_FALSE( seen );
}

TEST_CASE( "user_controlled: the header goes with the first flush, the length is the user's",
           "[http][response]" )
{
    fixture_t f;
    int flushed = 0;
    auto builder = f.make_request()->create_response< restinio::user_controlled_output_t >();
    builder.append_header( "Content-Type", "text/plain" )
        .set_content_length( 11 )
        .append_body( "hel" )
        .append_body( "lo " )
        .flush( [&flushed]( const auto & ) { ++flushed; } );
    builder.set_body( "world" );
    CHECK( builder.done() == restinio::request_accepted() );

    REQUIRE( f.calls().size() == 2 );
    CHECK( f.calls()[ 0 ].m_parts == response_parts_attr_t::not_final_parts );
    CHECK( f.calls()[ 0 ].m_bytes ==
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello " );
    CHECK( f.calls()[ 1 ].m_parts == response_parts_attr_t::final_parts );
    CHECK( f.calls()[ 1 ].m_bytes == "world" );
    CHECK( flushed == 1 );

    SECTION( "done() alone sends header and body at once" )
    {
        fixture_t g;
        g.make_request( restinio::http_connection_header_t::close )
            ->create_response< restinio::user_controlled_output_t >( restinio::status_accepted() )
            .set_content_length( 2 ).set_body( "ok" ).done();
        REQUIRE( g.calls().size() == 1 );
        CHECK( g.calls()[ 0 ].m_bytes == "HTTP/1.1 202 Accepted\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok" );
        CHECK( g.calls()[ 0 ].m_connection == response_connection_attr_t::connection_close );
    }
}

TEST_CASE( "chunked: each chunk framed in hex, empty chunks skipped, done() adds the last chunk",
           "[http][response]" )
{
    fixture_t f;
    auto builder = f.make_request()->create_response< restinio::chunked_output_t >();
    builder.append_header( restinio::http_field::content_type, "text/plain" )
        .append_chunk( "abc" )
        .append_chunk( "" )
        .append_chunk( std::string( 16, 'x' ) )
        .flush();
    builder.append_chunk( std::string( 255, 'y' ) );
    builder.done();

    REQUIRE( f.calls().size() == 2 );
    CHECK( f.calls()[ 0 ].m_parts == response_parts_attr_t::not_final_parts );
    CHECK( f.calls()[ 0 ].m_bytes ==
        "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "3\r\nabc\r\n"
        "10\r\n" + std::string( 16, 'x' ) + "\r\n" );
    CHECK( f.calls()[ 1 ].m_parts == response_parts_attr_t::final_parts );
    CHECK( f.calls()[ 1 ].m_bytes == "ff\r\n" + std::string( 255, 'y' ) + "\r\n0\r\n\r\n" );

    SECTION( "done() with nothing appended is header plus the last chunk" )
    {
        fixture_t g;
        g.make_request()->create_response< restinio::chunked_output_t >().done();
        REQUIRE( g.calls().size() == 1 );
        CHECK( g.calls()[ 0 ].m_bytes ==
            "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" );
    }
}

TEST_CASE( "a request knows its connection id and remote endpoint after the response took the connection",
           "[http][response]" )
{
    fixture_t f;
    auto req = f.make_request( restinio::http_connection_header_t::keep_alive, 3 );
    req->create_response().done();
    CHECK( req->connection_id() == 42 );
    CHECK( req->request_id() == 3 );
    CHECK( req->remote_endpoint().port() == 5555 );
}
