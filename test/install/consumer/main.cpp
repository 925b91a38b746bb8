// Built against the installed headers and package config: starts a server on an ephemeral
// port, asks it for one page over a plain socket, and checks the answer.
#include <restinio/core.hpp>
#include <restinio/websocket/websocket.hpp>

#include <future>
#include <iostream>

int main()
{
    using traits_t = restinio::traits_t<
        restinio::asio_timer_manager_t, restinio::null_logger_t, restinio::router::express_router_t >;

    auto router = std::make_unique< restinio::router::express_router_t >();
    router->http_get( "/hello/:name", []( auto req, auto params ) {
        return req->create_response().set_body( "hello " + std::string{ params[ "name" ] } ).done();
    } );

    std::promise< std::uint16_t > port_promise;
    auto server = restinio::run_async(
        restinio::own_io_context(),
        restinio::server_settings_t< traits_t >{}
            .address( "127.0.0.1" )
            .port( 0 )
            .acceptor_post_bind_hook( [ &port_promise ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                port_promise.set_value( a.local_endpoint().port() );
            } )
            .request_handler( std::move( router ) ),
        1 );
    const auto port = port_promise.get_future().get();

    restinio::asio_ns::io_context ctx;
    restinio::asio_ns::ip::tcp::socket socket{ ctx };
    socket.connect( { restinio::asio_ns::ip::make_address( "127.0.0.1" ), port } );
    const std::string request = "GET /hello/installed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    restinio::asio_ns::write( socket, restinio::asio_ns::buffer( request ) );
    std::string response;
    restinio::asio_ns::error_code ec;
    char buf[ 1024 ];
    while( const auto n = socket.read_some( restinio::asio_ns::buffer( buf ), ec ) )
        response.append( buf, n );

    const bool ok = response.rfind( "HTTP/1.1 200 OK\r\n", 0 ) == 0
            && response.size() >= 15 && response.substr( response.size() - 15 ) == "hello installed";
    std::cout << ( ok ? "consumer: ok" : "consumer: unexpected response:\n" + response ) << std::endl;
    return ok ? 0 : 1;
}
