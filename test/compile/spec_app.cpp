// A small application written only against ../shared/spec/server.md: an express router with a
// parameter, a thread pool, a shared ostream logger, and cast_to. It must compile unchanged
// against our headers; test_spec_app.py then runs it and asks it a few questions.
#include <restinio/core.hpp>

#include <iostream>

namespace rr = restinio::router;

struct app_traits_t : public restinio::default_traits_t
{
    using logger_t = restinio::shared_ostream_logger_t;
    using request_handler_t = rr::express_router_t;
};

std::unique_ptr< rr::express_router_t > make_router()
{
    auto router = std::make_unique< rr::express_router_t >();

    router->http_get( "/users/:id(\\d+)", []( restinio::request_handle_t req, rr::route_params_t params ) {
        const auto id = restinio::cast_to< std::uint32_t >( params[ "id" ] );
        return req->create_response()
                .append_header( restinio::http_field::content_type, "text/plain" )
                .append_header_date_field()
                .set_body( fmt::format( "user #{}", id + 1 ) )
                .done();
    } );

    router->http_post( "/echo", []( auto req, auto ) {
        return req->create_response( restinio::status_created() ).set_body( req->body() ).done();
    } );

    router->non_matched_request_handler( []( auto req ) {
        return req->create_response( restinio::status_not_found() ).connection_close().done();
    } );

    return router;
}

int main( int argc, char ** argv )
{
    const std::uint16_t port = argc > 1 ? static_cast< std::uint16_t >( std::stoul( argv[ 1 ] ) ) : 8080;
    try
    {
        restinio::run(
            restinio::on_thread_pool< app_traits_t >( 3 )
                .address( "localhost" )
                .port( port )
                .logger( std::cerr )
                .request_handler( make_router() )
                .acceptor_post_bind_hook( []( restinio::asio_ns::ip::tcp::acceptor & a ) {
                    std::cout << "spec_app: listening on port " << a.local_endpoint().port() << std::endl;
                } )
                .cleanup_func( [] { std::cout << "spec_app: cleanup" << std::endl; } ) );
    }
    catch( const std::exception & ex )
    {
        std::cerr << "Error: " << ex.what() << std::endl;
        return 1;
    }
    return 0;
}
