// tls_socket_t against a real OpenSSL client over loopback TCP: what a write of a gather list
// puts on the wire (how many records), that a read takes every record OpenSSL holds, that input
// cut anywhere (byte by byte) decrypts whole, and that close() sends close_notify. The client's
// bytes go through memory BIOs, so the test sees the records themselves.

#include <catch2/catch.hpp>

#include <restinio/tls.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <poll.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace
{

namespace asio = restinio::asio_ns;
using restinio::impl::tls_socket_t;

// A self-signed P-256 certificate made in memory (no key file anywhere). `leave_openssl`: the
// connections leave OpenSSL after a TLS 1.3 handshake (tls_socket_t::prepare_context).
SSL_CTX * make_server_context( bool leave_openssl = false, int tickets = 0 )
{
    SSL_CTX * context = SSL_CTX_new( TLS_server_method() );
    EVP_PKEY * key = EVP_EC_gen( "P-256" );
    X509 * cert = X509_new();
    ASN1_INTEGER_set( X509_get_serialNumber( cert ), 1 );
    X509_gmtime_adj( X509_getm_notBefore( cert ), 0 );
    X509_gmtime_adj( X509_getm_notAfter( cert ), 3600 );
    X509_set_pubkey( cert, key );
    X509_NAME_add_entry_by_txt( X509_get_subject_name( cert ), "CN", MBSTRING_ASC,
                                reinterpret_cast< const unsigned char * >( "localhost" ), -1, -1, 0 );
    X509_set_issuer_name( cert, X509_get_subject_name( cert ) );
    X509_sign( cert, key, EVP_sha256() );
    REQUIRE( 1 == SSL_CTX_use_certificate( context, cert ) );
    REQUIRE( 1 == SSL_CTX_use_PrivateKey( context, key ) );
    // Unless asked for, no TLS 1.3 session tickets: the records after the handshake are the
    // test's data alone.
    SSL_CTX_set_num_tickets( context, static_cast< std::size_t >( tickets ) );
    if( leave_openssl )
        tls_socket_t::prepare_context( context );
    X509_free( cert );
    EVP_PKEY_free( key );
    return context;
}

void wait_for( int fd, short events )
{
    ::pollfd p{ fd, events, 0 };
    REQUIRE( 1 == ::poll( &p, 1, 5000 ) );
}

// A connected pair: tls_socket_t on the server side, an OpenSSL client on memory BIOs whose
// bytes this test moves to and from the client's TCP socket.
struct tls_pair_t
{
    asio::io_context io;
    asio::ip::tcp::socket client_tcp{ io };
    std::optional< tls_socket_t > server;
    SSL_CTX * server_context;
    SSL_CTX * client_context{ SSL_CTX_new( TLS_client_method() ) };
    SSL * client;
    BIO * client_in{ BIO_new( BIO_s_mem() ) };
    BIO * client_out{ BIO_new( BIO_s_mem() ) };
    std::string wire;   // every byte the server sent after the handshake

    // `suites`: the client's TLS 1.3 cipher suites (OpenSSL's defaults if empty);
    // `max_version`: the client's highest protocol version.
    explicit tls_pair_t( bool leave_openssl = false, int tickets = 0, const char * suites = "",
                         int max_version = TLS1_3_VERSION )
        : server_context{ make_server_context( leave_openssl, tickets ) }
    {
        if( *suites )
            REQUIRE( 1 == SSL_CTX_set_ciphersuites( client_context, suites ) );
        SSL_CTX_set_max_proto_version( client_context, max_version );
        client = SSL_new( client_context );
        asio::ip::tcp::acceptor acceptor{ io, { asio::ip::make_address( "127.0.0.1" ), 0 } };
        client_tcp.connect( acceptor.local_endpoint() );
        client_tcp.set_option( asio::ip::tcp::no_delay{ true } );
        server.emplace( acceptor.accept( io.get_executor() ), server_context,
                        std::chrono::steady_clock::now() + std::chrono::seconds{ 10 } );
        SSL_set_bio( client, client_in, client_out );
        SSL_set_connect_state( client );

        bool client_done = false;
        bool server_done = false;
        for( int round = 0; round != 20 && !( client_done && server_done ); ++round )
        {
            client_done = 1 == SSL_do_handshake( client );
            send_client_output();
            if( !server_done )
            {
                wait_for( server->lowest_layer().native_handle(), POLLIN );
                asio::error_code ec;
                server_done = tls_socket_t::handshake_step_t::done == server->handshake_step( ec );
                REQUIRE_FALSE( ec );
            }
            if( !client_done )
                receive_raw();
        }
        REQUIRE( client_done );
        REQUIRE( server_done );
        REQUIRE_FALSE( server->handshake_deadline() );
        REQUIRE( ( nullptr == server->native_handle() ) == ( leave_openssl && TLS1_3_VERSION == max_version ) );
        wire.clear();
    }

    ~tls_pair_t()
    {
        SSL_free( client );
        SSL_CTX_free( client_context );
        SSL_CTX_free( server_context );
    }

    void send_client_output()
    {
        char chunk[ 65536 ];
        for( int n; ( n = BIO_read( client_out, chunk, sizeof( chunk ) ) ) > 0; )
            asio::write( client_tcp, asio::buffer( chunk, static_cast< std::size_t >( n ) ) );
    }

    // What the server sent, once there, into the client's BIO (and `wire`).
    void receive_raw()
    {
        wait_for( client_tcp.native_handle(), POLLIN );
        char chunk[ 65536 ];
        const std::size_t n = client_tcp.read_some( asio::buffer( chunk ) );
        wire.append( chunk, n );
        BIO_write( client_in, chunk, static_cast< int >( n ) );
    }

    // The client's next `size` bytes of plaintext.
    std::string client_reads( std::size_t size )
    {
        std::string text;
        while( text.size() < size )
        {
            char chunk[ 65536 ];
            std::size_t n = 0;
            if( 1 == SSL_read_ex( client, chunk, sizeof( chunk ), &n ) )
                text.append( chunk, n );
            else
            {
                REQUIRE( SSL_ERROR_WANT_READ == SSL_get_error( client, 0 ) );
                receive_raw();
            }
        }
        return text;
    }

    // The TLS records in `wire` of the given content type (23: application data).
    [[nodiscard]] std::size_t records_in_wire( unsigned char type ) const
    {
        std::size_t count = 0;
        for( std::size_t at = 0; at + 5 <= wire.size(); )
        {
            const auto * head = reinterpret_cast< const unsigned char * >( wire.data() + at );
            count += type == head[ 0 ] ? 1 : 0;
            at += 5 + ( std::size_t{ head[ 3 ] } << 8 | head[ 4 ] );
        }
        return count;
    }

    // The server's read_some until `size` bytes have come, waiting on the socket between reads.
    std::string server_reads( std::size_t size, std::size_t room = 65536 )
    {
        std::string text;
        std::vector< std::uint8_t > buffer( room );
        while( text.size() < size )
        {
            asio::error_code ec;
            const std::size_t n = server->read_some( buffer.data(), buffer.size(), ec );
            if( ec == asio::error::would_block )
            {
                wait_for( server->lowest_layer().native_handle(), POLLIN );
                continue;
            }
            REQUIRE_FALSE( ec );
            text.append( reinterpret_cast< const char * >( buffer.data() ), n );
        }
        return text;
    }
};

std::string pattern( std::size_t size, std::size_t seed )
{
    std::string text( size, '\0' );
    for( std::size_t i = 0; i != size; ++i )
        text[ i ] = static_cast< char >( 'a' + ( i * 7 + seed ) % 26 );
    return text;
}

} // namespace

TEST_CASE( "a gather list leaves in as few records as it fills", "[tls]" )
{
    struct case_t { std::size_t pieces; std::size_t piece_size; std::size_t records; };
    const case_t cases[] = {
        { 1, 1, 1 },
        { 200, 10, 1 },             // 200 small frames: one record, not 200
        { 2, 16384, 2 },
        { 3, 10000, 2 },            // 30,000 bytes: one full record and the rest
        { 5, 30000, 10 },           // 150,000 bytes: 9 full records and the rest
        { 64, 2, 1 },
        { 1, 1 << 20, 64 },         // a large buffer goes out in full records, not copied first
    };
    const bool leave_openssl = GENERATE( false, true );
    for( const auto & c : cases )
    {
        CAPTURE( leave_openssl, c.pieces, c.piece_size );
        tls_pair_t pair{ leave_openssl };
        std::vector< std::string > pieces;
        std::vector< asio::const_buffer > gather;
        std::string expected;
        for( std::size_t i = 0; i != c.pieces; ++i )
        {
            pieces.push_back( pattern( c.piece_size, i ) );
            expected += pieces.back();
        }
        for( const auto & piece : pieces )
            gather.push_back( asio::buffer( piece ) );

        asio::error_code ec;
        const std::size_t taken = pair.server->write_some( gather, ec );
        // The socket may not take a megabyte at once: what it did not take waits, in order.
        while( ec == asio::error::would_block )
        {
            ec = {};
            pair.receive_raw();
            wait_for( pair.server->lowest_layer().native_handle(), POLLOUT );
            if( !pair.server->flush_output( ec ) && !ec )
                ec = asio::error::would_block;
        }
        REQUIRE_FALSE( ec );
        REQUIRE( taken == expected.size() );
        REQUIRE( pair.client_reads( expected.size() ) == expected );
        REQUIRE( pair.records_in_wire( 23 ) == c.records );
    }
}

TEST_CASE( "a read takes every record OpenSSL holds, and input cut anywhere decrypts whole", "[tls]" )
{
    const bool leave_openssl = GENERATE( false, true );
    for( const bool byte_by_byte : { false, true } )
    {
        CAPTURE( leave_openssl, byte_by_byte );
        tls_pair_t pair{ leave_openssl };
        std::string expected;
        for( std::size_t i = 0; i != 5; ++i )
        {
            const std::string message = pattern( 100 + i * 1000, i );
            REQUIRE( static_cast< int >( message.size() ) == SSL_write( pair.client, message.data(), static_cast< int >( message.size() ) ) );
            expected += message;
        }
        if( byte_by_byte )
        {
            std::vector< char > wire( 1 << 16 );
            const int n = BIO_read( pair.client_out, wire.data(), static_cast< int >( wire.size() ) );
            REQUIRE( n > 0 );
            for( int i = 0; i != n; ++i )
                asio::write( pair.client_tcp, asio::buffer( &wire[ static_cast< std::size_t >( i ) ], 1 ) );
            REQUIRE( pair.server_reads( expected.size() ) == expected );
        }
        else
        {
            pair.send_client_output();
            // All five records came in one segment: one call returns them all.
            wait_for( pair.server->lowest_layer().native_handle(), POLLIN );
            std::vector< std::uint8_t > buffer( 65536 );
            asio::error_code ec;
            const std::size_t n = pair.server->read_some( buffer.data(), buffer.size(), ec );
            REQUIRE_FALSE( ec );
            REQUIRE( std::string( reinterpret_cast< const char * >( buffer.data() ), n ) == expected );
            REQUIRE( 0 == pair.server->read_some( buffer.data(), buffer.size(), ec ) );
            REQUIRE( ec == asio::error::would_block );
        }
    }
}

TEST_CASE( "a read into a small buffer leaves the rest readable without waiting", "[tls]" )
{
    const bool leave_openssl = GENERATE( false, true );
    CAPTURE( leave_openssl );
    tls_pair_t pair{ leave_openssl };
    const std::string message = pattern( 10000, 3 );
    REQUIRE( static_cast< int >( message.size() ) == SSL_write( pair.client, message.data(), static_cast< int >( message.size() ) ) );
    pair.send_client_output();
    REQUIRE( pair.server_reads( 100, 100 ) == message.substr( 0, 100 ) );
    REQUIRE( pair.server->input_buffered() );
    REQUIRE( pair.server_reads( message.size() - 100 ) == message.substr( 100 ) );
}

TEST_CASE( "close sends close_notify, and the peer's close_notify is the end of input", "[tls]" )
{
    const bool leave_openssl = GENERATE( false, true );
    CAPTURE( leave_openssl );
    {
        tls_pair_t pair{ leave_openssl };
        pair.server->close();
        pair.receive_raw();
        char byte;
        REQUIRE( SSL_read( pair.client, &byte, 1 ) <= 0 );
        REQUIRE( SSL_ERROR_ZERO_RETURN == SSL_get_error( pair.client, 0 ) );
    }
    {
        tls_pair_t pair{ leave_openssl };
        SSL_shutdown( pair.client );
        pair.send_client_output();
        wait_for( pair.server->lowest_layer().native_handle(), POLLIN );
        std::uint8_t buffer[ 16 ];
        asio::error_code ec;
        REQUIRE( 0 == pair.server->read_some( buffer, sizeof( buffer ), ec ) );
        REQUIRE( ec == asio::error::eof );
    }
}

TEST_CASE( "after a TLS 1.3 handshake the records are ours: every suite, tickets, key updates", "[tls]" )
{
    const char * suite = GENERATE( "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256" );
    CAPTURE( suite );
    // Two session tickets went out with the server's secret before it left OpenSSL: its
    // records go on from there.
    tls_pair_t pair{ true, 2, suite };
    REQUIRE( std::string{ SSL_CIPHER_get_name( SSL_get_current_cipher( pair.client ) ) } == suite );
    const auto round_trip = [ & ]( std::size_t size, std::size_t seed ) {
        const std::string up = pattern( size, seed );
        REQUIRE( static_cast< int >( up.size() ) == SSL_write( pair.client, up.data(), static_cast< int >( up.size() ) ) );
        pair.send_client_output();
        REQUIRE( pair.server_reads( up.size() ) == up );
        const std::string down = pattern( size, seed + 1 );
        asio::error_code ec;
        REQUIRE( down.size() == pair.server->write_some( { asio::buffer( down ) }, ec ) );
        REQUIRE_FALSE( ec );
        REQUIRE( pair.client_reads( down.size() ) == down );
    };
    round_trip( 1, 0 );
    round_trip( 100000, 1 );
    // The client's keys change; asked to, the server's change too (its KeyUpdate goes first).
    for( const int request : { SSL_KEY_UPDATE_REQUESTED, SSL_KEY_UPDATE_NOT_REQUESTED, SSL_KEY_UPDATE_REQUESTED } )
    {
        CAPTURE( request );
        REQUIRE( 1 == SSL_key_update( pair.client, request ) );
        round_trip( 3000, static_cast< std::size_t >( request ) );
    }
    REQUIRE( 0 == pair.records_in_wire( 21 ) );
}

TEST_CASE( "TLS 1.2 keeps OpenSSL to the end", "[tls]" )
{
    tls_pair_t pair{ true, 0, "", TLS1_2_VERSION };
    REQUIRE( pair.server->native_handle() );
    REQUIRE( std::string{ SSL_get_version( pair.client ) } == "TLSv1.2" );
    const std::string up = pattern( 5000, 9 );
    REQUIRE( static_cast< int >( up.size() ) == SSL_write( pair.client, up.data(), static_cast< int >( up.size() ) ) );
    pair.send_client_output();
    REQUIRE( pair.server_reads( up.size() ) == up );
}

TEST_CASE( "a record that does not open ends the input with bad_record_mac, sent to the peer", "[tls]" )
{
    tls_pair_t pair{ true };
    const std::string up = pattern( 300, 2 );
    REQUIRE( static_cast< int >( up.size() ) == SSL_write( pair.client, up.data(), static_cast< int >( up.size() ) ) );
    std::vector< char > record( 1024 );
    const int n = BIO_read( pair.client_out, record.data(), static_cast< int >( record.size() ) );
    REQUIRE( n > 100 );
    record[ 50 ] ^= 1;
    asio::write( pair.client_tcp, asio::buffer( record.data(), static_cast< std::size_t >( n ) ) );
    wait_for( pair.server->lowest_layer().native_handle(), POLLIN );
    std::uint8_t buffer[ 1024 ];
    asio::error_code ec;
    REQUIRE( 0 == pair.server->read_some( buffer, sizeof( buffer ), ec ) );
    REQUIRE( ec == restinio::impl::tls13::sent_alert( restinio::impl::tls13::alert_t::bad_record_mac ) );
    // Every later read fails the same, without waiting.
    REQUIRE( pair.server->input_buffered() );
    REQUIRE( 0 == pair.server->read_some( buffer, sizeof( buffer ), ec ) );
    REQUIRE( ec == restinio::impl::tls13::sent_alert( restinio::impl::tls13::alert_t::bad_record_mac ) );
    pair.receive_raw();
    char byte;
    REQUIRE( SSL_read( pair.client, &byte, 1 ) <= 0 );
    REQUIRE( ERR_GET_REASON( ERR_peek_last_error() ) == SSL_R_SSLV3_ALERT_BAD_RECORD_MAC );
    ERR_clear_error();
}

TEST_CASE( "a peer asking for key update after key update, reading nothing, is cut off", "[tls]" )
{
    tls_pair_t pair{ true };
    for( int i = 0; i != 40; ++i )
    {
        REQUIRE( 1 == SSL_key_update( pair.client, SSL_KEY_UPDATE_REQUESTED ) );
        REQUIRE( 1 == SSL_do_handshake( pair.client ) );
    }
    pair.send_client_output();
    std::uint8_t buffer[ 1024 ];
    asio::error_code ec;
    for( int waits = 0; waits != 100 && !ec; ++waits )
    {
        (void)pair.server->read_some( buffer, sizeof( buffer ), ec );
        if( ec == asio::error::would_block )
        {
            ec = {};
            wait_for( pair.server->lowest_layer().native_handle(), POLLIN );
        }
    }
    REQUIRE( ec == restinio::impl::tls13::sent_alert( restinio::impl::tls13::alert_t::unexpected_message ) );
}

TEST_CASE( "a handshake that is not TLS fails with OpenSSL's reason", "[tls]" )
{
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{ io, { asio::ip::make_address( "127.0.0.1" ), 0 } };
    asio::ip::tcp::socket client{ io };
    client.connect( acceptor.local_endpoint() );
    SSL_CTX * context = make_server_context();
    tls_socket_t server{ acceptor.accept( io.get_executor() ), context, std::chrono::steady_clock::now() };
    SSL_CTX_free( context );
    asio::write( client, asio::buffer( std::string{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n" } ) );
    wait_for( server.lowest_layer().native_handle(), POLLIN );
    asio::error_code ec;
    REQUIRE( tls_socket_t::handshake_step_t::failed == server.handshake_step( ec ) );
    REQUIRE( ec.category() == asio::error::get_ssl_category() );
    REQUIRE( ec.message().find( "http request" ) != std::string::npos );
    REQUIRE( server.handshake_deadline() );
}

TEST_CASE( "accepted_t gives the listener the TLS connection's SSL", "[tls]" )
{
    namespace cs = restinio::connection_state;
    tls_pair_t pair;
    const cs::accepted_t tls_notice{ &*pair.server };
    const cs::accepted_t plain_notice;

    REQUIRE( tls_notice.is_tls_connection() );
    REQUIRE_FALSE( plain_notice.is_tls_connection() );

    const auto version = []( const cs::tls_accessor_t & tls ) { return std::string{ SSL_get_version( tls.native_handle() ) }; };
    REQUIRE( tls_notice.inspect_tls_or_throw( version ) == "TLSv1.3" );
    REQUIRE_THROWS_AS( plain_notice.inspect_tls_or_throw( version ), restinio::exception_t );
    REQUIRE( tls_notice.inspect_tls_or_default( version, std::string{ "none" } ) == "TLSv1.3" );
    REQUIRE( plain_notice.inspect_tls_or_default( version, std::string{ "none" } ) == "none" );

    int calls = 0;
    tls_notice.try_inspect_tls( [ & ]( const cs::tls_accessor_t & tls ) { calls += nullptr != tls.native_handle(); } );
    plain_notice.try_inspect_tls( [ & ]( const cs::tls_accessor_t & ) { calls += 10; } );
    REQUIRE( 1 == calls );
}

TEST_CASE( "TLS settings: a context is required, owned or shared", "[tls]" )
{
    using settings_t = restinio::server_settings_t< restinio::default_tls_traits_t >;
    using maker_t = restinio::impl::socket_kind_t< restinio::tls_socket_t >::maker_t;

    settings_t without;
    REQUIRE_THROWS_AS( maker_t{ without }, restinio::exception_t );

    settings_t owned;
    owned.tls_context( asio::ssl::context{ asio::ssl::context::tls_server } )
         .tls_handshake_timelimit( std::chrono::milliseconds{ 1500 } );
    REQUIRE( owned.tls_handshake_timelimit() == std::chrono::milliseconds{ 1500 } );
    REQUIRE_NOTHROW( maker_t{ owned } );

    auto shared = std::make_shared< asio::ssl::context >( asio::ssl::context::tls_server );
    settings_t first = settings_t{}.tls_context( shared );
    settings_t second = settings_t{}.tls_context( shared );
    REQUIRE( shared.use_count() == 3 );
    REQUIRE( settings_t{}.tls_handshake_timelimit() == std::chrono::seconds{ 10 } );
    REQUIRE_NOTHROW( maker_t{ first } );
    REQUIRE_NOTHROW( maker_t{ second } );
}
