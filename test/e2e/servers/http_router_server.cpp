// The HTTP end-to-end tests' server: an express router with one route per behaviour under
// test, and a switch for every setting the tests vary. It prints
// `listening on 127.0.0.1:PORT/` once bound (use --port 0) and `cleanup_func called` when the
// server closes on SIGINT/SIGTERM, then exits 0.
//
//   e2e_server_http_router_server [--port 0] [--threads 1] [--check-period-ms 100]
//       [--read-timeout-ms N] [--write-timeout-ms N] [--handle-timeout-ms N]
//       [--max-pipelined N] [--buffer-size N] [--max-url N] [--max-field-name N]
//       [--max-field-value N] [--max-field-count N] [--max-body N] [--verbose] [--with-faults]
//       [--tls-cert FILE --tls-key FILE]
//
// With --tls-cert and --tls-key it serves https:// on one thread (the same routes).
//
// Routes:
//   GET  /hello            "Hello, World!"
//   POST|PUT /echo         the body back, with X-Http-Version, X-Keep-Alive, X-Chunks, X-Trailers
//   GET  /slow?ms=N&tag=T  "slow N T", answered N ms later from another thread; prints
//                          "slow N T scheduled", then "slow N T answering" right before it answers
//   GET  /chat/:id(\d+)    "chat id=<id>"
//   GET  /split/:a-:b-:c   "a=<a> b=<b> c=<c>": three parameters in one segment
//   GET  /throw            the handler throws
//   GET  /throw-after-flush  the handler flushes the first chunk of a response, then throws
//   GET  /reflect?header=V&reason=R   "reflected", with X-Reflected: V (decoded) and, if given,
//                          the reason phrase R: a naive handler that trusts client text
//   GET  /reject           the handler returns request_rejected()
//   GET  /chunked          a chunked response in two flushes
//   GET  /user             a user-controlled response in two flushes
//   GET  /big?n=N          N bytes of a..z
//   GET  /close            "bye" with Connection: close
//   GET  /never            the request is kept and never answered
//   anything else          404 from the non-matched handler
//
// With --with-faults, for the self-test of the test harness (test_e2e_harness*.py), which
// must notice each of these:
//   GET  /fault/leak       leaks memory (LeakSanitizer reports it at exit)
//   GET  /fault/ub         overflows a signed integer (UBSan reports it)
//   GET  /fault/race       two threads write one int unsynchronised (ThreadSanitizer reports it)
//   GET  /fault/report     prints a line as a sanitizer would, and serves on
//   GET  /fault/flood?n=N  prints N lines to stdout before it answers
//   GET  /fault/exit       the process ends at once with exit code 3
//
// Every answer carries X-Connection-Id and X-Request-Id so tests can tell connections apart.

#include <restinio/core.hpp>
#if defined( RESTINIO_WITH_TLS )
    #include <restinio/tls.hpp>
    #include "tls_context.hpp"
#endif

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rr = restinio::router;
using namespace std::chrono_literals;

namespace
{

struct options_t
{
    std::uint16_t port{ 0 };
    std::size_t threads{ 1 };
    std::chrono::milliseconds check_period{ 100 };
    std::chrono::milliseconds read_timeout{ 60000 };
    std::chrono::milliseconds write_timeout{ 5000 };
    std::chrono::milliseconds handle_timeout{ 10000 };
    std::size_t max_pipelined{ 1 };
    std::size_t buffer_size{ 4096 };
    restinio::incoming_http_msg_limits_t limits;
    bool verbose{ false };
    bool with_faults{ false };
    std::string tls_cert;
    std::string tls_key;
};

[[noreturn]] void usage_and_exit( const char * program )
{
    std::cerr << "usage: " << program << " [--port N] [--threads N] [--check-period-ms N]"
                 " [--read-timeout-ms N] [--write-timeout-ms N] [--handle-timeout-ms N]"
                 " [--max-pipelined N] [--buffer-size N] [--max-url N] [--max-field-name N]"
                 " [--max-field-value N] [--max-field-count N] [--max-body N] [--verbose]"
                 " [--with-faults] [--tls-cert FILE --tls-key FILE]\n";
    std::exit( 2 );
}

options_t parse_options( int argc, char ** argv )
{
    options_t o;
    for( int i = 1; i < argc; ++i )
    {
        const std::string arg = argv[ i ];
        if( "--verbose" == arg )
        {
            o.verbose = true;
            continue;
        }
        if( "--with-faults" == arg )
        {
            o.with_faults = true;
            continue;
        }
        if( i + 1 >= argc )
            usage_and_exit( argv[ 0 ] );
        if( "--tls-cert" == arg || "--tls-key" == arg )
        {
            ( "--tls-cert" == arg ? o.tls_cert : o.tls_key ) = argv[ ++i ];
            continue;
        }
        const unsigned long long v = std::stoull( argv[ ++i ] );
        const std::chrono::milliseconds ms{ static_cast< long long >( v ) };
        if( "--port" == arg ) o.port = static_cast< std::uint16_t >( v );
        else if( "--threads" == arg ) o.threads = std::max< std::size_t >( 1, v );
        else if( "--check-period-ms" == arg ) o.check_period = ms;
        else if( "--read-timeout-ms" == arg ) o.read_timeout = ms;
        else if( "--write-timeout-ms" == arg ) o.write_timeout = ms;
        else if( "--handle-timeout-ms" == arg ) o.handle_timeout = ms;
        else if( "--max-pipelined" == arg ) o.max_pipelined = v;
        else if( "--buffer-size" == arg ) o.buffer_size = v;
        else if( "--max-url" == arg ) o.limits.max_url_size( v );
        else if( "--max-field-name" == arg ) o.limits.max_field_name_size( v );
        else if( "--max-field-value" == arg ) o.limits.max_field_value_size( v );
        else if( "--max-field-count" == arg ) o.limits.max_field_count( v );
        else if( "--max-body" == arg ) o.limits.max_body_size( v );
        else usage_and_exit( argv[ 0 ] );
    }
    return o;
}

// Runs tasks at their due time on one thread of its own: the "answer later, from elsewhere"
// half of asynchronous request handling.
class delayed_runner_t
{
public:
    delayed_runner_t() : m_thread{ [this] { run(); } } {}
    ~delayed_runner_t() { stop(); }

    void schedule( std::chrono::milliseconds delay, std::function< void() > task )
    {
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            m_tasks.emplace( std::chrono::steady_clock::now() + delay, std::move( task ) );
        }
        m_wakeup.notify_one();
    }

    // Pending tasks are dropped (with the requests they hold).
    void stop()
    {
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            m_stopped = true;
        }
        m_wakeup.notify_one();
        if( m_thread.joinable() )
            m_thread.join();
        m_tasks.clear();
    }

private:
    void run()
    {
        std::unique_lock< std::mutex > lock{ m_lock };
        while( !m_stopped )
        {
            if( m_tasks.empty() )
            {
                m_wakeup.wait( lock );
                continue;
            }
            const auto due = m_tasks.begin()->first;
            if( std::chrono::steady_clock::now() < due )
            {
                m_wakeup.wait_until( lock, due );
                continue;
            }
            auto task = std::move( m_tasks.begin()->second );
            m_tasks.erase( m_tasks.begin() );
            lock.unlock();
            task();
            lock.lock();
        }
    }

    std::mutex m_lock;
    std::condition_variable m_wakeup;
    std::multimap< std::chrono::steady_clock::time_point, std::function< void() > > m_tasks;
    bool m_stopped{ false };
    std::thread m_thread;
};

// Requests the /never route keeps, so that only handle_request_timeout can end them.
class kept_requests_t
{
public:
    void keep( restinio::request_handle_t req )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_requests.push_back( std::move( req ) );
    }
    void clear()
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_requests.clear();
    }

private:
    std::mutex m_lock;
    std::vector< restinio::request_handle_t > m_requests;
};

template< typename Builder >
Builder & with_ids( Builder & builder, const restinio::request_t & req )
{
    builder.append_header( "X-Connection-Id", std::to_string( req.connection_id() ) );
    builder.append_header( "X-Request-Id", std::to_string( req.request_id() ) );
    return builder;
}

[[nodiscard]] std::string query_value( const restinio::request_t & req, restinio::string_view_t name,
                                       std::string default_value )
{
    const auto query = req.header().query();
    std::size_t pos = 0;
    while( pos <= query.size() )
    {
        const auto end = std::min( query.find( '&', pos ), query.size() );
        const auto pair = query.substr( pos, end - pos );
        const auto eq = pair.find( '=' );
        if( eq != restinio::string_view_t::npos && pair.substr( 0, eq ) == name )
            return std::string{ pair.substr( eq + 1 ) };
        pos = end + 1;
    }
    return default_value;
}

[[nodiscard]] const char * connection_name( restinio::http_connection_header_t c )
{
    switch( c )
    {
    case restinio::http_connection_header_t::keep_alive: return "keep-alive";
    case restinio::http_connection_header_t::close: return "close";
    case restinio::http_connection_header_t::upgrade: return "upgrade";
    }
    return "?";
}

// Kept out of line, so that the compiler can neither see the fault nor drop it.
[[gnu::noinline]] void leak_memory()
{
    static_cast< void >( new std::string( 100, 'x' ) );
}

[[gnu::noinline]] int overflow( volatile int value )
{
    return value + 1;
}

[[gnu::noinline]] void race()
{
    static int shared = 0;
    std::thread other{ [] { ++shared; } };
    ++shared;
    other.join();
}

void add_fault_routes( rr::express_router_t & router )
{
    const auto ok = []( const restinio::request_handle_t & req ) {
        return req->create_response().set_body( "fault done" ).done();
    };
    router.http_get( "/fault/leak", [ok]( restinio::request_handle_t req, rr::route_params_t ) {
        leak_memory();
        return ok( req );
    } );
    router.http_get( "/fault/ub", [ok]( restinio::request_handle_t req, rr::route_params_t ) {
        std::cout << "overflowed to " << overflow( std::numeric_limits< int >::max() ) << std::endl;
        return ok( req );
    } );
    router.http_get( "/fault/race", [ok]( restinio::request_handle_t req, rr::route_params_t ) {
        race();
        return ok( req );
    } );
    router.http_get( "/fault/report", [ok]( restinio::request_handle_t req, rr::route_params_t ) {
        std::cout << "http_router_server.cpp:1:1: runtime error: a report made up for the harness self-test"
                  << std::endl;
        return ok( req );
    } );
    router.http_get( "/fault/flood", [ok]( restinio::request_handle_t req, rr::route_params_t ) {
        const auto lines = std::stoul( query_value( *req, "n", "100000" ) );
        for( unsigned long i = 0; i != lines; ++i )
            std::cout << "flood line " << i << " of " << lines << '\n';
        std::cout << std::flush;
        return ok( req );
    } );
    router.http_get( "/fault/exit", []( restinio::request_handle_t, rr::route_params_t )
                                        -> restinio::request_handling_status_t {
        std::cout << "exiting with 3" << std::endl;
        std::_Exit( 3 );
    } );
}

std::unique_ptr< rr::express_router_t > make_router( const options_t & o, delayed_runner_t & delayed,
                                                     kept_requests_t & kept )
{
    auto router = std::make_unique< rr::express_router_t >();

    router->http_get( "/hello", []( restinio::request_handle_t req, rr::route_params_t ) {
        auto response = req->create_response();
        with_ids( response, *req );
        return response.append_header( restinio::http_field::content_type, "text/plain" )
            .set_body( "Hello, World!" )
            .done();
    } );

    const auto echo = []( const restinio::request_handle_t & req, rr::route_params_t ) {
        auto response = req->create_response();
        with_ids( response, *req );
        const auto & h = req->header();
        response.append_header( "X-Http-Version",
                std::to_string( h.http_major() ) + "." + std::to_string( h.http_minor() ) );
        response.append_header( "X-Keep-Alive", connection_name( h.connection() ) );
        std::string chunks = "none";
        std::string trailers;
        if( const auto * info = req->chunked_input_info() )
        {
            chunks = std::to_string( info->chunk_count() );
            info->trailing_fields().for_each_field( [&trailers]( const restinio::http_header_field_t & f ) {
                trailers += f.name() + "=" + f.value() + ";";
            } );
        }
        response.append_header( "X-Chunks", chunks );
        response.append_header( "X-Trailers", trailers );
        return response.set_body( req->body() ).done();
    };
    router->http_post( "/echo", echo );
    router->http_put( "/echo", echo );

    router->http_get( "/slow", [&delayed]( restinio::request_handle_t req, rr::route_params_t ) {
        const auto ms = std::stoul( query_value( *req, "ms", "200" ) );
        const auto tag = query_value( *req, "tag", "" );
        const auto name = "slow " + std::to_string( ms ) + " " + tag;
        std::cout << name + " scheduled\n" << std::flush;
        delayed.schedule( std::chrono::milliseconds{ ms }, [req, name] {
            std::cout << name + " answering\n" << std::flush;
            auto response = req->create_response();
            with_ids( response, *req );
            response.set_body( name ).done();
        } );
        return restinio::request_accepted();
    } );

    router->http_get( R"(/chat/:id(\d+))", []( restinio::request_handle_t req, rr::route_params_t params ) {
        auto response = req->create_response();
        with_ids( response, *req );
        return response.set_body( "chat id=" + std::string{ params[ "id" ] } ).done();
    } );

    router->http_get( "/split/:a-:b-:c", []( restinio::request_handle_t req, rr::route_params_t params ) {
        auto response = req->create_response();
        with_ids( response, *req );
        return response.set_body( "a=" + std::string{ params[ "a" ] } + " b=" + std::string{ params[ "b" ] }
                + " c=" + std::string{ params[ "c" ] } ).done();
    } );

    router->http_get( "/throw", []( restinio::request_handle_t, rr::route_params_t ) -> restinio::request_handling_status_t {
        throw std::runtime_error{ "the /throw handler fails on purpose" };
    } );

    router->http_get( "/throw-after-flush", []( restinio::request_handle_t req, rr::route_params_t )
            -> restinio::request_handling_status_t {
        auto response = req->create_response< restinio::chunked_output_t >();
        response.append_chunk( "first\n" ).flush();
        throw std::runtime_error{ "the /throw-after-flush handler fails on purpose" };
    } );

    router->http_get( "/reflect", []( restinio::request_handle_t req, rr::route_params_t ) {
        const auto params = restinio::parse_query( req->header().query() );
        auto response = req->create_response( restinio::http_status_line_t{
                restinio::status_code::ok, std::string{ params.get_param( "reason" ).value_or( "OK" ) } } );
        with_ids( response, *req );
        response.append_header( "X-Reflected", std::string{ params.get_param( "header" ).value_or( "" ) } );
        return response.set_body( "reflected" ).done();
    } );

    router->http_get( "/reject", []( restinio::request_handle_t, rr::route_params_t ) { return restinio::request_rejected(); } );

    router->http_get( "/chunked", []( restinio::request_handle_t req, rr::route_params_t ) {
        auto response = req->create_response< restinio::chunked_output_t >();
        with_ids( response, *req );
        response.append_chunk( "first\n" ).append_chunk( "second\n" ).flush();
        response.append_chunk( "third\n" );
        return response.done();
    } );

    router->http_get( "/user", []( restinio::request_handle_t req, rr::route_params_t ) {
        auto response = req->create_response< restinio::user_controlled_output_t >();
        with_ids( response, *req );
        response.set_content_length( 11 ).append_body( "hello " ).flush();
        response.append_body( "world" );
        return response.done();
    } );

    router->http_get( "/big", []( restinio::request_handle_t req, rr::route_params_t ) {
        const auto n = std::stoul( query_value( *req, "n", "1000000" ) );
        std::string body( n, ' ' );
        for( std::size_t i = 0; i != n; ++i )
            body[ i ] = static_cast< char >( 'a' + i % 26 );
        auto response = req->create_response();
        with_ids( response, *req );
        return response.set_body( std::move( body ) ).done();
    } );

    router->http_get( "/close", []( restinio::request_handle_t req, rr::route_params_t ) {
        auto response = req->create_response();
        with_ids( response, *req );
        return response.connection_close().set_body( "bye" ).done();
    } );

    router->http_get( "/never", [&kept]( restinio::request_handle_t req, rr::route_params_t ) {
        kept.keep( std::move( req ) );
        return restinio::request_accepted();
    } );

    if( o.with_faults )
        add_fault_routes( *router );

    router->non_matched_request_handler( []( restinio::request_handle_t req ) {
        auto response = req->create_response( restinio::status_not_found() );
        with_ids( response, *req );
        return response.append_header( restinio::http_field::content_type, "text/plain" )
            .set_body( "no route for " + std::string{ req->header().method().c_str() } + " "
                       + std::string{ req->header().path() } + "\n" )
            .done();
    } );

    return router;
}

template< typename Settings >
Settings && configure( Settings && settings, const options_t & o,
                       delayed_runner_t & delayed, kept_requests_t & kept )
{
    return std::move( settings )
        .port( o.port )
        .address( "127.0.0.1" )
        .buffer_size( o.buffer_size )
        .read_next_http_message_timelimit( o.read_timeout )
        .write_http_response_timelimit( o.write_timeout )
        .handle_request_timeout( o.handle_timeout )
        .max_pipelined_requests( o.max_pipelined )
        .incoming_http_msg_limits( o.limits )
        .timer_manager( o.check_period )
        .acceptor_post_bind_hook( []( restinio::asio_ns::ip::tcp::acceptor & acceptor ) {
            std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << "/" << std::endl;
        } )
        .cleanup_func( [&delayed, &kept] {
            delayed.stop();
            kept.clear();
            std::cout << "cleanup_func called" << std::endl;
        } )
        .request_handler( make_router( o, delayed, kept ) );
}

template< typename Logger >
void run_server( const options_t & o )
{
    delayed_runner_t delayed;
    kept_requests_t kept;
    if( !o.tls_cert.empty() )
    {
#if defined( RESTINIO_WITH_TLS )
        using traits_t = restinio::single_thread_tls_traits_t<
                restinio::asio_timer_manager_t, Logger, rr::express_router_t >;
        restinio::run( configure( restinio::on_this_thread< traits_t >(), o, delayed, kept )
                .tls_context( make_test_tls_context( o.tls_cert, o.tls_key ) ) );
#else
        throw std::runtime_error{ "built without TLS" };
#endif
    }
    else if( 1 == o.threads )
    {
        using traits_t = restinio::single_thread_traits_t<
                restinio::asio_timer_manager_t, Logger, rr::express_router_t >;
        restinio::run( configure( restinio::on_this_thread< traits_t >(), o, delayed, kept ) );
    }
    else
    {
        using traits_t = restinio::traits_t<
                restinio::asio_timer_manager_t, Logger, rr::express_router_t >;
        restinio::run( configure( restinio::on_thread_pool< traits_t >( o.threads ), o, delayed, kept ) );
    }
}

} // namespace

int main( int argc, char ** argv )
{
    try
    {
        const options_t options = parse_options( argc, argv );
        if( options.verbose )
            run_server< restinio::shared_ostream_logger_t >( options );
        else
            run_server< restinio::null_logger_t >( options );
        return 0;
    }
    catch( const std::exception & ex )
    {
        std::cerr << "error: " << ex.what() << std::endl;
        return 1;
    }
}
