// The accept-path test server: answers every request with "Hello, World!" and keeps
// --concurrent-accepts accepts in flight. With --max-open-files it lowers its own descriptor
// limit (RLIMIT_NOFILE) before it opens anything, so a test can make accept() fail with EMFILE.
//
//   e2e_server_http_accept_server [--port 0] [--threads 1] [--concurrent-accepts 1]
//       [--max-open-files N]
//
// It prints `listening on 127.0.0.1:PORT/` once bound, then each error the library logs as a
// line `ERROR: <message>` (trace, info and warnings are left out), so a test can follow every
// failed accept. It exits 0 on SIGINT/SIGTERM.

#include <restinio/core.hpp>

#include <sys/resource.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>

namespace
{

struct options_t
{
    std::uint16_t port{ 0 };
    std::size_t threads{ 1 };
    std::size_t concurrent_accepts{ 1 };
    rlim_t max_open_files{ 0 };     // 0: leave the limit alone
};

[[noreturn]] void usage_and_exit( const char * program )
{
    std::cerr << "usage: " << program
              << " [--port N] [--threads N] [--concurrent-accepts N] [--max-open-files N]\n";
    std::exit( 2 );
}

options_t parse_options( int argc, char ** argv )
{
    options_t o;
    for( int i = 1; i < argc; ++i )
    {
        const std::string arg = argv[ i ];
        if( i + 1 >= argc )
            usage_and_exit( argv[ 0 ] );
        const unsigned long long v = std::stoull( argv[ ++i ] );
        if( "--port" == arg ) o.port = static_cast< std::uint16_t >( v );
        else if( "--threads" == arg ) o.threads = std::max< std::size_t >( 1, v );
        else if( "--concurrent-accepts" == arg ) o.concurrent_accepts = std::max< std::size_t >( 1, v );
        else if( "--max-open-files" == arg ) o.max_open_files = static_cast< rlim_t >( v );
        else usage_and_exit( argv[ 0 ] );
    }
    return o;
}

// Errors only, one line each: what the accept test waits for, and little else.
class error_lines_logger_t
{
public:
    template< typename Message_Builder >
    void trace( Message_Builder && ) {}
    template< typename Message_Builder >
    void info( Message_Builder && ) {}
    template< typename Message_Builder >
    void warn( Message_Builder && ) {}
    template< typename Message_Builder >
    void error( Message_Builder && msg_builder )
    {
        const std::string message = msg_builder();
        std::lock_guard< std::mutex > lock{ m_lock };
        std::cout << "ERROR: " << message << std::endl;
    }

private:
    std::mutex m_lock;
};

void limit_open_files( rlim_t count )
{
    const rlimit limit{ count, count };
    if( 0 != ::setrlimit( RLIMIT_NOFILE, &limit ) )
        throw std::runtime_error{ std::string{ "setrlimit: " } + std::strerror( errno ) };
}

template< typename Settings >
Settings && configure( Settings && settings, const options_t & o )
{
    return std::move( settings )
        .port( o.port )
        .address( "127.0.0.1" )
        .concurrent_accepts_count( o.concurrent_accepts )
        .acceptor_post_bind_hook( []( restinio::asio_ns::ip::tcp::acceptor & acceptor ) {
            std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << "/" << std::endl;
        } )
        .request_handler( []( const restinio::request_handle_t & req ) {
            return req->create_response()
                .append_header( restinio::http_field::content_type, "text/plain" )
                .set_body( "Hello, World!" )
                .done();
        } );
}

} // namespace

int main( int argc, char ** argv )
{
    try
    {
        const options_t o = parse_options( argc, argv );
        if( 0 != o.max_open_files )
            limit_open_files( o.max_open_files );
        if( 1 == o.threads )
        {
            using traits_t = restinio::single_thread_traits_t<
                    restinio::asio_timer_manager_t, error_lines_logger_t >;
            restinio::run( configure( restinio::on_this_thread< traits_t >(), o ) );
        }
        else
        {
            using traits_t = restinio::traits_t< restinio::asio_timer_manager_t, error_lines_logger_t >;
            restinio::run( configure( restinio::on_thread_pool< traits_t >( o.threads ), o ) );
        }
        return 0;
    }
    catch( const std::exception & ex )
    {
        std::cerr << "error: " << ex.what() << std::endl;
        return 1;
    }
}
