// End-to-end tests of the ws_t API as a C++ user sees it: an in-process server on 127.0.0.1
// (port 0, one thread, run_async) and a blocking raw-socket client with a 5 s deadline per read.
// These check what no external client can: connection_id(), remote_endpoint(), what throws on
// an emptied handle, refused upgrades, write-callback error codes, and calls from a thread that
// is not the server's.

#include <restinio/core.hpp>
#include <restinio/websocket/deflate.hpp>
#include <restinio/websocket/websocket.hpp>

#include "../../allocation_counter.hpp"

#include <catch2/catch.hpp>

#include "ws_client.hpp"
#include <fmt/ostream.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rws = restinio::websocket::basic;
using namespace std::chrono_literals;

namespace
{
// What the server thread had allocated when its message handler last ran.
std::atomic< std::size_t > g_server_allocations{ 0 };
}

namespace
{

using traits_t = restinio::traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t >;
// No strand: connections read with the drained wait (impl/drained_read_wait.hpp).
using single_thread_traits_t =
        restinio::single_thread_traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t >;

using namespace ws_test;

// A server on its own thread. Handles given to keep() live until the server stops.
template< typename Traits >
class basic_test_server_t
{
public:
    using handler_t = std::function< restinio::request_handling_status_t( const restinio::request_handle_t & ) >;
    using settings_t = restinio::server_settings_t< Traits >;

    explicit basic_test_server_t( handler_t handler, const std::function< void( settings_t & ) > & configure = {} )
    {
        auto port = m_port_promise.get_future();
        settings_t settings;
        if( configure )
            configure( settings );
        m_server = restinio::run_async( restinio::own_io_context(),
                std::move( settings )
                        .address( "127.0.0.1" )
                        .port( 0 )
                        .request_handler( [ h = std::move( handler ) ]( restinio::request_handle_t req ) {
                            return h( req );
                        } )
                        .read_next_http_message_timelimit( 1s )
                        .timer_manager( 100ms )
                        .acceptor_post_bind_hook( [ this ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                            m_port_promise.set_value( a.local_endpoint().port() );
                        } )
                        .cleanup_func( [ this ] {
                            std::lock_guard< std::mutex > lock{ m_lock };
                            m_kept.clear();
                        } ),
                1 );
        m_port = port.get();
    }

    ~basic_test_server_t() { m_server.reset(); }

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }

    void keep( rws::ws_handle_t wsh )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_kept.push_back( std::move( wsh ) );
    }

private:
    std::promise< std::uint16_t > m_port_promise;
    std::uint16_t m_port{ 0 };
    std::mutex m_lock;
    std::vector< rws::ws_handle_t > m_kept;
    restinio::running_server_handle_t< Traits > m_server;
};

using test_server_t = basic_test_server_t< traits_t >;

void echo_handler( const rws::ws_handle_t & wsh, const rws::message_handle_t & m )
{
    if( rws::opcode_t::text_frame == m->opcode() || rws::opcode_t::binary_frame == m->opcode() )
        wsh->send_message( *m );
}

// What the request handler saw, for the test thread to check.
struct upgraded_t
{
    rws::ws_handle_t wsh;
    restinio::connection_id_t request_connection_id{ 0 };
    std::string request_remote_endpoint;
};

// A logger that keeps the errors the server logs, for a test to check.
class error_log_t
{
public:
    template< typename B > void trace( B && ) {}
    template< typename B > void info( B && ) {}
    template< typename B > void warn( B && ) {}
    template< typename B > void error( B && build )
    {
        std::string line = build();
        std::lock_guard< std::mutex > lock{ s_lock };
        s_lines.push_back( std::move( line ) );
    }

    static std::vector< std::string > lines()
    {
        std::lock_guard< std::mutex > lock{ s_lock };
        return s_lines;
    }
    static void clear()
    {
        std::lock_guard< std::mutex > lock{ s_lock };
        s_lines.clear();
    }

private:
    static inline std::mutex s_lock;
    static inline std::vector< std::string > s_lines;
};

using error_log_traits_t = restinio::traits_t< restinio::asio_timer_manager_t, error_log_t >;

template< typename T >
T get_within( std::future< T > & f )
{
    REQUIRE( std::future_status::ready == f.wait_for( 5s ) );
    return f.get();
}

} // namespace

TEST_CASE( "ws_t keeps the request's id and endpoint; shutdown() empties it", "[e2e][websocket][api]" )
{
    std::promise< upgraded_t > upgraded;
    auto result = upgraded.get_future();
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        upgraded_t u;
        u.request_connection_id = req->connection_id();
        u.request_remote_endpoint = fmt::format( "{}", fmt::streamed( req->remote_endpoint() ) );
        u.wsh = rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler );
        upgraded.set_value( u );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    auto u = get_within( result );

    CHECK( 0 != u.request_connection_id );
    CHECK( u.wsh->connection_id() == u.request_connection_id );
    CHECK( fmt::format( "{}", fmt::streamed( u.wsh->remote_endpoint() ) ) == u.request_remote_endpoint );
    CHECK( u.wsh->remote_endpoint().port() == client.local_port() );

    client.write( client_frame( rws::opcode_t::text_frame, "hello" ) );
    CHECK( client.read_frame() == std::string{ "\x81\x05hello" } );

    u.wsh->shutdown();          // from the test thread, not the server's
    CHECK( 0 == u.wsh->connection_id() );
    CHECK_THROWS_WITH( u.wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "late" ),
                       "websocket is not available" );
    CHECK_NOTHROW( u.wsh->shutdown() );
    CHECK_NOTHROW( u.wsh->kill() );
    CHECK( u.wsh->remote_endpoint().port() == client.local_port() );   // still valid

    CHECK( client.read_frame() == server_close( 1000 ) );
    client.write( client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( rws::status_code_t::normal_closure ) ) );
    CHECK( client.reads_eof() );
}

TEST_CASE( "deflate_params() says what permessage-deflate agreed on", "[e2e][websocket][api][deflate]" )
{
    std::promise< std::optional< rws::deflate_params_t > > agreed;
    auto result = agreed.get_future();
    test_server_t server{
            [ & ]( const restinio::request_handle_t & req ) {
                auto wsh = rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler );
                agreed.set_value( wsh->deflate_params() );
                server.keep( std::move( wsh ) );
                return restinio::request_accepted();
            },
            []( test_server_t::settings_t & settings ) {
                settings.websocket_deflate( rws::make_zlib_deflate( rws::deflate_options_t{} ) );
            } };

    raw_client_t client{ server.port() };
    const std::string head = client.upgrade( "/chat",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n" );
    CHECK( head.find( "Sec-WebSocket-Extensions: permessage-deflate" ) != std::string::npos );
    const auto params = get_within( result );
    REQUIRE( params.has_value() );
    // The library's defaults: no context takeover either way; the client's window as it asked.
    CHECK( params->server_no_context_takeover );
    CHECK( params->client_no_context_takeover );
    CHECK( 10 == params->client_max_window_bits );

    // No offer, nothing agreed: the handle says so, as one without a connection does.
    std::promise< std::optional< rws::deflate_params_t > > plain_agreed;
    result = plain_agreed.get_future();
    agreed.swap( plain_agreed );
    raw_client_t plain_client{ server.port() };
    REQUIRE( plain_client.upgrade( "/chat" ) == exact_101 );
    CHECK_FALSE( get_within( result ).has_value() );
}

TEST_CASE( "an echo that moves the payload costs the server no heap allocation per frame",
        "[e2e][websocket][alloc]" )
{
    // With whole messages too: an unfragmented message goes to the handler as it came.
    const bool whole_messages = GENERATE( false, true );
    INFO( ( whole_messages ? "whole messages" : "frame by frame" ) );
    const auto handler = []( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
        g_server_allocations = test_support::allocations_on_this_thread();
        if( rws::opcode_t::text_frame == m->opcode() )
            wsh->send_message( m->final_flag(), m->opcode(),
                               restinio::writable_item_t{ std::move( m->payload() ) } );
    };
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( whole_messages
                ? rws::upgrade< traits_t >( *req, rws::activation_t::immediate, rws::whole_messages( handler ) )
                : rws::upgrade< traits_t >( *req, rws::activation_t::immediate, handler ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    const std::string payload( 100, 'e' );
    const auto echo = [ & ] {
        client.write( client_frame( rws::opcode_t::text_frame, payload ) );
        REQUIRE( client.read_exact( 2 + payload.size() ) == std::string{ "\x81\x64" } + payload );
    };
    for( int i = 0; i != 50; ++i )      // warm up: pools and caches fill
        echo();
    const std::size_t before = g_server_allocations.load();
    for( int i = 0; i != 200; ++i )
        echo();
    if( test_support::counts_allocations )
        CHECK( g_server_allocations.load() - before == 0 );
    else
        WARN( "allocations are not counted in this build (ThreadSanitizer)" );
}

TEST_CASE( "sending a close frame empties the handle at once", "[e2e][websocket][api]" )
{
    std::promise< rws::ws_handle_t > upgraded;
    auto result = upgraded.get_future();
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        upgraded.set_value( rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    auto wsh = get_within( result );
    REQUIRE( 0 != wsh->connection_id() );

    wsh->send_message( rws::final_frame, rws::opcode_t::connection_close_frame,
                       rws::status_code_to_bin( rws::status_code_t::going_away ) + "bye" );
    CHECK( 0 == wsh->connection_id() );
    CHECK_THROWS_AS( wsh->send_message( rws::message_t{ rws::final_frame, rws::opcode_t::text_frame, "x" } ),
                     restinio::exception_t );

    CHECK( client.read_frame() == std::string{ "\x88\x05\x03\xe9" "bye" } );
    client.write( client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( rws::status_code_t::going_away ) ) );
    CHECK( client.reads_eof() );
}

TEST_CASE( "shutdown( code, reason ) sends that close, waits for the peer's, then ends", "[e2e][websocket][api]" )
{
    std::promise< rws::ws_handle_t > upgraded;
    auto result = upgraded.get_future();
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        upgraded.set_value( rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    auto wsh = get_within( result );

    CHECK_THROWS_AS( wsh->shutdown( rws::status_code_t::connection_lost ), restinio::exception_t );
    CHECK_THROWS_AS( wsh->shutdown( rws::status_code_t::going_away, std::string( 124, 'x' ) ), restinio::exception_t );
    CHECK_THROWS_AS( wsh->shutdown( rws::status_code_t::going_away, "\xff" ), restinio::exception_t );
    REQUIRE( 0 != wsh->connection_id() );

    wsh->shutdown( rws::status_code_t::going_away, "bye" );
    CHECK( 0 == wsh->connection_id() );
    wsh->shutdown( rws::status_code_t::going_away, "again" );    // an empty handle: nothing happens

    CHECK( client.read_frame() == std::string{ "\x88\x05\x03\xe9" "bye" } );
    client.write( client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( rws::status_code_t::going_away ) ) );
    CHECK( client.reads_eof() );
}

TEST_CASE( "a refused handshake gives a ws_t with id 0 and an HTTP answer", "[e2e][websocket][api]" )
{
    std::promise< rws::ws_handle_t > upgraded;
    auto result = upgraded.get_future();
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        upgraded.set_value( rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    client.write( "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: " + rfc_key + "\r\nSec-WebSocket-Version: 8\r\n\r\n" );
    const std::string head = client.read_until( "\r\n\r\n" );
    CHECK( head.rfind( "HTTP/1.1 426 ", 0 ) == 0 );
    CHECK( head.find( "\r\nSec-WebSocket-Version: 13\r\n" ) != std::string::npos );

    auto wsh = get_within( result );
    CHECK( 0 == wsh->connection_id() );
    CHECK_THROWS_WITH( wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "x" ),
                       "websocket is not available" );
    CHECK_NOTHROW( wsh->shutdown() );
}

TEST_CASE( "upgrade() misuse throws and leaves the request answerable", "[e2e][websocket][api]" )
{
    struct what_t { std::string no_accept, second_upgrade, response_after_upgrade; };
    std::promise< what_t > messages;
    auto result = messages.get_future();
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        std::string no_accept, moved, response;
        try
        {
            // (A) with no Sec-WebSocket-Accept among the fields
            (void)rws::upgrade< traits_t >( *req, rws::activation_t::immediate,
                                            restinio::http_header_fields_t{}, echo_handler );
        }
        catch( const restinio::exception_t & ex )
        {
            no_accept = ex.what();
        }
        if( req->header().path() == "/twice" )
        {
            auto wsh = rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler );
            try
            {
                (void)rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler );
            }
            catch( const restinio::exception_t & ex )
            {
                moved = ex.what();
            }
            try
            {
                req->create_response().done();
            }
            catch( const restinio::exception_t & ex )
            {
                response = ex.what();
            }
            server.keep( wsh );
        }
        else
            req->create_response( restinio::status_internal_server_error() ).connection_close().done();
        messages.set_value( { no_accept, moved, response } );
        return restinio::request_accepted();
    } };

    SECTION( "no Sec-WebSocket-Accept" )
    {
        raw_client_t client{ server.port() };
        // the request was still answered normally
        CHECK( client.upgrade( "/once" ).rfind( "HTTP/1.1 500 ", 0 ) == 0 );
        const auto r = get_within( result );
        CHECK( r.no_accept == "Sec-WebSocket-Accept field is mandatory for upgrade response" );
    }
    SECTION( "a second upgrade of the same request" )
    {
        raw_client_t client{ server.port() };
        CHECK( client.upgrade( "/twice" ) == exact_101 );
        const auto r = get_within( result );
        CHECK( r.second_upgrade == "no connection for upgrade: already moved" );
        CHECK( r.response_after_upgrade == "connection already moved" );
        client.write( client_frame( rws::opcode_t::text_frame, "ok" ) );
        CHECK( client.read_frame() == std::string{ "\x81\x02ok" } );
    }
}

TEST_CASE( "after the closing handshake sends are dropped and their callbacks say why", "[e2e][websocket][api]" )
{
    std::promise< rws::ws_handle_t > upgraded;
    auto result = upgraded.get_future();
    std::promise< void > close_seen;
    auto close_future = close_seen.get_future();
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        auto wsh = rws::upgrade< traits_t >( *req, rws::activation_t::immediate,
            [ &close_seen ]( const rws::ws_handle_t &, const rws::message_handle_t & m ) {
                if( rws::opcode_t::connection_close_frame == m->opcode() )
                    close_seen.set_value();
            } );
        upgraded.set_value( wsh );
        return restinio::request_accepted();
    } };

    auto client = std::make_unique< raw_client_t >( server.port() );
    REQUIRE( client->upgrade( "/chat" ) == exact_101 );
    auto wsh = get_within( result );

    // a write callback for a frame that is written reports success
    std::promise< restinio::asio_ns::error_code > written;
    auto written_future = written.get_future();
    wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "x",
                       [ &written ]( const restinio::asio_ns::error_code & ec ) { written.set_value( ec ); } );
    CHECK( !get_within( written_future ) );
    CHECK( client->read_frame() == std::string{ "\x81\x01x" } );

    client->write( client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( rws::status_code_t::normal_closure ) ) );
    REQUIRE( std::future_status::ready == close_future.wait_for( 5s ) );
    CHECK( client->read_frame() == server_close( 1000 ) );
    CHECK( client->reads_eof() );       // although wsh is still held
    client.reset();

    // The handle is still set, so sending does not throw; every frame is dropped: 101 while
    // the connection is closing, 100 once its socket is closed.
    CHECK( 0 != wsh->connection_id() );
    std::vector< int > codes;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while( ( codes.empty() || codes.back() != 100 ) && std::chrono::steady_clock::now() < deadline )
    {
        std::promise< restinio::asio_ns::error_code > dropped;
        auto dropped_future = dropped.get_future();
        REQUIRE_NOTHROW( wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "dropped",
                [ &dropped ]( const restinio::asio_ns::error_code & ec ) { dropped.set_value( ec ); } ) );
        const auto ec = get_within( dropped_future );
        CHECK( std::string{ "restinio" } == ec.category().name() );
        codes.push_back( ec.value() );
        std::this_thread::sleep_for( 10ms );
    }
    REQUIRE( !codes.empty() );
    CHECK( codes.back() == 100 );
    for( std::size_t i = 0; i + 1 < codes.size(); ++i )
        CHECK( codes[ i ] == 101 );
}

TEST_CASE( "a handler's std::exception is logged and the connection goes on", "[e2e][websocket][api]" )
{
    error_log_t::clear();
    std::atomic< restinio::connection_id_t > connection_id{ 0 };
    basic_test_server_t< error_log_traits_t > server{ [ & ]( const restinio::request_handle_t & req ) {
        connection_id = req->connection_id();
        server.keep( rws::upgrade< error_log_traits_t >( *req, rws::activation_t::immediate,
            []( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
                if( "throw" == m->payload() )
                    throw std::runtime_error{ "from the handler" };
                echo_handler( wsh, m );
            } ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( client_frame( rws::opcode_t::text_frame, "throw" ) + client_frame( rws::opcode_t::text_frame, "after" ) );
    CHECK( client.read_frame() == std::string{ "\x81\x05" "after" } );
    // Logged before "after" was handled, on the server's thread.
    CHECK( error_log_t::lines() == std::vector< std::string >{
            "[ws_connection:" + std::to_string( connection_id.load() ) + "] message handler failed: from the handler" } );
}

TEST_CASE( "shutdown() of a never activated connection", "[e2e][websocket][api]" )
{
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        auto wsh = rws::upgrade< traits_t >( *req, rws::activation_t::delayed, echo_handler );
        wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "before activation" );
        wsh->shutdown();
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    CHECK( client.read_frame() == std::string{ "\x81\x11" "before activation" } );
    CHECK( client.read_frame() == server_close( 1000 ) );
    client.write( client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( rws::status_code_t::normal_closure ) ) );
    CHECK( client.reads_eof() );
}

TEST_CASE( "a handle dropped in the request handler closes at once with 1000", "[e2e][websocket][api]" )
{
    test_server_t server{ [ & ]( const restinio::request_handle_t & req ) {
        (void)rws::upgrade< traits_t >( *req, rws::activation_t::immediate, echo_handler );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    CHECK( client.read_frame() == server_close( 1000 ) );
    client.write( client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( rws::status_code_t::normal_closure ) ) );
    CHECK( client.reads_eof() );
}

TEST_CASE( "an end of input that arrives together with data is not missed", "[e2e][websocket][api]" )
{
    // While the handler holds the server's thread, the client sends more bytes and its FIN:
    // epoll then reports both in one event, and the read that takes the bytes does not show
    // the end of input that came with them.
    std::promise< void > waiting;
    auto handler_waits = waiting.get_future();
    std::promise< void > sent_all;
    auto client_sent = sent_all.get_future();
    std::promise< std::string > closed;
    auto close_payload = closed.get_future();
    basic_test_server_t< single_thread_traits_t > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( rws::upgrade< single_thread_traits_t >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
                if( rws::opcode_t::connection_close_frame == m->opcode() )
                    return closed.set_value( m->payload() );
                if( "wait" == m->payload() )
                {
                    waiting.set_value();
                    // Loopback: what the client sent is in this socket's buffer once it
                    // returned from the send and the shutdown.
                    client_sent.wait_for( 5s );
                }
                echo_handler( wsh, m );
            } ) );
        return restinio::request_accepted();
    } };

    const std::string whole = client_frame( rws::opcode_t::text_frame, "hello" );
    const std::size_t sent = GENERATE( std::size_t{ 1 }, std::size_t{ 6 }, std::size_t{ 11 } );   // 2+4+5 bytes
    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( client_frame( rws::opcode_t::text_frame, "wait" ) );
    REQUIRE( std::future_status::ready == handler_waits.wait_for( 5s ) );
    client.write( whole.substr( 0, sent ) );
    client.shutdown_write();
    sent_all.set_value();

    CHECK( client.read_frame() == std::string{ "\x81\x04wait" } );
    CHECK( get_within( close_payload ) == rws::status_code_to_bin( rws::status_code_t::connection_lost ) );
    if( sent == whole.size() )
        CHECK( client.read_frame() == std::string{ "\x81\x05hello" } );
    CHECK( client.reads_eof() );
}
