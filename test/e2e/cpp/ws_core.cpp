// End-to-end regression tests of the WebSocket connection's core: what happens when user code
// re-enters a connection (send_message(), shutdown(), kill() or dropping the last handle, from a
// message handler or a write callback, or one connection's handler closing another), when a
// handler throws or an allocation fails on the receive path, whether message objects the user
// still references are reused, and calls from foreign threads while the peers close.
//
// As in ws_api.cpp: an in-process server on 127.0.0.1 (port 0, run_async) and blocking raw
// clients with a 5 s deadline on every read. Only the public API is used, so these tests hold
// any implementation of it to the same outcomes: the exact bytes on the wire, EOF, the exact
// number of handler calls, and a server that still serves a fresh connection afterwards.

#include <restinio/core.hpp>
#include <restinio/websocket/websocket.hpp>

#include <catch2/catch.hpp>

#include "../../replaces_new.hpp"
#include "ws_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rws = restinio::websocket::basic;
using namespace std::chrono_literals;

// ---- an operator new that can be made to fail ----
//
// Not under ThreadSanitizer (see replaces_new.hpp): the test that needs it is skipped there
// (with a WARN).

namespace
{

constexpr bool replaces_new = TEST_SUPPORT_REPLACES_NEW;

// While set, every allocation of at least 1 MiB, on any thread, throws std::bad_alloc.
std::atomic< bool > g_big_allocations_fail{ false };
constexpr std::size_t big_allocation_size = 1024 * 1024;

void * allocate( std::size_t size )
{
    if( size >= big_allocation_size && g_big_allocations_fail.load( std::memory_order_relaxed ) )
        throw std::bad_alloc{};
    if( void * p = std::malloc( size ? size : 1 ) )
        return p;
    throw std::bad_alloc{};
}

[[maybe_unused]] void * allocate_nothrow( std::size_t size ) noexcept
{
    try { return allocate( size ); }
    catch( ... ) { return nullptr; }
}

// Arms the failure for its lifetime.
struct big_allocations_fail_t
{
    big_allocations_fail_t() noexcept { g_big_allocations_fail = true; }
    ~big_allocations_fail_t() { g_big_allocations_fail = false; }
    big_allocations_fail_t( const big_allocations_fail_t & ) = delete;
    big_allocations_fail_t & operator=( const big_allocations_fail_t & ) = delete;
};

} // namespace

#if TEST_SUPPORT_REPLACES_NEW
// Every non-aligned form, so that each allocation and its release go through the same pair.
void * operator new( std::size_t size ) { return allocate( size ); }
void * operator new[]( std::size_t size ) { return allocate( size ); }
void * operator new( std::size_t size, const std::nothrow_t & ) noexcept { return allocate_nothrow( size ); }
void * operator new[]( std::size_t size, const std::nothrow_t & ) noexcept { return allocate_nothrow( size ); }
void operator delete( void * p ) noexcept { std::free( p ); }
void operator delete[]( void * p ) noexcept { std::free( p ); }
void operator delete( void * p, std::size_t ) noexcept { std::free( p ); }
void operator delete[]( void * p, std::size_t ) noexcept { std::free( p ); }
void operator delete( void * p, const std::nothrow_t & ) noexcept { std::free( p ); }
void operator delete[]( void * p, const std::nothrow_t & ) noexcept { std::free( p ); }
#endif

namespace
{

using traits_t = restinio::traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t >;
using single_thread_traits_t =
        restinio::single_thread_traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t >;

// The server configurations a test runs with (the type names show in the test names).
struct one_thread
{
    using traits = traits_t;
    static constexpr std::size_t threads = 1;
};
struct single_thread
{
    using traits = single_thread_traits_t;
    static constexpr std::size_t threads = 1;
};
struct pool_of_4
{
    using traits = traits_t;
    static constexpr std::size_t threads = 4;
};

using namespace ws_test;

// Every test's handler goes through one type, so that the connection is instantiated once per
// traits type rather than once per handler: this file took 78 s to compile at -O2 before.
using ws_handler_t = std::function< void( const rws::ws_handle_t &, const rws::message_handle_t & ) >;

template< typename Traits >
rws::ws_handle_t upgrade_ws( restinio::request_t & req, rws::activation_t activation, ws_handler_t handler )
{
    return rws::upgrade< Traits >( req, activation, std::move( handler ) );
}

// ---- the server ----

bool is_data( const rws::message_t & m )
{
    return rws::opcode_t::text_frame == m.opcode() || rws::opcode_t::binary_frame == m.opcode();
}

void echo_handler( const rws::ws_handle_t & wsh, const rws::message_handle_t & m )
{
    if( is_data( *m ) )
        wsh->send_message( *m );
}

// A server on its own threads. A request for /fresh is upgraded with an echo handler; any
// other goes to the test's handler. Handles given to keep(), and whatever on_stop() functions
// release, are dropped while the server stops, before its io_context goes.
template< typename Config >
class test_server_t
{
public:
    using traits = typename Config::traits;
    using handler_t = std::function< restinio::request_handling_status_t( const restinio::request_handle_t & ) >;

    explicit test_server_t( handler_t handler )
    {
        auto port = m_port_promise.get_future();
        m_server = restinio::run_async( restinio::own_io_context(),
                restinio::server_settings_t< traits >{}
                        .address( "127.0.0.1" )
                        .port( 0 )
                        .request_handler( [ this, h = std::move( handler ) ]( restinio::request_handle_t req ) {
                            if( "/fresh" == req->header().path() )
                            {
                                // Kept before it is activated, so before the client's echo:
                                // the server cannot be stopping yet.
                                auto wsh = upgrade_ws< traits >( *req, rws::activation_t::delayed, echo_handler );
                                keep( wsh );
                                activate( *wsh );
                                return restinio::request_accepted();
                            }
                            return h( req );
                        } )
                        .read_next_http_message_timelimit( 1s )
                        .timer_manager( 100ms )
                        .acceptor_post_bind_hook( [ this ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                            m_port_promise.set_value( a.local_endpoint().port() );
                        } )
                        .cleanup_func( [ this ] { release_all(); } ),
                Config::threads );
        m_port = port.get();
    }

    ~test_server_t() { m_server.reset(); }

    test_server_t( const test_server_t & ) = delete;
    test_server_t & operator=( const test_server_t & ) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }

    // A handle kept once the server is stopping (a pool thread may get here late) is dropped
    // at once, while the io_context still runs.
    void keep( rws::ws_handle_t wsh )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        if( !m_stopping )
            m_kept.push_back( std::move( wsh ) );
    }

    // `release` drops handles the test keeps elsewhere; it runs while the server stops.
    void on_stop( std::function< void() > release )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_on_stop.push_back( std::move( release ) );
    }

private:
    void release_all()
    {
        std::vector< rws::ws_handle_t > kept;
        std::vector< std::function< void() > > on_stop;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            m_stopping = true;
            kept.swap( m_kept );
            on_stop.swap( m_on_stop );
        }
        for( auto & release : on_stop )
            release();
    }

    std::promise< std::uint16_t > m_port_promise;
    std::uint16_t m_port{ 0 };
    std::mutex m_lock;
    bool m_stopping{ false };
    std::vector< rws::ws_handle_t > m_kept;
    std::vector< std::function< void() > > m_on_stop;
    restinio::running_server_handle_t< traits > m_server;
};

// A new client upgrades and gets an echo: the server survived what the test did.
void check_serves_a_fresh_connection( std::uint16_t port )
{
    INFO( "a fresh connection after the scenario" );
    raw_client_t client{ port };
    REQUIRE( client.upgrade( "/fresh" ) == exact_101 );
    client.write( client_text( "fresh" ) );
    CHECK( hex( client.read_frame() ) == hex( server_text( "fresh" ) ) );
}

template< typename T >
T get_within( std::future< T > & f )
{
    REQUIRE( std::future_status::ready == f.wait_for( 5s ) );
    return f.get();
}

// Echoes each data frame and, from the echo's write callback, calls `then( ws )`.
template< typename Then >
auto echo_then( Then then )
{
    return [ then ]( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
        if( is_data( *m ) )
            wsh->send_message( *m, [ wsh, then ]( const restinio::asio_ns::error_code & ) { then( *wsh ); } );
    };
}

// Text frames "m0", "m1", ... in one string, for one write (one segment: one read on the server).
std::string burst_of_texts( int count )
{
    std::string burst;
    for( int i = 0; i != count; ++i )
        burst += client_text( "m" + std::to_string( i ) );
    return burst;
}

// The closing handshake as the client finishes it after the server's close: answer, then EOF.
void answer_close_and_expect_eof( raw_client_t & client )
{
    client.write( client_close( rws::status_code_t::normal_closure ) );
    CHECK( client.reads_eof() );
}

} // namespace

// ---- 1, 2: closing from a write callback ----

TEMPLATE_TEST_CASE( "kill() from a write callback while the other frames of the write are released",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
                echo_then( []( rws::ws_t & ws ) { ws.kill(); } ) ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( burst_of_texts( 8 ) );      // one segment: one read, 8 echoes in one gathered write

    // Zero or more echoes, in order, then the end.
    int echoes = 0;
    for( std::string frame = client.read_frame(); !frame.empty(); frame = client.read_frame() )
    {
        REQUIRE( echoes < 8 );
        CHECK( hex( frame ) == hex( server_text( "m" + std::to_string( echoes ) ) ) );
        ++echoes;
    }
    INFO( echoes << " echoes, then " << to_string( client.ended() ) );
    CHECK( ( input_end_t::eof == client.ended() || input_end_t::reset == client.ended() ) );
    check_serves_a_fresh_connection( server.port() );
}

TEMPLATE_TEST_CASE( "shutdown() from a write callback sends the close after the echoes",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
                echo_then( []( rws::ws_t & ws ) { ws.shutdown(); } ) ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( burst_of_texts( 8 ) );

    // The echoes of the frames read before the first callback ran (all 8 when the server read
    // the segment at once), then the close; nothing after it.
    int echoes = 0;
    std::string frame = client.read_frame();
    for( ; echoes != 8 && frame == server_text( "m" + std::to_string( echoes ) ); frame = client.read_frame() )
        ++echoes;
    INFO( echoes << " echoes" );
    CHECK( echoes >= 1 );
    CHECK( hex( frame ) == hex( server_close( 1000 ) ) );
    answer_close_and_expect_eof( client );
    check_serves_a_fresh_connection( server.port() );
}

// ---- 3: one connection's handler closes another ----

TEMPLATE_TEST_CASE( "shutdown() of another connection from a handler leaves the handler's input intact",
        "[e2e][websocket][core]", single_thread, one_thread )
{
    using traits = typename TestType::traits;
    std::mutex lock;
    rws::ws_handle_t b_handle;
    std::promise< void > b_upgraded;
    auto b_ready = b_upgraded.get_future();
    std::promise< void > a_holds_thread;
    auto a_in_handler = a_holds_thread.get_future();
    std::promise< void > b_client_sent;
    auto b_sent = b_client_sent.get_future();
    std::atomic< bool > b_sent_in_time{ false };

    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        if( "/b" == req->header().path() )
        {
            auto wsh = upgrade_ws< traits >( *req, rws::activation_t::immediate, echo_handler );
            {
                std::lock_guard< std::mutex > guard{ lock };
                b_handle = wsh;
            }
            server.keep( wsh );
            b_upgraded.set_value();
            return restinio::request_accepted();
        }
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
                if( !is_data( *m ) )
                    return;
                if( "kick" == m->payload() )
                {
                    // Hold the server's thread until B's client has sent a frame: its bytes
                    // then wait unread in B's socket while B is shut down.
                    a_holds_thread.set_value();
                    b_sent_in_time = std::future_status::ready == b_sent.wait_for( 5s );
                    rws::ws_handle_t b;
                    {
                        std::lock_guard< std::mutex > guard{ lock };
                        b = b_handle;
                    }
                    b->shutdown();
                }
                wsh->send_message( *m );
            } ) );
        return restinio::request_accepted();
    } };
    server.on_stop( [ & ] {
        std::lock_guard< std::mutex > guard{ lock };
        b_handle.reset();
    } );

    raw_client_t b{ server.port() };
    REQUIRE( b.upgrade( "/b" ) == exact_101 );
    REQUIRE( std::future_status::ready == b_ready.wait_for( 5s ) );
    raw_client_t a{ server.port() };
    REQUIRE( a.upgrade( "/a" ) == exact_101 );

    a.write( client_text( "kick" ) + client_text( "hello" ) );      // one segment, one read
    REQUIRE( std::future_status::ready == a_in_handler.wait_for( 5s ) );
    // Long enough to cover the whole of A's input where it would be read into the same place.
    b.write( client_text( std::string( 100, 'b' ) ) );
    b_client_sent.set_value();

    CHECK( hex( a.read_frame() ) == hex( server_text( "kick" ) ) );
    CHECK( hex( a.read_frame() ) == hex( server_text( "hello" ) ) );
    CHECK( b_sent_in_time );
    // B sends no data frame after its close (RFC 6455 5.5.1); its frame is dropped.
    CHECK( hex( b.read_frame() ) == hex( server_close( 1000 ) ) );
    answer_close_and_expect_eof( b );

    a.write( client_text( "still open" ) );
    CHECK( hex( a.read_frame() ) == hex( server_text( "still open" ) ) );
    check_serves_a_fresh_connection( server.port() );
}

// ---- 4: the handler runs after upgrade() returns ----

TEMPLATE_TEST_CASE( "the message handler is first called after upgrade() returns",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    std::atomic< bool > upgrade_returned{ false };
    std::atomic< int > calls{ 0 };
    std::atomic< int > calls_before_upgrade_returned{ 0 };
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        auto wsh = upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t & h, const rws::message_handle_t & m ) {
                ++calls;
                if( !upgrade_returned )
                    ++calls_before_upgrade_returned;
                echo_handler( h, m );
            } );
        upgrade_returned = true;
        server.keep( wsh );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    // The frame comes with the request: the server has it before upgrade() is called.
    client.write( upgrade_request( "/chat" ) + client_text( "early" ) );
    CHECK( client.read_until( "\r\n\r\n" ) == exact_101 );
    CHECK( hex( client.read_frame() ) == hex( server_text( "early" ) ) );
    CHECK( 1 == calls );
    CHECK( 0 == calls_before_upgrade_returned );
    check_serves_a_fresh_connection( server.port() );
}

// ---- 5: a handler that throws ----

TEMPLATE_TEST_CASE( "a handler's exception (std:: or not) is caught and reading goes on",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    std::atomic< int > calls{ 0 };
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
                ++calls;
                if( "throw" == m->payload() )
                    throw std::runtime_error{ "from the handler" };
                if( "throw 42" == m->payload() )
                    throw 42;
                echo_handler( wsh, m );
            } ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( client_text( "throw" ) + client_text( "after" ) +
                  client_text( "throw 42" ) + client_text( "after 42" ) );
    CHECK( hex( client.read_frame() ) == hex( server_text( "after" ) ) );
    CHECK( hex( client.read_frame() ) == hex( server_text( "after 42" ) ) );
    CHECK( 4 == calls );
    // A throw from a separate read, too.
    client.write( client_text( "throw 42" ) );
    client.write( client_text( "last" ) );
    CHECK( hex( client.read_frame() ) == hex( server_text( "last" ) ) );
    CHECK( 6 == calls );
    check_serves_a_fresh_connection( server.port() );
}

// ---- 6: an allocation failure on the receive path ----

TEMPLATE_TEST_CASE( "a failed allocation for a received payload closes that connection with 1011",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    if( !replaces_new )
    {
        WARN( "operator new cannot be replaced in this build (ThreadSanitizer): skipped" );
        return;
    }
    using traits = typename TestType::traits;
    std::promise< std::string > close_reported;
    auto close_payload = close_reported.get_future();
    std::atomic< int > closes{ 0 };
    std::atomic< int > data_messages{ 0 };
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t &, const rws::message_handle_t & m ) {
                if( rws::opcode_t::connection_close_frame == m->opcode() )
                {
                    if( 0 == closes++ )
                        close_reported.set_value( m->payload() );
                }
                else
                    ++data_messages;
            } ) );
        return restinio::request_accepted();
    } };

    // Built before the failures are armed.
    const std::string frame = client_frame( rws::opcode_t::binary_frame, std::string( 4 * 1024 * 1024, 'z' ) );
    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    std::string first;
    {
        big_allocations_fail_t armed;
        (void)client.write_while_accepted( frame );
        first = client.read_frame();
    }
    if( first.empty() )
        CHECK( ( input_end_t::eof == client.ended() || input_end_t::reset == client.ended() ) );
    else
    {
        CHECK( hex( first ) == hex( server_close( 1011 ) ) );
        CHECK( client.reads_eof() );
    }
    REQUIRE( std::future_status::ready == close_payload.wait_for( 5s ) );
    CHECK( hex( close_payload.get() ) == hex( rws::status_code_to_bin( rws::status_code_t::unexpected_condition ) ) );
    CHECK( 0 == data_messages );
    check_serves_a_fresh_connection( server.port() );
    CHECK( 1 == closes );
}

// ---- 7: kill() and the rest of the input ----

TEMPLATE_TEST_CASE( "after kill() in the handler no further frame of the same read is delivered",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    std::atomic< int > calls{ 0 };
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t & wsh, const rws::message_handle_t & ) {
                ++calls;
                wsh->kill();
            } ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( client_text( "one" ) + client_text( "two" ) + client_text( "three" ) );
    CHECK( client.reads_eof() );
    // One server thread: once the fresh connection is served, that read was processed to its end.
    check_serves_a_fresh_connection( server.port() );
    CHECK( 1 == calls );
}

// ---- 8: message objects the user still references ----

TEMPLATE_TEST_CASE( "a message the user still references is not reused for a later frame",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    struct seen_t
    {
        std::weak_ptr< rws::message_t > message;
        std::weak_ptr< rws::message_t > from_this;
        std::string payload;
    };
    std::mutex lock;
    std::vector< seen_t > seen;
    std::vector< std::string > reused;      // what a weak pointer gave instead of its own payload
    std::string first_on_fourth = "(not checked)";

    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t & wsh, const rws::message_handle_t & m ) {
                if( !is_data( *m ) )
                    return;
                std::lock_guard< std::mutex > guard{ lock };
                for( const auto & s : seen )
                {
                    for( const auto & weak : { s.message, s.from_this } )
                        if( const auto locked = weak.lock() )
                            if( locked->payload() != s.payload )
                                reused.push_back( s.payload + " became " + locked->payload() );
                }
                if( 3 == seen.size() )
                {
                    const auto first = seen.front().message.lock();
                    first_on_fourth = first ? first->payload() : "(expired)";
                }
                seen.push_back( { m, m->weak_from_this(), m->payload() } );
                wsh->send_message( *m );
            } ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    for( const std::string payload : { "one", "two", "three", "four" } )
    {
        client.write( client_text( payload ) );
        CHECK( hex( client.read_frame() ) == hex( server_text( payload ) ) );
    }
    {
        std::lock_guard< std::mutex > guard{ lock };
        INFO( "the first message, locked on the fourth: " << first_on_fourth );
        CHECK( ( "(expired)" == first_on_fourth || "one" == first_on_fourth ) );
        std::string all_reused;
        for( const auto & r : reused )
            all_reused += r + "; ";
        INFO( "reused: " << all_reused );
        CHECK( reused.empty() );
    }
    check_serves_a_fresh_connection( server.port() );
}

TEST_CASE( "a message handed to another thread keeps its payload while that thread reads it",
        "[e2e][websocket][core][threads]" )
{
    using traits = pool_of_4::traits;
    constexpr int message_count = 2000;
    const auto payload_of = []( int i ) {
        std::string payload = "message " + std::to_string( i ) + " ";
        while( payload.size() != 200 )
            payload += static_cast< char >( 'a' + ( i + payload.size() ) % 26 );
        return payload;
    };

    // The consumer: takes each message from the queue, compares it whole, and drops it.
    std::mutex lock;
    std::condition_variable changed;
    std::deque< rws::message_handle_t > queue;
    bool stop = false;
    int checked = 0;
    std::vector< int > wrong;
    // Messages the consumer has dropped, counted with relaxed stores: the handler waits for its
    // message to be dropped, so that the server finds it unshared when the handler returns, but
    // the wait creates no happens-before edge that the server itself would have to make.
    std::atomic< int > dropped{ 0 };
    std::thread consumer{ [ & ] {
        std::unique_lock< std::mutex > guard{ lock };
        for( ;; )
        {
            changed.wait( guard, [ & ] { return stop || !queue.empty(); } );
            if( queue.empty() )
                return;
            auto m = std::move( queue.front() );
            queue.pop_front();
            const int index = checked;
            guard.unlock();
            // All of it: what the server sets on a message in inline code (FIN, opcode) shows
            // to ThreadSanitizer, while the payload string is assigned inside libstdc++.
            const bool same = m->is_final() && rws::opcode_t::text_frame == m->opcode() &&
                              m->payload() == payload_of( index );
            m.reset();
            dropped.fetch_add( 1, std::memory_order_relaxed );
            guard.lock();
            if( !same )
                wrong.push_back( index );
            ++checked;
            changed.notify_all();
        }
    } };
    struct join_t
    {
        std::function< void() > stop_and_join;
        ~join_t() { stop_and_join(); }
    } join{ [ & ] {
        {
            std::lock_guard< std::mutex > guard{ lock };
            stop = true;
        }
        changed.notify_all();
        consumer.join();
    } };

    int handed = 0;     // touched by the handler only (one connection: its calls are ordered)
    test_server_t< pool_of_4 > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate,
            [ & ]( const rws::ws_handle_t &, const rws::message_handle_t & m ) {
                if( !is_data( *m ) )
                    return;
                {
                    std::lock_guard< std::mutex > guard{ lock };
                    queue.push_back( m );
                }
                changed.notify_all();
                ++handed;
                // As a handler that goes on with other work would: by the time it returns, the
                // consumer is done with the message (bounded: 1 s).
                const auto until = std::chrono::steady_clock::now() + 1s;
                while( dropped.load( std::memory_order_relaxed ) < handed && std::chrono::steady_clock::now() < until )
                    std::this_thread::yield();
            } ) );
        return restinio::request_accepted();
    } };
    server.on_stop( [ & ] {
        std::lock_guard< std::mutex > guard{ lock };
        queue.clear();
    } );

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    for( int i = 0; i != message_count; )
    {
        std::string batch;
        for( int j = 0; j != 50; ++j, ++i )
            batch += client_text( payload_of( i ) );
        client.write( batch );
    }
    std::unique_lock< std::mutex > guard{ lock };
    REQUIRE( changed.wait_for( guard, 20s, [ & ] { return message_count == checked; } ) );
    INFO( wrong.size() << " wrong payloads, the first at message " << ( wrong.empty() ? -1 : wrong.front() ) );
    CHECK( wrong.empty() );
    guard.unlock();
    check_serves_a_fresh_connection( server.port() );
}

// ---- 9: Expect: 100-continue ----

TEMPLATE_TEST_CASE( "an upgrade request with Expect: 100-continue gets a whole 101",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate, echo_handler ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    client.write( upgrade_request( "/chat", "Expect: 100-continue\r\n" ) );
    std::string head = client.read_until( "\r\n\r\n" );
    if( "HTTP/1.1 100 Continue\r\n\r\n" == head )
        head = client.read_until( "\r\n\r\n" );
    CHECK( head == exact_101 );
    client.write( client_text( "after 101" ) );
    CHECK( hex( client.read_frame() ) == hex( server_text( "after 101" ) ) );
    check_serves_a_fresh_connection( server.port() );
}

// With a body, the 100 (Continue) is written before the body is read: the request reaches the
// handler (and upgrade() takes the socket) only once that write is done.
TEMPLATE_TEST_CASE( "an upgrade request with a body and Expect: 100-continue gets 100, then 101",
        "[e2e][websocket][core]", one_thread, single_thread )
{
    using traits = typename TestType::traits;
    test_server_t< TestType > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( upgrade_ws< traits >( *req, rws::activation_t::immediate, echo_handler ) );
        return restinio::request_accepted();
    } };

    raw_client_t client{ server.port() };
    client.write( upgrade_request( "/chat", "Expect: 100-continue\r\nContent-Length: 4\r\n" ) );
    CHECK( client.read_until( "\r\n\r\n" ) == "HTTP/1.1 100 Continue\r\n\r\n" );
    client.write( std::string{ "body" } + client_text( "after 101" ) );
    CHECK( client.read_until( "\r\n\r\n" ) == exact_101 );
    CHECK( hex( client.read_frame() ) == hex( server_text( "after 101" ) ) );
    check_serves_a_fresh_connection( server.port() );
}

// ---- 10: every member of ws_t from every callback ----

namespace
{

enum class action_t
{
    send_message_t,         // send_message( message_t, ... )
    send_message_fields,    // send_message( final_flag, opcode, payload, ... )
    connection_id,
    remote_endpoint,
    shutdown,
    shutdown_with_code,
    kill,
    drop_last_handle
};

struct action_row_t
{
    action_t action;
    const char * name;
};

const action_row_t all_actions[] = {
    { action_t::send_message_t, "send_message( message_t )" },
    { action_t::send_message_fields, "send_message( final_flag, opcode, payload )" },
    { action_t::connection_id, "connection_id()" },
    { action_t::remote_endpoint, "remote_endpoint()" },
    { action_t::shutdown, "shutdown()" },
    { action_t::shutdown_with_code, "shutdown( going_away, \"bye\" )" },
    { action_t::kill, "kill()" },
    { action_t::drop_last_handle, "dropping the last ws_handle_t" },
};

// The client sends "hi"; the handler does `action` itself, or echoes "hi" and does it from
// that write's callback. Then the client checks exactly what follows.
template< typename Config >
void run_member_call( action_t action, bool from_write_callback )
{
    using traits = typename Config::traits;
    std::mutex lock;
    std::map< restinio::connection_id_t, rws::ws_handle_t > handles;    // the only handle
    std::atomic< restinio::connection_id_t > request_id{ 0 };
    std::atomic< restinio::connection_id_t > seen_id{ 0 };
    std::atomic< std::uint16_t > seen_port{ 0 };
    std::atomic< bool > handle_missing{ false };
    // A write callback runs after its bytes are written, so possibly after the client has read
    // them: the test waits for what the callback records.
    std::condition_variable recorded;
    const auto record = [ & ]( auto & where, auto value ) {
        std::lock_guard< std::mutex > guard{ lock };
        where = value;
        recorded.notify_all();
    };
    const auto wait_recorded = [ & ]( auto & where ) {
        std::unique_lock< std::mutex > guard{ lock };
        return recorded.wait_for( guard, 5s, [ & ] { return 0 != where; } );
    };

    const auto act = [ & ]( const rws::ws_handle_t & wsh, const rws::message_t & m ) {
        switch( action )
        {
            case action_t::send_message_t: wsh->send_message( m ); break;
            case action_t::send_message_fields:
                wsh->send_message( m.final_flag(), m.opcode(), restinio::writable_item_t{ m.payload() } );
                break;
            case action_t::connection_id: record( seen_id, wsh->connection_id() ); break;
            case action_t::remote_endpoint: record( seen_port, wsh->remote_endpoint().port() ); break;
            case action_t::shutdown: wsh->shutdown(); break;
            case action_t::shutdown_with_code: wsh->shutdown( rws::status_code_t::going_away, "bye" ); break;
            case action_t::kill: wsh->kill(); break;
            case action_t::drop_last_handle:
            {
                rws::ws_handle_t last;
                {
                    std::lock_guard< std::mutex > guard{ lock };
                    auto it = handles.find( request_id.load() );
                    if( it == handles.end() )
                        handle_missing = true;
                    else
                    {
                        last = std::move( it->second );
                        handles.erase( it );
                    }
                }
                break;      // `last` goes here, outside the lock
            }
        }
    };

    test_server_t< Config > server{ [ & ]( const restinio::request_handle_t & req ) {
        request_id = req->connection_id();
        // Activated once stored: the handler (which may drop the stored handle) and the test's
        // end both come after the store.
        auto wsh = upgrade_ws< traits >( *req, rws::activation_t::delayed,
            [ & ]( const rws::ws_handle_t & h, const rws::message_handle_t & m ) {
                if( !is_data( *m ) )
                    return;
                if( !from_write_callback )
                    return act( h, *m );
                // The callback holds the handle only where the action needs one: dropping the
                // last handle must not find another in the callback's capture.
                const std::weak_ptr< rws::ws_t > weak = h;
                h->send_message( *m, [ &act, action, weak, copy = *m ]( const restinio::asio_ns::error_code & ) {
                    if( auto strong = weak.lock() )
                    {
                        if( action_t::drop_last_handle == action )
                        {
                            strong.reset();
                            return act( nullptr, copy );
                        }
                        act( strong, copy );
                    }
                } );
            } );
        {
            std::lock_guard< std::mutex > guard{ lock };
            handles[ req->connection_id() ] = wsh;
        }
        activate( *wsh );
        return restinio::request_accepted();
    } };
    server.on_stop( [ & ] {
        std::map< restinio::connection_id_t, rws::ws_handle_t > released;
        {
            std::lock_guard< std::mutex > guard{ lock };
            released.swap( handles );
        }
    } );

    raw_client_t client{ server.port() };
    REQUIRE( client.upgrade( "/chat" ) == exact_101 );
    client.write( client_text( "hi" ) );

    const std::string hi = server_text( "hi" );
    if( from_write_callback )
        CHECK( hex( client.read_frame() ) == hex( hi ) );
    switch( action )
    {
        case action_t::send_message_t:
        case action_t::send_message_fields:
            CHECK( hex( client.read_frame() ) == hex( hi ) );
            break;
        default: break;
    }
    switch( action )
    {
        case action_t::send_message_t:
        case action_t::send_message_fields:
        case action_t::connection_id:
        case action_t::remote_endpoint:
            // The connection is still open, and nothing else was sent: a close is answered.
            client.write( client_close( rws::status_code_t::normal_closure ) );
            CHECK( hex( client.read_frame() ) == hex( server_close( 1000 ) ) );
            CHECK( client.reads_eof() );
            break;
        case action_t::shutdown:
        case action_t::drop_last_handle:
            CHECK( hex( client.read_frame() ) == hex( server_close( 1000 ) ) );
            answer_close_and_expect_eof( client );
            break;
        case action_t::shutdown_with_code:
            CHECK( hex( client.read_frame() ) == hex( server_close( 1001, "bye" ) ) );
            answer_close_and_expect_eof( client );
            break;
        case action_t::kill:
            CHECK( client.reads_eof() );
            break;
    }
    if( action_t::connection_id == action )
    {
        CHECK( 0 != request_id );
        CHECK( wait_recorded( seen_id ) );
        CHECK( seen_id == request_id );
    }
    if( action_t::remote_endpoint == action )
    {
        CHECK( wait_recorded( seen_port ) );
        CHECK( seen_port == client.local_port() );
    }
    CHECK( !handle_missing );
    check_serves_a_fresh_connection( server.port() );
}

} // namespace

TEMPLATE_TEST_CASE( "every ws_t member called from the message handler and from a write callback",
        "[e2e][websocket][core]", one_thread, single_thread, pool_of_4 )
{
    for( const bool from_write_callback : { false, true } )
    {
        DYNAMIC_SECTION( ( from_write_callback ? "from a write callback" : "from the message handler" ) )
        {
            for( const auto & row : all_actions )
            {
                DYNAMIC_SECTION( row.name )
                {
                    run_member_call< TestType >( row.action, from_write_callback );
                }
            }
        }
    }
}

// ---- 11: foreign threads while the peers close ----

TEST_CASE( "foreign threads call send_message() shutdown() and kill() while the peers close", "[e2e][websocket][core][threads]" )
{
    using traits = pool_of_4::traits;
    constexpr std::size_t client_count = 20;
    constexpr int thread_count = 3;
    constexpr int max_passes = 200;

    std::mutex lock;
    std::vector< rws::ws_handle_t > handles;
    std::condition_variable upgraded;
    std::atomic< long > callbacks_asked{ 0 };
    std::atomic< long > callbacks_called{ 0 };      // by the server, until it stops
    // Stopped within the test, under a watchdog.
    std::optional< test_server_t< pool_of_4 > > server;
    server.emplace( [ & ]( const restinio::request_handle_t & req ) {
        auto wsh = upgrade_ws< traits >( *req, rws::activation_t::immediate, echo_handler );
        {
            std::lock_guard< std::mutex > guard{ lock };
            handles.push_back( std::move( wsh ) );
        }
        upgraded.notify_all();
        return restinio::request_accepted();
    } );
    server->on_stop( [ & ] {
        std::vector< rws::ws_handle_t > released;
        std::lock_guard< std::mutex > guard{ lock };
        released.swap( handles );
    } );

    std::vector< std::unique_ptr< raw_client_t > > clients;
    for( std::size_t i = 0; i != client_count; ++i )
    {
        clients.push_back( std::make_unique< raw_client_t >( server->port() ) );
        REQUIRE( clients.back()->upgrade( "/chat" ) == exact_101 );
    }
    std::vector< rws::ws_handle_t > stored;
    {
        std::unique_lock< std::mutex > guard{ lock };
        REQUIRE( upgraded.wait_for( guard, 5s, [ & ] { return handles.size() == client_count; } ) );
        stored = handles;
    }

    std::atomic< bool > peers_closed{ false };
    std::atomic< long > unavailable{ 0 };
    std::atomic< long > unexpected{ 0 };
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    struct threads_t
    {
        std::vector< std::thread > threads;
        void join_all()
        {
            for( auto & thread : threads )
                if( thread.joinable() )
                    thread.join();
        }
        ~threads_t() { join_all(); }
    } foreign;
    auto & threads = foreign.threads;
    for( int t = 0; t != thread_count; ++t )
        threads.emplace_back( [ &, t ] {
            for( int pass = 0; pass != max_passes && std::chrono::steady_clock::now() < deadline; ++pass )
            {
                for( std::size_t i = 0; i != stored.size(); ++i )
                {
                    const auto & wsh = stored[ i ];
                    // A quarter of the handles is only ever closed by its peer; the others also
                    // from here, each by one of shutdown(), shutdown( code, reason ) and kill(),
                    // early (while the peers close), and by every thread in turn.
                    const bool close_now = pass == 3 + static_cast< int >( i % 5 ) + t;
                    try
                    {
                        if( close_now && 1 == i % 4 )
                            wsh->shutdown();
                        else if( close_now && 2 == i % 4 )
                            wsh->shutdown( rws::status_code_t::going_away, "bye" );
                        else if( close_now && 3 == i % 4 )
                            wsh->kill();
                        else if( 0 == ( pass + t ) % 8 )
                            (void)wsh->connection_id();
                        else
                        {
                            wsh->send_message( rws::final_frame, rws::opcode_t::text_frame,
                                    restinio::writable_item_t{ "x" },
                                    [ & ]( const restinio::asio_ns::error_code & ) { ++callbacks_called; } );
                            ++callbacks_asked;
                        }
                    }
                    catch( const restinio::exception_t & )
                    {
                        ++unavailable;      // an emptied handle
                    }
                    catch( ... )
                    {
                        ++unexpected;
                    }
                }
                if( peers_closed && pass >= 50 )
                    break;
            }
        } );

    for( auto & client : clients )
    {
        client->write( client_close( rws::status_code_t::normal_closure ) );
        client.reset();
    }
    peers_closed = true;
    foreign.join_all();
    INFO( callbacks_asked << " sends, " << callbacks_called << " callbacks, " << unavailable << " calls on emptied handles" );
    CHECK( 0 == unexpected );
    CHECK( callbacks_called <= callbacks_asked );

    check_serves_a_fresh_connection( server->port() );
    stored.clear();

    // The server stops within 10 s (it is stopped by the destructor below, on this thread).
    std::mutex watchdog_lock;
    std::condition_variable watchdog_cv;
    bool stopped = false;
    std::thread watchdog{ [ & ] {
        std::unique_lock< std::mutex > guard{ watchdog_lock };
        if( !watchdog_cv.wait_for( guard, 10s, [ & ] { return stopped; } ) )
        {
            std::fputs( "the server did not stop within 10 s\n", stderr );
            std::abort();
        }
    } };
    server.reset();
    {
        std::lock_guard< std::mutex > guard{ watchdog_lock };
        stopped = true;
    }
    watchdog_cv.notify_all();
    watchdog.join();
}
