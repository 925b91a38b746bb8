// Server settings (server.md 5): the defaults, the address rewriting, the error texts of the
// checked setters, the & and && setter chains, and when a request handler (or logger, listener,
// IP blocker) may be left out. A server built from settings answers one request on 127.0.0.1,
// on its own io_context, to show the settings it was given are the ones it uses.
#include <restinio/settings.hpp>

#include <restinio/http_server.hpp>
#include <restinio/http_server_run.hpp>
#include <restinio/null_timer_manager.hpp>
#include <restinio/ostream_logger.hpp>
#include <restinio/router/express.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace
{

using namespace std::chrono_literals;

using settings_t = restinio::server_settings_t<>;

template< typename Settings >
[[nodiscard]] std::string address_text( const Settings & s )
{
    const auto & a = s.address();
    if( std::holds_alternative< restinio::details::no_address_specified_t >( a ) )
        return "<none>";
    if( const auto * text = std::get_if< std::string >( &a ) )
        return "string " + *text;
    return "address " + std::get< restinio::asio_ns::ip::address >( a ).to_string();
}

// Runs `f`, which must throw restinio::exception_t, and returns its text.
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

struct counting_listener_t
{
    void state_changed( const restinio::connection_state::notice_t & notice ) noexcept
    {
        if( std::holds_alternative< restinio::connection_state::accepted_t >( notice.cause() ) )
            ++accepted;
    }
    int accepted{ 0 };
};

struct listener_traits_t : public restinio::default_traits_t
{
    using connection_state_listener_t = counting_listener_t;
};

struct allow_all_blocker_t
{
    restinio::ip_blocker::inspection_result_t inspect( const restinio::ip_blocker::incoming_info_t & info ) noexcept
    {
        inspected.push_back( info.remote_endpoint().address().to_string() );
        return restinio::ip_blocker::allow();
    }
    std::vector< std::string > inspected;
};

struct blocker_traits_t : public restinio::default_traits_t
{
    using ip_blocker_t = allow_all_blocker_t;
};

struct router_traits_t : public restinio::default_traits_t
{
    using request_handler_t = restinio::router::express_router_t;
};

struct limiter_traits_t : public restinio::default_traits_t
{
    static constexpr bool use_connection_count_limiter = true;
};

// A logger with no default constructor: it must be given.
class needs_stream_logger_t
{
public:
    explicit needs_stream_logger_t( std::ostream & out ) : m_out{ out } {}
    template< typename B > void trace( B && ) {}
    template< typename B > void info( B && ) {}
    template< typename B > void warn( B && ) {}
    template< typename B > void error( B && b ) { m_out << b() << '\n'; }

private:
    std::ostream & m_out;
};

struct logger_traits_t : public restinio::default_traits_t
{
    using logger_t = needs_stream_logger_t;
};

[[nodiscard]] restinio::request_handling_status_t reject_all( restinio::request_handle_t )
{
    return restinio::request_rejected();
}

[[nodiscard]] restinio::request_handling_status_t throw_always( restinio::request_handle_t )
{
    throw std::runtime_error{ "thrown on purpose" };
}

const std::string exact_501 = "HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const std::string get_request = "GET /x HTTP/1.1\r\nHost: t\r\n\r\n";

// An acceptor_post_bind_hook that stores the port the server is bound to.
[[nodiscard]] auto store_port( std::uint16_t & port )
{
    return [ &port ]( restinio::asio_ns::ip::tcp::acceptor & acceptor ) { port = acceptor.local_endpoint().port(); };
}

// Opens `server` (whose settings store its port in `port`), sends `request` from a client on
// the server's own io_context, and returns what the server wrote until it closed the
// connection, within 5 s. Closes the server again.
template< typename Traits >
[[nodiscard]] std::string exchange( restinio::http_server_t< Traits > & server, const std::uint16_t & port,
                                    const std::string & request )
{
    namespace asio = restinio::asio_ns;
    server.open_sync();
    REQUIRE( port != 0 );
    auto & ioctx = server.io_context();
    asio::ip::tcp::socket client{ ioctx };
    // Blocking: the kernel completes the connection from the listen backlog.
    client.connect( { asio::ip::make_address( "127.0.0.1" ), port } );
    asio::write( client, asio::buffer( request ) );
    std::string answer;
    bool closed = false;
    asio::async_read( client, asio::dynamic_buffer( answer ),
                      [ &closed ]( const asio::error_code &, std::size_t ) { closed = true; } );
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while( !closed && std::chrono::steady_clock::now() < deadline )
        ioctx.run_one_for( 100ms );
    server.close_sync();
    REQUIRE( closed );
    return answer;
}

} // namespace

TEST_CASE( "defaults are RESTinio's", "[http][settings]" )
{
    settings_t s;
    CHECK( s.port() == 8080 );
    CHECK( s.protocol() == restinio::asio_ns::ip::tcp::v4() );
    CHECK( address_text( s ) == "<none>" );
    CHECK( s.buffer_size() == 4096 );
    CHECK( s.read_next_http_message_timelimit() == 60s );
    CHECK( s.write_http_response_timelimit() == 5s );
    CHECK( s.handle_request_timeout() == 10s );
    CHECK( s.max_pipelined_requests() == 1 );
    CHECK( s.concurrent_accepts_count() == 1 );
    CHECK_FALSE( s.separate_accept_and_create_connect() );
    CHECK( s.max_parallel_connections() == std::numeric_limits< std::size_t >::max() );
    CHECK_FALSE( s.request_handler() );
    CHECK_FALSE( s.giveaway_cleanup_func() );
    CHECK_FALSE( s.connection_state_listener() );
    CHECK_FALSE( s.ip_blocker() );
    CHECK( s.websocket_max_message_size() == 16u * 1024u * 1024u );
    CHECK_FALSE( s.websocket_whole_messages() );    // frames, as RESTinio delivers them

    const auto & limits = s.incoming_http_msg_limits();
    CHECK( limits.max_url_size() == 8u * 1024u );   // not unlimited, unlike RESTinio
    CHECK( limits.max_field_name_size() == std::numeric_limits< std::size_t >::max() );
    CHECK( limits.max_field_value_size() == std::numeric_limits< std::size_t >::max() );
    CHECK( limits.max_field_count() == 100u );      // not unlimited, unlike RESTinio
    CHECK( limits.max_body_size() == std::numeric_limits< std::uint64_t >::max() );

    // The timer factory is default-constructed: a one-second check period.
    const auto factory = s.timer_factory();
    REQUIRE( factory );
    CHECK( factory->m_check_period == 1s );
    // The logger is default-constructed too.
    CHECK( s.logger() );

    SECTION( "the constructor takes a port and a protocol" )
    {
        settings_t v6{ 1234, restinio::asio_ns::ip::tcp::v6() };
        CHECK( v6.port() == 1234 );
        CHECK( v6.protocol() == restinio::asio_ns::ip::tcp::v6() );
    }
}

TEST_CASE( "the default acceptor options set SO_REUSEADDR; the default socket options do nothing",
           "[http][settings]" )
{
    settings_t s;
    restinio::asio_ns::io_context ioctx;
    restinio::asio_ns::ip::tcp::acceptor acceptor{ ioctx };
    acceptor.open( restinio::asio_ns::ip::tcp::v4() );

    const auto setter = s.acceptor_options_setter();
    REQUIRE( setter );
    restinio::acceptor_options_t options{ acceptor };
    ( *setter )( options );
    restinio::asio_ns::ip::tcp::acceptor::reuse_address reuse;
    acceptor.get_option( reuse );
    CHECK( reuse.value() );

    SECTION( "a user setter replaces the default" )
    {
        bool called = false;
        s.acceptor_options_setter( [&called]( restinio::acceptor_options_t & ) { called = true; } );
        restinio::asio_ns::ip::tcp::acceptor other{ ioctx };
        other.open( restinio::asio_ns::ip::tcp::v4() );
        restinio::acceptor_options_t other_options{ other };
        ( *s.acceptor_options_setter() )( other_options );
        CHECK( called );
        other.get_option( reuse );
        CHECK_FALSE( reuse.value() );
    }

    restinio::impl::tcp_socket_t socket{ ioctx };
    socket.open( restinio::asio_ns::ip::tcp::v4() );
    restinio::socket_options_t socket_options{ socket };
    const auto socket_setter = s.socket_options_setter();
    REQUIRE( socket_setter );
    ( *socket_setter )( socket_options );
    // The socket keeps the system's defaults.
    restinio::asio_ns::ip::tcp::no_delay no_delay{ true };
    socket.get_option( no_delay );
    CHECK_FALSE( no_delay.value() );
    restinio::asio_ns::socket_base::keep_alive keep_alive{ true };
    socket.get_option( keep_alive );
    CHECK_FALSE( keep_alive.value() );
}

TEST_CASE( "localhost names are rewritten, other addresses are kept as given", "[http][settings]" )
{
    struct row_t { const char * given; const char * expected; };
    const row_t rows[] = {
        { "localhost", "string 127.0.0.1" },
        { "ip6-localhost", "string ::1" },
        { "127.0.0.1", "string 127.0.0.1" },
        { "::", "string ::" },
        { "LOCALHOST", "string LOCALHOST" },       // only the exact names are rewritten
        { "example.com", "string example.com" },   // no DNS here; opening will fail later
    };
    for( const auto & row : rows )
    {
        INFO( row.given );
        settings_t s;
        s.address( row.given );
        CHECK( address_text( s ) == row.expected );
    }

    settings_t s;
    s.address( restinio::asio_ns::ip::make_address( "10.1.2.3" ) );
    CHECK( address_text( s ) == "address 10.1.2.3" );
}

TEST_CASE( "checked setters refuse bad values with RESTinio's texts", "[http][settings]" )
{
    settings_t s;
    CHECK( exception_text( [&] { s.concurrent_accepts_count( 0 ); } ) ==
           "invalid value for number of cuncurrent connects: 0" );
    CHECK( exception_text( [&] { s.concurrent_accepts_count( 1025 ); } ) ==
           "invalid value for number of cuncurrent connects: 1025" );
    CHECK( s.concurrent_accepts_count() == 1 );
    s.concurrent_accepts_count( 1024 );
    CHECK( s.concurrent_accepts_count() == 1024 );

    CHECK( exception_text( [&] { s.acceptor_options_setter( restinio::acceptor_options_setter_t{} ); } ) ==
           "acceptor options setter cannot be empty" );
    CHECK( exception_text( [&] { s.socket_options_setter( restinio::socket_options_setter_t{} ); } ) ==
           "socket options setter cannot be empty" );
    CHECK( exception_text( [&] { s.acceptor_post_bind_hook( restinio::acceptor_post_bind_hook_t{} ); } ) ==
           "acceptor_post_bind_hook cannot be empty" );
}

TEST_CASE( "setters chain on lvalues (&) and on temporaries (&&)", "[http][settings]" )
{
    using restinio::run_on_this_thread_settings_t;
    using restinio::run_on_thread_pool_settings_t;
    using restinio::default_traits_t;

    static_assert( std::is_same_v< decltype( std::declval< settings_t & >().port( 1 ) ), settings_t & > );
    static_assert( std::is_same_v< decltype( std::declval< settings_t && >().port( 1 ) ), settings_t && > );
    static_assert( std::is_same_v<
        decltype( std::declval< settings_t && >().address( "x" ).buffer_size( 1 ).max_pipelined_requests( 2 ) ),
        settings_t && > );
    static_assert( std::is_same_v<
        decltype( restinio::on_this_thread().port( 1 ) ),
        run_on_this_thread_settings_t< restinio::default_single_thread_traits_t > && > );
    static_assert( std::is_same_v<
        decltype( restinio::on_thread_pool( 2 ).port( 1 ) ),
        run_on_thread_pool_settings_t< default_traits_t > && > );

    SECTION( "a chain on a temporary moves into a variable intact" )
    {
        auto s = restinio::on_thread_pool( 3 )
            .port( 0 )
            .address( "localhost" )
            .protocol( restinio::asio_ns::ip::tcp::v4() )
            .buffer_size( 100 )
            .read_next_http_message_timelimit( 1s )
            .write_http_response_timelimit( 2s )
            .handle_request_timeout( 3s )
            .max_pipelined_requests( 4 )
            .concurrent_accepts_count( 5 )
            .separate_accept_and_create_connect( true )
            .websocket_whole_messages( true )
            .incoming_http_msg_limits( restinio::incoming_http_msg_limits_t{}.max_url_size( 6 ).max_body_size( 7 ) )
            .timer_manager( std::chrono::milliseconds{ 250 } )
            .request_handler( reject_all );
        CHECK( s.pool_size() == 3 );
        CHECK( s.port() == 0 );
        CHECK( address_text( s ) == "string 127.0.0.1" );
        CHECK( s.buffer_size() == 100 );
        CHECK( s.read_next_http_message_timelimit() == 1s );
        CHECK( s.write_http_response_timelimit() == 2s );
        CHECK( s.handle_request_timeout() == 3s );
        CHECK( s.max_pipelined_requests() == 4 );
        CHECK( s.concurrent_accepts_count() == 5 );
        CHECK( s.separate_accept_and_create_connect() );
        CHECK( s.websocket_whole_messages() );
        CHECK( s.incoming_http_msg_limits().max_url_size() == 6 );
        CHECK( s.incoming_http_msg_limits().max_body_size() == 7 );
        CHECK( s.incoming_http_msg_limits().max_field_count() == 100u );
        CHECK( s.timer_factory()->m_check_period == 250ms );
        CHECK( s.request_handler() );
    }

    SECTION( "lvalue setters return the same object" )
    {
        settings_t s;
        settings_t & same = s.port( 9 ).buffer_size( 10 ).handle_request_timeout( 11s );
        CHECK( &same == &s );
        CHECK( s.port() == 9 );
        CHECK( s.buffer_size() == 10 );
        CHECK( s.handle_request_timeout() == 11s );
    }
}

TEST_CASE( "request_handler takes a built handler, or builds one in place", "[http][settings]" )
{
    SECTION( "in place, from a function" )
    {
        settings_t s;
        s.request_handler( reject_all );
        auto handler = s.request_handler();
        REQUIRE( handler );
        CHECK( ( *handler )( restinio::request_handle_t{} ) == restinio::request_rejected() );
        CHECK_FALSE( s.request_handler() );       // the getter hands it over
    }
    SECTION( "in place, from a lambda" )
    {
        settings_t s;
        s.request_handler( []( restinio::request_handle_t ) { return restinio::request_not_handled(); } );
        CHECK( ( *s.request_handler() )( restinio::request_handle_t{} ) == restinio::request_not_handled() );
    }
    SECTION( "a unique_ptr to a router is taken as it is" )
    {
        restinio::server_settings_t< router_traits_t > s;
        auto router = std::make_unique< restinio::router::express_router_t >();
        const auto * raw = router.get();
        s.request_handler( std::move( router ) );
        CHECK( s.request_handler().get() == raw );
    }
}

TEST_CASE( "cleanup_func moves from its argument, even an lvalue", "[http][settings]" )
{
    int calls = 0;
    restinio::cleanup_functor_t cleanup = [&calls] { ++calls; };
    settings_t s;
    s.cleanup_func( cleanup );
    CHECK_FALSE( cleanup );
    auto taken = s.giveaway_cleanup_func();
    REQUIRE( taken );
    taken();
    CHECK( calls == 1 );
    CHECK_FALSE( s.giveaway_cleanup_func() );
}

TEST_CASE( "what may be left out when a server is built", "[http][settings][server]" )
{
    using restinio::http_server_t;
    using restinio::own_io_context;

    SECTION( "a std::function request handler must be set" )
    {
        CHECK( exception_text( [] {
            http_server_t<> server{ own_io_context(), settings_t{}.port( 0 ) };
        } ) == "request handler must be set" );
    }
    SECTION( "a default-constructible handler (the router) is made silently" )
    {
        std::uint16_t port = 0;
        http_server_t< router_traits_t > server{ own_io_context(),
                restinio::server_settings_t< router_traits_t >{}
                    .port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( store_port( port ) ) };
        // A router without routes rejects every request.
        CHECK( exchange( server, port, get_request ) == exact_501 );
    }
    SECTION( "traits naming a listener need one" )
    {
        CHECK( exception_text( [] {
            http_server_t< listener_traits_t > server{ own_io_context(),
                    restinio::server_settings_t< listener_traits_t >{}.request_handler( reject_all ) };
        } ) == "connection state listener is not specified" );
        std::uint16_t port = 0;
        const auto listener = std::make_shared< counting_listener_t >();
        http_server_t< listener_traits_t > server{ own_io_context(),
                restinio::server_settings_t< listener_traits_t >{}
                    .port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( store_port( port ) )
                    .request_handler( reject_all )
                    .connection_state_listener( listener ) };
        CHECK( exchange( server, port, get_request ) == exact_501 );
        CHECK( listener->accepted == 1 );
    }
    SECTION( "traits naming an IP blocker need one" )
    {
        CHECK( exception_text( [] {
            http_server_t< blocker_traits_t > server{ own_io_context(),
                    restinio::server_settings_t< blocker_traits_t >{}.request_handler( reject_all ) };
        } ) == "IP-blocker is not specified" );
        std::uint16_t port = 0;
        const auto blocker = std::make_shared< allow_all_blocker_t >();
        http_server_t< blocker_traits_t > server{ own_io_context(),
                restinio::server_settings_t< blocker_traits_t >{}
                    .port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( store_port( port ) )
                    .request_handler( reject_all )
                    .ip_blocker( blocker ) };
        CHECK( exchange( server, port, get_request ) == exact_501 );
        CHECK( blocker->inspected == std::vector< std::string >{ "127.0.0.1" } );
    }
    SECTION( "a logger without a default constructor must be given" )
    {
        CHECK( exception_text( [] {
            http_server_t< logger_traits_t > server{ own_io_context(),
                    restinio::server_settings_t< logger_traits_t >{}.request_handler( reject_all ) };
        } ) == "logger must be set" );
        std::uint16_t port = 0;
        std::ostringstream log;
        http_server_t< logger_traits_t > server{ own_io_context(),
                restinio::server_settings_t< logger_traits_t >{}
                    .port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( store_port( port ) )
                    .request_handler( throw_always )
                    .logger( log ) };
        CHECK( exchange( server, port, "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" )
                == "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n" );
        CHECK( log.str().find( "request handler failed: thrown on purpose\n" ) != std::string::npos );
    }
    SECTION( "a configurator lambda sees a settings object to fill in" )
    {
        std::uint16_t port = 0;
        int cleanups = 0;
        http_server_t<> server{ own_io_context(), [ & ]( auto & settings ) {
            settings.port( 0 ).address( "127.0.0.1" ).acceptor_post_bind_hook( store_port( port ) )
                .request_handler( reject_all )
                .cleanup_func( [ &cleanups ] { ++cleanups; } );
        } };
        CHECK( exchange( server, port, get_request ) == exact_501 );
        CHECK( cleanups == 1 );
    }
}

TEST_CASE( "max_parallel_connections is set with limiter traits", "[http][settings]" )
{
    restinio::server_settings_t< limiter_traits_t > s;
    CHECK( s.max_parallel_connections() == std::numeric_limits< std::size_t >::max() );
    s.max_parallel_connections( 3 );
    CHECK( s.max_parallel_connections() == 3 );
    CHECK( std::move( s ).max_parallel_connections( 4 ).max_parallel_connections() == 4 );
}
