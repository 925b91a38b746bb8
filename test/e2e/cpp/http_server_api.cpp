// The server's public API end to end, with a raw Asio client over 127.0.0.1: http_server_t on
// its own io_context (port 0, the post-bind hook, open_sync/close_sync and open_async/close_async
// on the io thread), run_async() and its handle, on_pool_runner_t, a connection state listener,
// an IP blocker, and max_parallel_connections. Every client operation has a deadline.
#include <restinio/core.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace
{

namespace asio = restinio::asio_ns;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

constexpr auto deadline = 5s;

const std::string hello_response =
    "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello";

[[nodiscard]] restinio::request_handling_status_t hello_handler( const restinio::request_handle_t & req )
{
    return req->create_response().set_body( "hello" ).done();
}

// A blocking-style client whose every operation runs on its own io_context with a time limit.
class raw_client_t
{
public:
    // Connects, or leaves the client unconnected (connected() == false) on refusal.
    explicit raw_client_t( std::uint16_t port )
    {
        asio::error_code result = asio::error::timed_out;
        m_socket.async_connect( tcp::endpoint{ asio::ip::make_address( "127.0.0.1" ), port },
            [&result]( const asio::error_code & ec ) { result = ec; } );
        run_for( deadline );
        m_connected = !result;
    }

    [[nodiscard]] bool connected() const noexcept { return m_connected; }
    [[nodiscard]] std::uint16_t local_port() const { return m_socket.local_endpoint().port(); }

    void write( const std::string & bytes )
    {
        asio::write( m_socket, asio::buffer( bytes ) );
    }

    // Reads until one whole response (header plus Content-Length bytes) is in; "" if the time
    // runs out, or whatever came if the server closed first.
    [[nodiscard]] std::string read_response( std::chrono::steady_clock::duration limit = deadline )
    {
        const auto until = std::chrono::steady_clock::now() + limit;
        while( !has_whole_response() )
        {
            if( !read_some( until ) )
                break;
        }
        const auto size = whole_response_size();
        std::string response = m_input.substr( 0, size ? *size : m_input.size() );
        m_input.erase( 0, response.size() );
        return response;
    }

    // True if the server closes the connection (EOF or reset) before `limit`.
    [[nodiscard]] bool reads_eof( std::chrono::steady_clock::duration limit = deadline )
    {
        const auto until = std::chrono::steady_clock::now() + limit;
        while( read_some( until ) ) {}
        return m_eof;
    }

    // True if nothing at all arrives (and the connection stays open) for `limit`.
    [[nodiscard]] bool stays_silent( std::chrono::steady_clock::duration limit )
    {
        const auto before = m_input.size();
        read_some( std::chrono::steady_clock::now() + limit );
        return !m_eof && m_input.size() == before;
    }

    [[nodiscard]] const std::string & pending_input() const noexcept { return m_input; }

    void close()
    {
        asio::error_code ignored;
        m_socket.shutdown( tcp::socket::shutdown_both, ignored );
        m_socket.close( ignored );
    }

private:
    void run_for( std::chrono::steady_clock::duration limit )
    {
        m_ioctx.restart();
        m_ioctx.run_for( std::chrono::duration_cast< std::chrono::milliseconds >( limit ) );
        if( !m_ioctx.stopped() )
        {
            // Time is up: cancel what is pending and let its handler run.
            asio::error_code ignored;
            m_socket.cancel( ignored );
            m_ioctx.restart();
            m_ioctx.run();
        }
    }

    // One read with a deadline. False on EOF, error or timeout.
    bool read_some( std::chrono::steady_clock::time_point until )
    {
        if( m_eof )
            return false;
        const auto now = std::chrono::steady_clock::now();
        if( now >= until )
            return false;
        char buffer[ 4096 ];
        std::optional< asio::error_code > result;
        std::size_t got = 0;
        m_socket.async_read_some( asio::buffer( buffer ),
            [&]( const asio::error_code & ec, std::size_t n ) { result = ec; got = n; } );
        run_for( until - now );
        m_input.append( buffer, got );
        if( !result || *result == asio::error::operation_aborted )
            return false;
        if( *result )
        {
            m_eof = true;       // EOF or reset: either way the server closed
            return false;
        }
        return true;
    }

    [[nodiscard]] std::optional< std::size_t > whole_response_size() const
    {
        const auto end = m_input.find( "\r\n\r\n" );
        if( end == std::string::npos )
            return std::nullopt;
        std::size_t length = 0;
        const auto pos = m_input.find( "Content-Length: " );
        if( pos != std::string::npos && pos < end )
            length = std::stoul( m_input.substr( pos + 16 ) );
        if( m_input.size() < end + 4 + length )
            return std::nullopt;
        return end + 4 + length;
    }

    [[nodiscard]] bool has_whole_response() const { return whole_response_size().has_value(); }

    asio::io_context m_ioctx;
    tcp::socket m_socket{ m_ioctx };
    std::string m_input;
    bool m_connected{ false };
    bool m_eof{ false };
};

// Waits (bounded) until `predicate` holds.
template< typename Predicate >
[[nodiscard]] bool eventually( Predicate && predicate, std::chrono::steady_clock::duration limit = deadline )
{
    const auto until = std::chrono::steady_clock::now() + limit;
    while( !predicate() )
    {
        if( std::chrono::steady_clock::now() >= until )
            return false;
        std::this_thread::sleep_for( 5ms );
    }
    return true;
}

// Sets `port` from the acceptor once it is bound to port 0.
[[nodiscard]] restinio::acceptor_post_bind_hook_t remember_port( std::atomic< std::uint16_t > & port )
{
    return [&port]( tcp::acceptor & acceptor ) { port = acceptor.local_endpoint().port(); };
}

// Runs a server's io_context on one thread of its own (kept busy by a work guard) and
// posts work to it, waiting for the result.
class io_thread_t
{
public:
    explicit io_thread_t( asio::io_context & ioctx )
        : m_ioctx{ ioctx }
        , m_work{ asio::make_work_guard( ioctx ) }
        , m_thread{ [this] { m_ioctx.run(); } }
    {}

    ~io_thread_t()
    {
        m_work.reset();
        m_ioctx.stop();
        m_thread.join();
    }

    template< typename F >
    void run_and_wait( F && f )
    {
        std::promise< void > done;
        auto result = done.get_future();
        asio::post( m_ioctx, [&] {
            try
            {
                f();
                done.set_value();
            }
            catch( ... )
            {
                done.set_exception( std::current_exception() );
            }
        } );
        REQUIRE( result.wait_for( deadline ) == std::future_status::ready );
        result.get();
    }

private:
    asio::io_context & m_ioctx;
    asio::executor_work_guard< asio::io_context::executor_type > m_work;
    std::thread m_thread;
};

using single_thread_traits_t = restinio::single_thread_traits_t<
        restinio::asio_timer_manager_t, restinio::null_logger_t >;

//
// connection state listener
//
class recording_listener_t
{
public:
    void state_changed( const restinio::connection_state::notice_t & notice ) noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        const auto cause = notice.cause();
        if( std::holds_alternative< restinio::connection_state::accepted_t >( cause ) )
            m_accepted.push_back( { notice.connection_id(), notice.remote_endpoint().port() } );
        else if( std::holds_alternative< restinio::connection_state::closed_t >( cause ) )
            m_closed.push_back( { notice.connection_id(), notice.remote_endpoint().port() } );
    }

    struct event_t
    {
        restinio::connection_id_t m_id;
        std::uint16_t m_port;
        bool operator==( const event_t & o ) const { return m_id == o.m_id && m_port == o.m_port; }
    };

    [[nodiscard]] std::vector< event_t > accepted() const
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_accepted;
    }
    [[nodiscard]] std::vector< event_t > closed() const
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_closed;
    }

private:
    mutable std::mutex m_lock;
    std::vector< event_t > m_accepted;
    std::vector< event_t > m_closed;
};

struct listener_traits_t : public restinio::default_traits_t
{
    using connection_state_listener_t = recording_listener_t;
};

//
// IP blocker
//
class switchable_blocker_t
{
public:
    restinio::ip_blocker::inspection_result_t inspect( const restinio::ip_blocker::incoming_info_t & info ) noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        ++m_inspected;
        m_last_address = info.remote_endpoint().address().to_string();
        return m_deny ? restinio::ip_blocker::deny() : restinio::ip_blocker::allow();
    }

    [[nodiscard]] int inspected() const
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_inspected;
    }
    [[nodiscard]] std::string last_address() const
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_last_address;
    }

    std::atomic< bool > m_deny{ true };

private:
    mutable std::mutex m_lock;
    int m_inspected{ 0 };
    std::string m_last_address;
};

struct blocker_traits_t : public restinio::default_traits_t
{
    using ip_blocker_t = switchable_blocker_t;
};

struct limiter_traits_t : public restinio::default_traits_t
{
    static constexpr bool use_connection_count_limiter = true;
};

} // namespace

TEST_CASE( "http_server_t on its own io_context: open_sync and close_sync on the io thread", "[e2e][http][server]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    int cleanups = 0;
    restinio::http_server_t< single_thread_traits_t > server{
        restinio::own_io_context(),
        [&]( auto & settings ) {
            settings.port( 0 )
                .address( "127.0.0.1" )
                .acceptor_post_bind_hook( remember_port( port ) )
                .cleanup_func( [&cleanups] { ++cleanups; } )
                .request_handler( hello_handler );
        } };

    io_thread_t io{ server.io_context() };
    io.run_and_wait( [&] { server.open_sync(); } );
    REQUIRE( port != 0 );
    io.run_and_wait( [&] { server.open_sync(); } );        // a second open does nothing

    {
        raw_client_t client{ port };
        REQUIRE( client.connected() );
        client.write( "GET / HTTP/1.1\r\nHost: x\r\n\r\n" );
        CHECK( client.read_response() == hello_response );
        client.write( "GET /again HTTP/1.1\r\nHost: x\r\n\r\n" );
        CHECK( client.read_response() == hello_response );
    }

    io.run_and_wait( [&] { server.close_sync(); } );
    CHECK( cleanups == 1 );
    io.run_and_wait( [&] { server.close_sync(); } );       // a second close does nothing
    CHECK( cleanups == 1 );

    raw_client_t refused{ port };
    CHECK_FALSE( refused.connected() );
}

TEST_CASE( "open_async and close_async report through their callbacks", "[e2e][http][server]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    restinio::http_server_t< single_thread_traits_t > server{
        restinio::own_io_context(),
        restinio::server_settings_t< single_thread_traits_t >{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .request_handler( hello_handler ) };
    io_thread_t io{ server.io_context() };

    std::promise< void > opened;
    server.open_async( [&]() noexcept { opened.set_value(); },
                       [&]( std::exception_ptr ex ) noexcept { opened.set_exception( ex ); } );
    auto open_result = opened.get_future();
    REQUIRE( open_result.wait_for( deadline ) == std::future_status::ready );
    open_result.get();

    raw_client_t client{ port };
    REQUIRE( client.connected() );
    client.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( client.read_response() == hello_response );

    std::promise< void > closed;
    server.close_async( [&]() noexcept { closed.set_value(); },
                        [&]( std::exception_ptr ex ) noexcept { closed.set_exception( ex ); } );
    auto close_result = closed.get_future();
    REQUIRE( close_result.wait_for( deadline ) == std::future_status::ready );
    close_result.get();
    CHECK_FALSE( raw_client_t{ port }.connected() );

    SECTION( "a failed open reports through the error callback" )
    {
        restinio::http_server_t< single_thread_traits_t > second{
            restinio::own_io_context(),
            restinio::server_settings_t< single_thread_traits_t >{}
                .port( 1 )                       // privileged or taken: bind fails
                .address( "203.0.113.1" )        // TEST-NET-3, not an address of this host
                .request_handler( hello_handler ) };
        io_thread_t second_io{ second.io_context() };
        std::promise< void > result;
        second.open_async( [&]() noexcept { result.set_value(); },
                           [&]( std::exception_ptr ex ) noexcept { result.set_exception( ex ); } );
        auto f = result.get_future();
        REQUIRE( f.wait_for( deadline ) == std::future_status::ready );
        CHECK_THROWS_AS( f.get(), std::system_error );
    }
}

TEST_CASE( "run_async returns a handle that stops the server when destroyed", "[e2e][http][run_async]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    std::atomic< int > cleanups{ 0 };
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t<>{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .cleanup_func( [&cleanups] { ++cleanups; } )
            .request_handler( hello_handler ),
        2 );
    // run_async returns once the server is open.
    REQUIRE( port != 0 );
    {
        raw_client_t client{ port };
        REQUIRE( client.connected() );
        client.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
        CHECK( client.read_response() == hello_response );
    }

    SECTION( "a second server on the same port fails, and run_async throws" )
    {
        CHECK_THROWS_AS(
            restinio::run_async(
                restinio::own_io_context(),
                restinio::server_settings_t<>{}.port( port ).address( "127.0.0.1" ).request_handler( hello_handler ),
                1 ),
            std::system_error );
    }

    handle.reset();
    CHECK( cleanups == 1 );
    CHECK_FALSE( raw_client_t{ port }.connected() );
}

TEST_CASE( "on_pool_runner_t starts, stops and waits", "[e2e][http][runner]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    std::atomic< int > cleanups{ 0 };
    restinio::http_server_t<> server{
        restinio::own_io_context(),
        restinio::server_settings_t<>{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .cleanup_func( [&cleanups] { ++cleanups; } )
            .request_handler( hello_handler ) };

    restinio::on_pool_runner_t< restinio::http_server_t<> > runner{ 3, server };
    CHECK_FALSE( runner.started() );
    runner.start();
    CHECK( runner.started() );
    REQUIRE( port != 0 );

    std::vector< std::unique_ptr< raw_client_t > > clients;
    for( int i = 0; i != 5; ++i )
    {
        clients.push_back( std::make_unique< raw_client_t >( port ) );
        REQUIRE( clients.back()->connected() );
        clients.back()->write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    }
    for( auto & client : clients )
        CHECK( client->read_response() == hello_response );

    runner.stop();
    runner.wait();
    CHECK( cleanups == 1 );
    CHECK_FALSE( raw_client_t{ port }.connected() );
}

TEST_CASE( "on_pool_runner_t with callbacks", "[e2e][http][runner]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    restinio::http_server_t<> server{
        restinio::own_io_context(),
        restinio::server_settings_t<>{}
            .port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( remember_port( port ) )
            .request_handler( hello_handler ) };
    restinio::on_pool_runner_t< restinio::http_server_t<> > runner{ 2, server };
    std::promise< void > started;
    runner.start( [&]() noexcept { started.set_value(); },
                  [&]( std::exception_ptr ex ) noexcept { started.set_exception( ex ); } );
    auto f = started.get_future();
    REQUIRE( f.wait_for( deadline ) == std::future_status::ready );
    f.get();

    raw_client_t client{ port };
    REQUIRE( client.connected() );
    client.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( client.read_response() == hello_response );

    runner.stop();
    runner.wait();
}

TEST_CASE( "a connection state listener hears accepted and closed", "[e2e][http][listener]" )
{
    auto listener = std::make_shared< recording_listener_t >();
    std::atomic< std::uint16_t > port{ 0 };
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t< listener_traits_t >{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .connection_state_listener( listener )
            .request_handler( hello_handler ),
        2 );

    std::uint16_t first_port = 0;
    {
        raw_client_t client{ port };
        REQUIRE( client.connected() );
        first_port = client.local_port();
        client.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
        CHECK( client.read_response() == hello_response );
        REQUIRE( eventually( [&] { return listener->accepted().size() == 1; } ) );
        CHECK( listener->closed().empty() );        // still open
    }
    REQUIRE( eventually( [&] { return listener->closed().size() == 1; } ) );
    CHECK( listener->accepted()[ 0 ].m_port == first_port );
    CHECK( listener->closed()[ 0 ] == listener->accepted()[ 0 ] );

    SECTION( "a server-side close is heard too" )
    {
        raw_client_t client{ port };
        REQUIRE( client.connected() );
        client.write( "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" );
        CHECK( client.reads_eof() );
        REQUIRE( eventually( [&] { return listener->closed().size() == 2; } ) );
        CHECK( listener->accepted().size() == 2 );
        CHECK( listener->accepted()[ 1 ].m_id != listener->accepted()[ 0 ].m_id );
        CHECK( listener->closed()[ 1 ] == listener->accepted()[ 1 ] );
    }
}

TEST_CASE( "an IP blocker that denies gets the connection closed before any request", "[e2e][http][ip_blocker]" )
{
    auto blocker = std::make_shared< switchable_blocker_t >();
    std::atomic< std::uint16_t > port{ 0 };
    std::atomic< int > handled{ 0 };
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t< blocker_traits_t >{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .ip_blocker( blocker )
            .request_handler( [&handled]( const restinio::request_handle_t & req ) {
                ++handled;
                return hello_handler( req );
            } ),
        1 );

    {
        raw_client_t denied{ port };
        REQUIRE( denied.connected() );              // the kernel accepts; the server drops it
        denied.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
        CHECK( denied.reads_eof() );
        CHECK( denied.pending_input().empty() );
    }
    CHECK( blocker->inspected() == 1 );
    CHECK( blocker->last_address() == "127.0.0.1" );
    CHECK( handled == 0 );

    blocker->m_deny = false;
    raw_client_t allowed{ port };
    REQUIRE( allowed.connected() );
    allowed.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( allowed.read_response() == hello_response );
    CHECK( blocker->inspected() == 2 );
    CHECK( handled == 1 );
}

TEST_CASE( "max_parallel_connections: a second connection waits until the first closes",
           "[e2e][http][limiter]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t< limiter_traits_t >{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .max_parallel_connections( 1 )
            .request_handler( hello_handler ),
        2 );

    raw_client_t first{ port };
    REQUIRE( first.connected() );
    first.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    REQUIRE( first.read_response() == hello_response );

    // The kernel completes the handshake (listen backlog), but the server does not accept.
    raw_client_t second{ port };
    REQUIRE( second.connected() );
    second.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( second.stays_silent( 300ms ) );

    // The first one is still served meanwhile.
    first.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( first.read_response() == hello_response );

    first.close();
    CHECK( second.read_response() == hello_response );

    SECTION( "and a third waits for the second" )
    {
        raw_client_t third{ port };
        REQUIRE( third.connected() );
        third.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
        CHECK( third.stays_silent( 200ms ) );
        second.close();
        CHECK( third.read_response() == hello_response );
    }
}

TEST_CASE( "concurrent accepts and separately created connections serve many clients at once",
           "[e2e][http][acceptor]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t<>{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .concurrent_accepts_count( 4 )
            .separate_accept_and_create_connect( true )
            .request_handler( hello_handler ),
        4 );

    std::vector< std::unique_ptr< raw_client_t > > clients;
    for( int i = 0; i != 20; ++i )
    {
        clients.push_back( std::make_unique< raw_client_t >( port ) );
        REQUIRE( clients.back()->connected() );
    }
    for( auto & client : clients )
        client->write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    for( auto & client : clients )
        CHECK( client->read_response() == hello_response );
}

TEST_CASE( "a server built without a handler, with router traits, answers 501", "[e2e][http][router]" )
{
    struct router_traits_t : public restinio::default_traits_t
    {
        using request_handler_t = restinio::router::express_router_t;
    };
    std::atomic< std::uint16_t > port{ 0 };
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t< router_traits_t >{}
            .port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( remember_port( port ) ),
        1 );
    raw_client_t client{ port };
    REQUIRE( client.connected() );
    client.write( "GET /anything HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( client.read_response() == "HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n" );
    CHECK( client.reads_eof() );
}

TEST_CASE( "an answer given after handle_request_timeout closed the connection reports an error",
           "[e2e][http][timeout]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    std::mutex lock;
    restinio::request_handle_t kept;
    auto handle = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t<>{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .handle_request_timeout( 200ms )
            .timer_manager( 50ms )
            .request_handler( [&]( restinio::request_handle_t req ) {
                std::lock_guard< std::mutex > guard{ lock };
                kept = std::move( req );
                return restinio::request_accepted();
            } ),
        2 );

    raw_client_t client{ port };
    REQUIRE( client.connected() );
    const auto sent_at = std::chrono::steady_clock::now();
    client.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
    CHECK( client.reads_eof() );
    const auto elapsed = std::chrono::steady_clock::now() - sent_at;
    CHECK( elapsed >= 190ms );
    CHECK( elapsed < 1s );
    CHECK( client.pending_input().empty() );        // closed silently: no 504, nothing

    std::promise< restinio::asio_ns::error_code > written;
    {
        std::lock_guard< std::mutex > guard{ lock };
        REQUIRE( kept );
        kept->create_response().set_body( "too late" ).done(
            [&written]( const restinio::asio_ns::error_code & ec ) { written.set_value( ec ); } );
    }
    auto result = written.get_future();
    REQUIRE( result.wait_for( deadline ) == std::future_status::ready );
    CHECK( result.get() == restinio::make_asio_compaible_error(
            restinio::asio_convertible_error_t::write_was_not_executed ) );
}

TEST_CASE( "run() on an existing server and a thread pool ends with initiate_shutdown",
           "[e2e][http][run]" )
{
    std::atomic< std::uint16_t > port{ 0 };
    std::atomic< int > cleanups{ 0 };
    restinio::http_server_t<> server{
        restinio::own_io_context(),
        restinio::server_settings_t<>{}
            .port( 0 )
            .address( "127.0.0.1" )
            .acceptor_post_bind_hook( remember_port( port ) )
            .cleanup_func( [&cleanups] { ++cleanups; } )
            .request_handler( hello_handler ) };

    std::thread runner{ [&server] {
        restinio::run( restinio::on_thread_pool( 2, restinio::skip_break_signal_handling(), server ) );
    } };
    // The hook runs between bind() and listen(): the port is known a moment before it listens.
    REQUIRE( eventually( [&] { return port != 0 && raw_client_t{ port }.connected(); } ) );
    {
        raw_client_t client{ port };
        REQUIRE( client.connected() );
        client.write( "GET / HTTP/1.1\r\nHost: t\r\n\r\n" );
        CHECK( client.read_response() == hello_response );
    }
    restinio::initiate_shutdown( server );
    runner.join();
    CHECK( cleanups == 1 );
    CHECK_FALSE( raw_client_t{ port }.connected() );
}
