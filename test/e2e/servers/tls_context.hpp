// The TLS context of a test server: TLS 1.2 and 1.3 with the given PEM certificate chain and
// key (test/e2e/tls_support.py makes them at test time).
#pragma once

#include <restinio/tls.hpp>

#include <string>

inline restinio::asio_ns::ssl::context make_test_tls_context( const std::string & cert, const std::string & key )
{
    namespace ssl = restinio::asio_ns::ssl;
    ssl::context context{ ssl::context::tls_server };
    context.set_options( ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3
                         | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 );
    context.use_certificate_chain_file( cert );
    context.use_private_key_file( key, ssl::context::pem );
    return context;
}
