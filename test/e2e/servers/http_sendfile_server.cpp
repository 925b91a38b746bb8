// The sendfile test server: responses whose bodies come from files in --dir, through
// restinio::sendfile. It prints `listening on 127.0.0.1:PORT/` once bound and exits 0 on
// SIGINT/SIGTERM.
//
//   e2e_server_http_sendfile_server --dir DIR [--port 0] [--threads 1] [--max-pipelined 1]
//       [--write-timeout-ms 5000] [--tls-cert FILE --tls-key FILE]
//
// With --tls-cert and --tls-key it serves https:// (the file's chunks then go through
// OpenSSL, read into user space, instead of the kernel's sendfile).
//
// Routes (NAME is a file in DIR):
//   GET /files/NAME[?offset=O][&size=S][&chunk=C][&timelimit=MS]
//                          the file, or the part offset_and_size(O, S) gives, read in chunks of
//                          C bytes, with sendfile_t::timelimit(MS)
//   GET /framed/NAME[?chunk=C]
//                          "<<" + the file + ">>": a file between two memory buffers
//   GET /hello             "Hello, World!"
// A handler that throws (a missing file, an offset past the end) gets 500.

#include <restinio/core.hpp>
#if defined( RESTINIO_WITH_TLS )
    #include <restinio/tls.hpp>
    #include "tls_context.hpp"
#endif

#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>

namespace rr = restinio::router;

namespace
{

struct options_t
{
    std::string dir;
    std::uint16_t port{ 0 };
    std::size_t threads{ 1 };
    std::size_t max_pipelined{ 1 };
    std::chrono::milliseconds write_timeout{ 5000 };
    std::string tls_cert;
    std::string tls_key;
};

[[noreturn]] void usage_and_exit( const char * program )
{
    std::cerr << "usage: " << program << " --dir DIR [--port N] [--threads N] [--max-pipelined N]"
                 " [--write-timeout-ms N] [--tls-cert FILE --tls-key FILE]\n";
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
        const std::string value = argv[ ++i ];
        if( "--dir" == arg ) o.dir = value;
        else if( "--port" == arg ) o.port = static_cast< std::uint16_t >( std::stoul( value ) );
        else if( "--threads" == arg ) o.threads = std::max< std::size_t >( 1, std::stoul( value ) );
        else if( "--max-pipelined" == arg ) o.max_pipelined = std::stoul( value );
        else if( "--write-timeout-ms" == arg ) o.write_timeout = std::chrono::milliseconds{ std::stoul( value ) };
        else if( "--tls-cert" == arg ) o.tls_cert = value;
        else if( "--tls-key" == arg ) o.tls_key = value;
        else usage_and_exit( argv[ 0 ] );
    }
    if( o.dir.empty() )
        usage_and_exit( argv[ 0 ] );
    return o;
}

std::unique_ptr< rr::express_router_t > make_router( const std::string & dir )
{
    auto router = std::make_unique< rr::express_router_t >();

    router->http_get( R"(/files/:name([\w.-]+))", [dir]( restinio::request_handle_t req, rr::route_params_t params ) {
        const auto query = restinio::parse_query( req->header().query() );
        auto file = restinio::sendfile( dir + "/" + std::string{ params[ "name" ] },
                restinio::value_or( query, "chunk", restinio::sendfile_default_chunk_size ) );
        const auto offset = restinio::opt_value< restinio::file_offset_t >( query, "offset" );
        const auto size = restinio::opt_value< restinio::file_size_t >( query, "size" );
        if( offset || size )
            file.offset_and_size( offset.value_or( 0 ),
                    size.value_or( std::numeric_limits< restinio::file_size_t >::max() ) );
        if( const auto ms = restinio::opt_value< unsigned >( query, "timelimit" ) )
            file.timelimit( std::chrono::milliseconds{ *ms } );
        return req->create_response()
            .append_header( restinio::http_field::content_type, "application/octet-stream" )
            .set_body( std::move( file ) )
            .done();
    } );

    router->http_get( R"(/framed/:name([\w.-]+))", [dir]( restinio::request_handle_t req, rr::route_params_t params ) {
        const auto query = restinio::parse_query( req->header().query() );
        return req->create_response()
            .set_body( "<<" )
            .append_body( restinio::sendfile( dir + "/" + std::string{ params[ "name" ] },
                    restinio::value_or( query, "chunk", restinio::sendfile_default_chunk_size ) ) )
            .append_body( ">>" )
            .done();
    } );

    router->http_get( "/hello", []( restinio::request_handle_t req, rr::route_params_t ) {
        return req->create_response().set_body( "Hello, World!" ).done();
    } );

    return router;
}

template< typename Settings >
Settings && configure( Settings && settings, const options_t & o )
{
    return std::move( settings )
        .port( o.port )
        .address( "127.0.0.1" )
        .max_pipelined_requests( o.max_pipelined )
        .write_http_response_timelimit( o.write_timeout )
        .acceptor_post_bind_hook( []( restinio::asio_ns::ip::tcp::acceptor & acceptor ) {
            std::cout << "listening on 127.0.0.1:" << acceptor.local_endpoint().port() << "/" << std::endl;
        } )
        .request_handler( make_router( o.dir ) );
}

} // namespace

int main( int argc, char ** argv )
{
    try
    {
        const options_t o = parse_options( argc, argv );
        if( !o.tls_cert.empty() )
        {
#if defined( RESTINIO_WITH_TLS )
            using traits_t = restinio::tls_traits_t<
                    restinio::asio_timer_manager_t, restinio::null_logger_t, rr::express_router_t >;
            restinio::run( configure( restinio::on_thread_pool< traits_t >( o.threads ), o )
                    .tls_context( make_test_tls_context( o.tls_cert, o.tls_key ) ) );
#else
            throw std::runtime_error{ "built without TLS" };
#endif
        }
        else if( 1 == o.threads )
        {
            using traits_t = restinio::single_thread_traits_t<
                    restinio::asio_timer_manager_t, restinio::null_logger_t, rr::express_router_t >;
            restinio::run( configure( restinio::on_this_thread< traits_t >(), o ) );
        }
        else
        {
            using traits_t = restinio::traits_t<
                    restinio::asio_timer_manager_t, restinio::null_logger_t, rr::express_router_t >;
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
