// Built against the installed package's restinio::tls target: restinio/tls.hpp compiles and
// links with OpenSSL, and TLS settings take a context.
#include <restinio/core.hpp>
#include <restinio/tls.hpp>

#include <iostream>

int main()
{
    restinio::asio_ns::ssl::context context{ restinio::asio_ns::ssl::context::tls_server };
    auto settings = restinio::server_settings_t< restinio::default_tls_traits_t >{}
            .port( 0 )
            .tls_context( std::move( context ) )
            .tls_handshake_timelimit( std::chrono::seconds{ 3 } );
    const auto shared = settings.giveaway_tls_context();
    if( !shared || !shared->native_handle() || settings.tls_handshake_timelimit() != std::chrono::seconds{ 3 } )
    {
        std::cerr << "consumer_tls: settings lost the TLS context\n";
        return 1;
    }
    std::cout << "consumer_tls: ok\n";
    return 0;
}
