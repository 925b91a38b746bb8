// A configurable WebSocket echo server: text comes back as text, binary as binary, a ping is
// answered with a pong carrying the same payload (by the library), and a close with a close.
// It accepts the upgrade on any path and runs until SIGINT or SIGTERM; then every client gets
// a close with 1001 (going away), and it exits 0.
//
//   websocket_echo_server [--address 127.0.0.1] [--port 8080] [--threads 1]
//                         [--max-message-size BYTES] [--max-send-queue BYTES]
//                         [--idle-timeout SECONDS] [--ping-interval SECONDS] [--verbose]
//                         [--tls-cert FILE --tls-key FILE [--tls-handshake-timeout SECONDS]]
//                         [--deflate] [--deflate-takeover] [--deflate-window-bits 9..15]
//                         [--deflate-mem-level 1..9] [--deflate-level 0..9]
//
// --max-send-queue sets the library's websocket_send_queue_limit() (16 MiB unless given); the
// high-water mark at which a connection stops reading is then 1 MiB or that limit, whichever is
// less. An echo client that does not read thus costs the server a bounded amount of memory.
// --idle-timeout: a connection with no message either way for that long is closed with 1001.
// --ping-interval: a connection silent for that long gets a ping, and is dropped if nothing
// comes back within as long again. Both off (0) unless given, as in the library.
// --tls-cert and --tls-key (PEM files: the certificate chain and its private key) make it serve
// wss:// (and https://) instead, with TLS 1.2 or 1.3 (when built with OpenSSL); a client that
// has not completed the TLS handshake within --tls-handshake-timeout (10 s) is disconnected.
// --deflate: permessage-deflate (RFC 7692) with the library's defaults (no context takeover
// either way: one compressor per thread, no zlib state in an idle connection).
// --deflate-takeover: context takeover both ways (each connection its own compressor, sized by
// --deflate-window-bits and --deflate-mem-level; better ratios, more memory). Any --deflate-*
// flag implies --deflate.
//
// Benchmarks and conformance runs use it, so it is as strict and as fast as the library:
// one thread gets single-threaded traits (no strand at all), more threads get strands.

#include <restinio/core.hpp>
#include <restinio/websocket/deflate.hpp>
#include <restinio/websocket/websocket.hpp>
#if defined( RESTINIO_WITH_TLS )
    #include <restinio/tls.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>

namespace rws = restinio::websocket::basic;

namespace
{

struct options_t
{
    std::string address{ "127.0.0.1" };
    std::uint16_t port{ 8080 };
    std::size_t threads{ 1 };
    std::uint64_t max_message_size{ 16u * 1024u * 1024u };
    std::optional< std::size_t > max_send_queue;
    std::chrono::milliseconds idle_timeout{ 0 };
    std::chrono::milliseconds ping_interval{ 0 };
    bool verbose{ false };
    std::string tls_cert;
    std::string tls_key;
    std::chrono::milliseconds tls_handshake_timeout{ 10000 };
    std::optional< rws::deflate_options_t > deflate;
};

[[noreturn]] void usage_and_exit( const char * program, int code )
{
    std::cerr << "usage: " << program
              << " [--address A] [--port P] [--threads N] [--max-message-size BYTES]"
              << " [--max-send-queue BYTES] [--idle-timeout SECONDS] [--ping-interval SECONDS] [--verbose]"
              << " [--tls-cert FILE --tls-key FILE [--tls-handshake-timeout SECONDS]]"
              << " [--deflate] [--deflate-takeover] [--deflate-window-bits B] [--deflate-mem-level L]"
              << " [--deflate-level L]\n";
    std::exit( code );
}

// Whole or fractional seconds, not negative.
std::chrono::milliseconds seconds_option( const char * program, const std::string & text )
{
    std::size_t used = 0;
    double seconds = -1;
    try { seconds = std::stod( text, &used ); } catch( const std::exception & ) {}
    if( used != text.size() || !( seconds >= 0 ) || seconds > 1e9 )
        usage_and_exit( program, 2 );
    return std::chrono::milliseconds{ static_cast< std::int64_t >( seconds * 1000 ) };
}

options_t parse_options( int argc, char ** argv )
{
    options_t options;
    for( int i = 1; i < argc; ++i )
    {
        const std::string arg = argv[ i ];
        const auto value = [&]() -> std::string {
            if( i + 1 >= argc )
                usage_and_exit( argv[ 0 ], 2 );
            return argv[ ++i ];
        };
        if( "--address" == arg )
            options.address = value();
        else if( "--port" == arg )
            options.port = static_cast< std::uint16_t >( std::stoul( value() ) );
        else if( "--threads" == arg )
            options.threads = std::max< std::size_t >( 1, std::stoul( value() ) );
        else if( "--max-message-size" == arg )
            options.max_message_size = std::stoull( value() );
        else if( "--max-send-queue" == arg )
            options.max_send_queue = std::stoull( value() );
        else if( "--idle-timeout" == arg )
            options.idle_timeout = seconds_option( argv[ 0 ], value() );
        else if( "--ping-interval" == arg )
            options.ping_interval = seconds_option( argv[ 0 ], value() );
        else if( "--verbose" == arg )
            options.verbose = true;
        else if( "--tls-cert" == arg )
            options.tls_cert = value();
        else if( "--tls-key" == arg )
            options.tls_key = value();
        else if( "--tls-handshake-timeout" == arg )
            options.tls_handshake_timeout = seconds_option( argv[ 0 ], value() );
        else if( "--deflate" == arg )
            options.deflate.emplace();
        else if( "--deflate-takeover" == arg )
            options.deflate.emplace( options.deflate.value_or( rws::deflate_options_t{} )
                    .server_no_context_takeover( false ).client_no_context_takeover( false ) );
        else if( "--deflate-window-bits" == arg )
        {
            const int bits = std::stoi( value() );
            options.deflate.emplace( options.deflate.value_or( rws::deflate_options_t{} )
                    .server_max_window_bits( bits ).client_max_window_bits( bits ) );
        }
        else if( "--deflate-mem-level" == arg )
            options.deflate.emplace( options.deflate.value_or( rws::deflate_options_t{} ).mem_level( std::stoi( value() ) ) );
        else if( "--deflate-level" == arg )
            options.deflate.emplace( options.deflate.value_or( rws::deflate_options_t{} ).compression_level( std::stoi( value() ) ) );
        else if( "--help" == arg || "-h" == arg )
            usage_and_exit( argv[ 0 ], 0 );
        else
            usage_and_exit( argv[ 0 ], 2 );
    }
    if( options.tls_cert.empty() != options.tls_key.empty() )
        usage_and_exit( argv[ 0 ], 2 );
    return options;
}

// Keeps every open WebSocket alive until its close arrives. The lock is a no-op on one thread.
template< typename Mutex >
class registry_t
{
public:
    void add( const rws::ws_handle_t & wsh )
    {
        std::lock_guard< Mutex > lock{ m_lock };
        m_handles.emplace( wsh->connection_id(), wsh );
    }

    void remove( restinio::connection_id_t id )
    {
        rws::ws_handle_t released;
        {
            std::lock_guard< Mutex > lock{ m_lock };
            const auto it = m_handles.find( id );
            if( it == m_handles.end() )
                return;
            released = std::move( it->second );
            m_handles.erase( it );
        }
    }

    void clear()
    {
        std::unordered_map< restinio::connection_id_t, rws::ws_handle_t > all;
        {
            std::lock_guard< Mutex > lock{ m_lock };
            all.swap( m_handles );
        }
    }

private:
    Mutex m_lock;
    std::unordered_map< restinio::connection_id_t, rws::ws_handle_t > m_handles;
};

template< typename Traits, typename Mutex >
int serve( const options_t & options )
{
    registry_t< Mutex > registry;

    auto handler = [ &registry ]( const restinio::request_handle_t & req ) {
        if( restinio::http_connection_header_t::upgrade != req->header().connection() )
        {
            return req->create_response( restinio::status_bad_request() )
                    .connection_close()
                    .append_header( restinio::http_field::content_type, "text/plain" )
                    .set_body( "this is a WebSocket echo server: send an upgrade request\n" )
                    .done();
        }

        // Delayed activation: the handle is in the registry before the first message arrives.
        auto wsh = rws::upgrade< Traits >( *req, rws::activation_t::delayed,
            [ &registry ]( const rws::ws_handle_t & ws, const rws::message_handle_t & m ) {
                switch( m->opcode() )
                {
                    case rws::opcode_t::text_frame:
                    case rws::opcode_t::binary_frame:
                    case rws::opcode_t::continuation_frame:
                        ws->send_message( m->final_flag(), m->opcode(),
                                          restinio::writable_item_t{ std::move( m->payload() ) } );
                        break;
                    case rws::opcode_t::connection_close_frame:
                        // The library answers the close itself; the handle is no longer needed.
                        registry.remove( ws->connection_id() );
                        break;
                    default:
                        break;
                }
            } );
        if( 0 != wsh->connection_id() )
        {
            registry.add( wsh );
            activate( *wsh );
        }
        return restinio::request_accepted();
    };

    static constexpr bool tls = !std::is_same_v< typename Traits::stream_socket_t, restinio::asio_ns::ip::tcp::socket >;
    auto settings_for = [&]( auto settings ) {
        if( options.max_send_queue )
            settings.websocket_send_queue_limit( *options.max_send_queue );
#if defined( RESTINIO_WITH_TLS )
        if constexpr( tls )
        {
            restinio::asio_ns::ssl::context context{ restinio::asio_ns::ssl::context::tls_server };
            context.set_options( restinio::asio_ns::ssl::context::default_workarounds
                                 | restinio::asio_ns::ssl::context::no_sslv2
                                 | restinio::asio_ns::ssl::context::no_sslv3
                                 | restinio::asio_ns::ssl::context::no_tlsv1
                                 | restinio::asio_ns::ssl::context::no_tlsv1_1 );
            context.use_certificate_chain_file( options.tls_cert );
            context.use_private_key_file( options.tls_key, restinio::asio_ns::ssl::context::pem );
            settings.tls_context( std::move( context ) ).tls_handshake_timelimit( options.tls_handshake_timeout );
        }
#endif
        if( options.deflate )
            settings.websocket_deflate( rws::make_zlib_deflate( *options.deflate ) );
        return std::move( settings )
                .address( options.address )
                .port( options.port )
                .request_handler( std::move( handler ) )
                .websocket_max_message_size( options.max_message_size )
                .websocket_auto_pong( true )
                .websocket_idle_timelimit( options.idle_timeout )
                .websocket_ping_interval( options.ping_interval )
                // Only upgrade requests come over HTTP here: a small read buffer will do (and
                // leaves smaller holes in the heap once the connection has been upgraded).
                .buffer_size( 1024 )
                .read_next_http_message_timelimit( std::chrono::seconds{ 10 } )
                .write_http_response_timelimit( std::chrono::seconds{ 30 } )
                .socket_options_setter( []( restinio::socket_options_t & o ) {
                    o.set_option( restinio::asio_ns::ip::tcp::no_delay{ true } );
                } )
                .acceptor_post_bind_hook( [ &options ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                    // With --port 0 the system picks the port: say which, for scripts.
                    std::cout << "websocket_echo_server: listening on " << ( tls ? "wss" : "ws" )
                              << "://" << options.address << ":"
                              << a.local_endpoint().port() << "/ with " << options.threads
                              << " thread(s)" << std::endl;
                } )
                .cleanup_func( [ &registry ] { registry.clear(); } );
    };

    if( 1 == options.threads )
        restinio::run( settings_for( restinio::on_this_thread< Traits >() ) );
    else
        restinio::run( settings_for( restinio::on_thread_pool< Traits >( options.threads ) ) );
    return 0;
}

struct null_mutex_t
{
    void lock() noexcept {}
    void unlock() noexcept {}
};

template< typename Logger >
int serve_with_logger( const options_t & options )
{
    using single_thread_traits_t =
        restinio::single_thread_traits_t< restinio::asio_timer_manager_t, Logger >;
    using pool_traits_t = restinio::traits_t< restinio::asio_timer_manager_t, Logger >;

#if defined( RESTINIO_WITH_TLS )
    if( !options.tls_cert.empty() )
    {
        using single_thread_tls_traits_t =
            restinio::single_thread_tls_traits_t< restinio::asio_timer_manager_t, Logger >;
        using pool_tls_traits_t = restinio::tls_traits_t< restinio::asio_timer_manager_t, Logger >;
        if( 1 == options.threads )
            return serve< single_thread_tls_traits_t, null_mutex_t >( options );
        return serve< pool_tls_traits_t, std::mutex >( options );
    }
#else
    if( !options.tls_cert.empty() )
        throw std::runtime_error{ "built without TLS (OpenSSL was not found)" };
#endif
    if( 1 == options.threads )
        return serve< single_thread_traits_t, null_mutex_t >( options );
    return serve< pool_traits_t, std::mutex >( options );
}

} // namespace

int main( int argc, char ** argv )
{
    const options_t options = parse_options( argc, argv );
    try
    {
        if( options.verbose )
            return serve_with_logger< restinio::shared_ostream_logger_t >( options );
        return serve_with_logger< restinio::null_logger_t >( options );
    }
    catch( const std::exception & ex )
    {
        std::cerr << "Error: " << ex.what() << std::endl;
        return 1;
    }
}
