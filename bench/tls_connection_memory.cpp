// tls_connection_memory: what OpenSSL keeps for one idle server connection, by allocation site.
//
// Each connection is a tls_socket_t (the server side as the library runs it: its BIOs,
// SSL_MODE_RELEASE_BUFFERS, a TLS 1.3 connection leaving OpenSSL after its handshake) over
// loopback TCP, with an OpenSSL client on the other end; after the handshake one message goes
// each way, and then the connection is idle. Every allocation OpenSSL makes inside the
// server's calls is recorded (CRYPTO_set_mem_functions) and those still live are summed per
// file and line of OpenSSL's sources. The client's allocations, and the library's own (not
// OpenSSL's), are not counted. --keep-openssl: every connection keeps its `SSL`, as a TLS 1.2
// one does.
//
//   tls_connection_memory [--connections 200] [--tls 1.2|1.3] [--keep-openssl]
#include <restinio/tls.hpp>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace
{

namespace asio_ns = restinio::asio_ns;

// ---- OpenSSL's allocations made while `counting` is on, by address (the map itself
// allocates through operator new, which these hooks do not see) ----

struct allocation_t
{
    std::size_t size;
    const char * file;
    int line;
};

bool counting = false;
std::unordered_map< void *, allocation_t > * live_allocations;

void * counted_malloc( std::size_t size, const char * file, int line )
{
    void * p = std::malloc( size );
    if( counting && p )
        ( *live_allocations )[ p ] = { size, file, line };
    return p;
}

void * counted_realloc( void * old, std::size_t size, const char * file, int line )
{
    const auto found = old ? live_allocations->find( old ) : live_allocations->end();
    const bool was_counted = found != live_allocations->end();
    if( was_counted )
        live_allocations->erase( found );
    void * p = std::realloc( old, size );
    if( p && ( counting || was_counted ) )
        ( *live_allocations )[ p ] = { size, file, line };
    return p;
}

void counted_free( void * p, const char *, int )
{
    if( p )
        live_allocations->erase( p );
    std::free( p );
}

// Counts OpenSSL's allocations for the scope's lifetime.
struct counting_t
{
    counting_t() { counting = true; }
    ~counting_t() { counting = false; }
};

// ---- the test certificate ----

struct certificate_t
{
    std::unique_ptr< EVP_PKEY, decltype( &EVP_PKEY_free ) > key{ EVP_EC_gen( "P-256" ), &EVP_PKEY_free };
    std::unique_ptr< X509, decltype( &X509_free ) > cert{ X509_new(), &X509_free };

    certificate_t()
    {
        X509_set_version( cert.get(), 2 );
        ASN1_INTEGER_set( X509_get_serialNumber( cert.get() ), 1 );
        X509_gmtime_adj( X509_getm_notBefore( cert.get() ), 0 );
        X509_gmtime_adj( X509_getm_notAfter( cert.get() ), 3600 );
        X509_set_pubkey( cert.get(), key.get() );
        X509_NAME * name = X509_get_subject_name( cert.get() );
        X509_NAME_add_entry_by_txt( name, "CN", MBSTRING_ASC,
                                    reinterpret_cast< const unsigned char * >( "localhost" ), -1, -1, 0 );
        X509_set_issuer_name( cert.get(), name );
        X509_sign( cert.get(), key.get(), EVP_sha256() );
    }
};

[[noreturn]] void fail( const char * what )
{
    std::fprintf( stderr, "tls_connection_memory: %s\n", what );
    std::exit( 1 );
}

struct connection_t
{
    std::unique_ptr< restinio::impl::tls_socket_t > server;
    restinio::impl::tcp_socket_t client_socket;
    std::unique_ptr< SSL, decltype( &SSL_free ) > client{ nullptr, &SSL_free };
};

// A handshake and one message each way, driving both ends in turn until they are done.
void open_connection( connection_t & c )
{
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{ 10 };
    bool server_done = false;
    bool client_done = false;
    while( !server_done || !client_done )
    {
        if( std::chrono::steady_clock::now() > give_up )
            fail( "the handshake did not end" );
        if( !client_done )
        {
            const int result = SSL_do_handshake( c.client.get() );
            client_done = 1 == result;
            if( !client_done && SSL_ERROR_WANT_READ != SSL_get_error( c.client.get(), result ) )
                fail( "the client's handshake failed" );
        }
        if( !server_done )
        {
            counting_t count;
            asio_ns::error_code ec;
            const auto step = c.server->handshake_step( ec );
            if( restinio::impl::tls_socket_t::handshake_step_t::failed == step )
                fail( "the server's handshake failed" );
            server_done = restinio::impl::tls_socket_t::handshake_step_t::done == step;
        }
    }

    const char message[] = "an idle connection's last message";
    if( SSL_write( c.client.get(), message, sizeof message ) != static_cast< int >( sizeof message ) )
        fail( "the client's write failed" );
    std::uint8_t echo[ sizeof message ];
    std::size_t got = 0;
    while( got < sizeof message )
    {
        if( std::chrono::steady_clock::now() > give_up )
            fail( "the message did not arrive" );
        counting_t count;
        asio_ns::error_code ec;
        got += c.server->read_some( echo + got, sizeof echo - got, ec );
        if( ec && ec != asio_ns::error::would_block )
            fail( "the server's read failed" );
    }
    {
        counting_t count;
        asio_ns::error_code ec;
        const std::vector< asio_ns::const_buffer > buffers{ asio_ns::buffer( echo ) };
        if( c.server->write_some( buffers, ec ) != sizeof echo || ec )
            fail( "the server's write failed" );
    }
    char back[ sizeof message ];
    std::size_t back_got = 0;
    while( back_got < sizeof message )
    {
        if( std::chrono::steady_clock::now() > give_up )
            fail( "the echo did not arrive" );
        const int n = SSL_read( c.client.get(), back + back_got, static_cast< int >( sizeof back - back_got ) );
        if( n > 0 )
            back_got += static_cast< std::size_t >( n );
        else if( SSL_ERROR_WANT_READ != SSL_get_error( c.client.get(), n ) )
            fail( "the client's read failed" );
    }
}

} // namespace

int main( int argc, char ** argv )
{
    int connections = 200;
    int tls_version = TLS1_3_VERSION;
    bool keep_openssl = false;
    for( int i = 1; i < argc; ++i )
    {
        if( 0 == std::strcmp( argv[ i ], "--keep-openssl" ) )
        {
            keep_openssl = true;
            continue;
        }
        if( 0 == std::strcmp( argv[ i ], "--connections" ) && i + 1 < argc )
            connections = std::atoi( argv[ ++i ] );
        else if( 0 == std::strcmp( argv[ i ], "--tls" ) && i + 1 < argc )
            tls_version = 0 == std::strcmp( argv[ ++i ], "1.2" ) ? TLS1_2_VERSION : TLS1_3_VERSION;
        else
            fail( "usage: tls_connection_memory [--connections N] [--tls 1.2|1.3] [--keep-openssl]" );
    }
    if( connections <= 0 )
        fail( "--connections must be positive" );

    live_allocations = new std::unordered_map< void *, allocation_t >;
    if( !CRYPTO_set_mem_functions( counted_malloc, counted_realloc, counted_free ) )
        fail( "CRYPTO_set_mem_functions failed (OpenSSL allocated before main)" );

    // The server's context as the samples make it (asio::ssl::context, TLS 1.2 and 1.3).
    const certificate_t certificate;
    asio_ns::ssl::context server_context{ asio_ns::ssl::context::tls_server };
    SSL_CTX_use_certificate( server_context.native_handle(), certificate.cert.get() );
    SSL_CTX_use_PrivateKey( server_context.native_handle(), certificate.key.get() );
    if( !keep_openssl )
        restinio::impl::tls_socket_t::prepare_context( server_context.native_handle() );
    std::unique_ptr< SSL_CTX, decltype( &SSL_CTX_free ) > client_context{ SSL_CTX_new( TLS_client_method() ),
                                                                          &SSL_CTX_free };
    SSL_CTX_set_min_proto_version( client_context.get(), tls_version );
    SSL_CTX_set_max_proto_version( client_context.get(), tls_version );

    asio_ns::io_context io;
    asio_ns::basic_socket_acceptor< asio_ns::ip::tcp, asio_ns::io_context::executor_type > acceptor{
            io, { asio_ns::ip::make_address( "127.0.0.1" ), 0 } };
    std::vector< connection_t > open;
    open.reserve( static_cast< std::size_t >( connections ) );
    for( int i = 0; i < connections; ++i )
    {
        restinio::impl::tcp_socket_t client_socket{ io };
        client_socket.connect( acceptor.local_endpoint() );
        client_socket.non_blocking( true );
        std::unique_ptr< restinio::impl::tls_socket_t > server;
        {
            counting_t count;
            server = std::make_unique< restinio::impl::tls_socket_t >(
                    acceptor.accept(), server_context.native_handle(),
                    std::chrono::steady_clock::now() + std::chrono::seconds{ 10 } );
        }
        connection_t c{ std::move( server ), std::move( client_socket ) };
        c.client.reset( SSL_new( client_context.get() ) );
        SSL_set_fd( c.client.get(), static_cast< int >( c.client_socket.native_handle() ) );
        SSL_set_connect_state( c.client.get() );
        open_connection( c );
        open.push_back( std::move( c ) );
    }

    std::map< std::string, std::pair< std::size_t, std::size_t > > by_site; // bytes, allocations
    std::size_t total = 0;
    for( const auto & [ address, allocation ] : *live_allocations )
    {
        auto & site = by_site[ std::string{ allocation.file ? allocation.file : "?" } + ":"
                               + std::to_string( allocation.line ) ];
        site.first += allocation.size;
        ++site.second;
        total += allocation.size;
    }
    std::multimap< std::size_t, std::string, std::greater<> > ranked;
    for( const auto & [ site, figures ] : by_site )
        ranked.emplace( figures.first, site + " (" + std::to_string( figures.second ) + " allocations)" );

    const char * version = SSL_get_version( open.front().client.get() );
    const auto kept = std::count_if( open.begin(), open.end(),
                                     []( const connection_t & c ) { return nullptr != c.server->native_handle(); } );
    std::printf( "OpenSSL %s, %s, %s; %d idle server connections, %ld of them with their SSL\n",
                 OpenSSL_version( OPENSSL_VERSION_STRING ), version, SSL_get_cipher_name( open.front().client.get() ),
                 connections, static_cast< long >( kept ) );
    std::printf( "bytes per connection still held by OpenSSL: %zu\n\n", total / static_cast< std::size_t >( connections ) );
    std::printf( "| bytes per connection | OpenSSL source (allocations, all connections) |\n|---|---|\n" );
    for( const auto & [ bytes, site ] : ranked )
        if( bytes / static_cast< std::size_t >( connections ) >= 16 )
            std::printf( "| %zu | %s |\n", bytes / static_cast< std::size_t >( connections ), site.c_str() );
    return 0;
}
