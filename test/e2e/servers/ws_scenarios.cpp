// A WebSocket test server for the end-to-end suites: the request path chooses what the message
// handler does, and GET /stats?tag=T tells the tests what the handlers of the connections
// tagged T saw (upgrades, refused upgrades, messages, close codes, write-callback results).
//
//   e2e_server_ws_scenarios [--port 0] [--threads 1] [--close-wait-ms 10000] [--timer-ms 1000]
//                           [--write-timeout-ms 5000] [--max-message-size BYTES]
//                           [--send-queue-high BYTES] [--send-queue-limit BYTES]
//                           [--send-limit-policy drop|close] [--message-timelimit-ms MS]
//                           [--auto-pong 0] [--ping-ms 0] [--pong-ms MS] [--idle-ms 0]
//                           [--idle-code 1001] [--going-away-ms 5000] [--whole-messages 0|1]
//                           [--tls-cert FILE --tls-key FILE]
//
// --close-wait-ms is also the HTTP read and handler time limits. --auto-pong to --going-away-ms
// are the liveness and going-away settings (websocket_auto_pong, ..._ping_interval,
// ..._pong_timelimit, ..._idle_timelimit, ..._idle_close_code, ..._going_away_timelimit).
// --whole-messages 1 sets websocket_whole_messages( true ) on the server (off by default).
//
// Paths (each takes ?tag=T; every handle is kept in a registry until the server stops, except
// where a path says otherwise, so the tests also check that the server ends the TCP connection
// after a closing handshake while the user still holds the handle):
//
//   /echo                  text, binary and continuation come back as they are; ping -> pong,
//                          by the handler, or by the library alone with --auto-pong 1
//   /echo                  text, binary and continuation come back as they are, ping -> pong
//   /echo-whole            /echo, upgraded with whole_messages( handler ): whole messages whatever
//                          the server's setting
//   /echo-frames           /echo, upgraded with frame_by_frame( handler ): frames whatever the
//                          server's setting
//   /seed                  every frame comes back as it is (ping as ping, close as close): the seed
//   /shutdown-after-first  echoes the first message, then shutdown()
//   /kill-after-first      kill() on the first message, no echo
//   /close-1001-bye        echoes the first message, then sends close 1001 "bye"
//   /delayed?ms=M          activation_t::delayed; sends text "waiting" at once, and another thread
//                          calls activate() after M ms (default 300) and then sends "active"
//   /release               echoes the first message, then drops the last handle
//   /from-thread?n=N       a std::thread sends "thread <i>" for i in [0, N) and then "thread done"
//                          through the handle while the handler echoes
//   /callback              echoes each data frame with a write callback, which records its
//                          error code and sends "written:<code>"; on a close it sends once more
//                          and records the code that callback got
//   /subprotocol           upgrade overload (C): Sec-WebSocket-Protocol: chat if the client offers it
//   /extra-fields          upgrade overload (A) with X-Scenario: extra-fields
//   /flood?size=BYTES      on the first message sends one binary message of BYTES (default 64 MiB)
//   /subscribe?to=G        a subscriber of group G: gets what /publish sends; a send refused to it
//                          records its error code in the callbacks of tag T
//   /publish?to=G          each data message "SIZE" sends one binary message of SIZE bytes (one
//                          shared payload) to every subscriber of G, then answers "published"
//   /paced                 the first message "N SIZE": sends N binary messages of SIZE bytes, each
//                          while buffered_amount() is under the high-water mark, the rest from the
//                          drain handler; then "done"; errors of their callbacks are recorded
//   /never                 the handler keeps the upgrade request and never answers it
//   /burst?n=N&size=BYTES  on each data message sends N binary messages of BYTES (default 16 of
//                          1024), the i-th starting with "<i>:", at once from the handler
//
// A refused handshake (upgrade() returns a ws_t whose connection_id() is 0) counts as "refused".
// With --threads 1 the single-threaded traits are used (no strands), otherwise the default ones.
// With --tls-cert and --tls-key it serves wss:// (and https://), on one thread only.

#include <restinio/core.hpp>
#include <restinio/websocket/websocket.hpp>
#if defined( RESTINIO_WITH_TLS )
    #include <restinio/tls.hpp>
    #include "tls_context.hpp"
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rws = restinio::websocket::basic;

namespace
{

struct options_t
{
    std::uint16_t port{ 0 };
    std::size_t threads{ 1 };
    std::chrono::milliseconds close_wait{ 10000 };
    std::chrono::milliseconds timer_period{ 1000 };
    std::chrono::milliseconds write_timeout{ 5000 };
    std::uint64_t max_message_size{ 16u * 1024u * 1024u };
    std::size_t send_queue_high{ 1024u * 1024u };
    std::size_t send_queue_limit{ 16u * 1024u * 1024u };
    restinio::websocket_send_limit_policy_t send_limit_policy{ restinio::websocket_send_limit_policy_t::close_connection };
    std::chrono::milliseconds message_timelimit{ 60000 };
    bool auto_pong{ false };
    std::chrono::milliseconds ping_interval{ 0 };
    std::optional< std::chrono::milliseconds > pong_timelimit;
    std::chrono::milliseconds idle_timelimit{ 0 };
    std::uint16_t idle_code{ 1001 };
    std::chrono::milliseconds going_away_timelimit{ 5000 };
    bool whole_messages{ false };
    std::string tls_cert;
    std::string tls_key;
};

[[noreturn]] void usage_and_exit( const char * program )
{
    std::cerr << "usage: " << program << " [--port P] [--threads N] [--close-wait-ms MS]"
              << " [--timer-ms MS] [--write-timeout-ms MS] [--max-message-size BYTES]"
              << " [--send-queue-high BYTES] [--send-queue-limit BYTES] [--send-limit-policy drop|close]"
              << " [--message-timelimit-ms MS]"
              << " [--auto-pong 0|1] [--ping-ms MS] [--pong-ms MS] [--idle-ms MS] [--idle-code CODE]"
              << " [--going-away-ms MS] [--whole-messages 0|1] [--tls-cert FILE --tls-key FILE]\n";
    std::exit( 2 );
}

options_t parse_options( int argc, char ** argv )
{
    options_t options;
    for( int i = 1; i < argc; ++i )
    {
        const std::string arg = argv[ i ];
        if( i + 1 >= argc )
            usage_and_exit( argv[ 0 ] );
        const std::string value = argv[ ++i ];
        if( "--tls-cert" == arg )
            options.tls_cert = value;
        else if( "--tls-key" == arg )
            options.tls_key = value;
        else if( "--port" == arg )
            options.port = static_cast< std::uint16_t >( std::stoul( value ) );
        else if( "--threads" == arg )
            options.threads = std::max< std::size_t >( 1, std::stoul( value ) );
        else if( "--close-wait-ms" == arg )
            options.close_wait = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--timer-ms" == arg )
            options.timer_period = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--write-timeout-ms" == arg )
            options.write_timeout = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--max-message-size" == arg )
            options.max_message_size = std::stoull( value );
        else if( "--send-queue-high" == arg )
            options.send_queue_high = std::stoull( value );
        else if( "--send-queue-limit" == arg )
            options.send_queue_limit = std::stoull( value );
        else if( "--send-limit-policy" == arg && ( "drop" == value || "close" == value ) )
            options.send_limit_policy = "drop" == value ? restinio::websocket_send_limit_policy_t::drop_message
                                                        : restinio::websocket_send_limit_policy_t::close_connection;
        else if( "--message-timelimit-ms" == arg )
            options.message_timelimit = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--auto-pong" == arg )
            options.auto_pong = "0" != value;
        else if( "--ping-ms" == arg )
            options.ping_interval = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--pong-ms" == arg )
            options.pong_timelimit = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--idle-ms" == arg )
            options.idle_timelimit = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--idle-code" == arg )
            options.idle_code = static_cast< std::uint16_t >( std::stoul( value ) );
        else if( "--going-away-ms" == arg )
            options.going_away_timelimit = std::chrono::milliseconds{ std::stol( value ) };
        else if( "--whole-messages" == arg )
            options.whole_messages = "1" == value;
        else
            usage_and_exit( argv[ 0 ] );
    }
    return options;
}

// What the handlers of one tag saw, reported as JSON by GET /stats?tag=T.
struct tag_stats_t
{
    unsigned upgrades{ 0 };
    unsigned refused{ 0 };
    unsigned messages{ 0 };
    std::vector< int > closes;
    std::vector< int > callbacks;
};

std::string to_json( const std::vector< int > & values )
{
    std::string result = "[";
    for( std::size_t i = 0; i != values.size(); ++i )
        result += ( i ? "," : "" ) + std::to_string( values[ i ] );
    return result + "]";
}

class stats_t
{
public:
    template< typename F >
    void update( const std::string & tag, F && f )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        f( m_by_tag[ tag ] );
    }

    std::string json( const std::string & tag )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        const tag_stats_t & s = m_by_tag[ tag ];
        return "{\"upgrades\":" + std::to_string( s.upgrades ) +
                ",\"refused\":" + std::to_string( s.refused ) +
                ",\"messages\":" + std::to_string( s.messages ) +
                ",\"closes\":" + to_json( s.closes ) +
                ",\"callbacks\":" + to_json( s.callbacks ) + "}";
    }

private:
    std::mutex m_lock;
    std::map< std::string, tag_stats_t > m_by_tag;
};

// Handles kept alive until the server stops (or until a scenario drops one).
class registry_t
{
public:
    void add( const rws::ws_handle_t & wsh )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_handles.emplace( wsh->connection_id(), wsh );
    }

    // Returns the handle so that the caller decides where the last reference dies.
    rws::ws_handle_t take( restinio::connection_id_t id )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        const auto it = m_handles.find( id );
        if( it == m_handles.end() )
            return {};
        auto wsh = std::move( it->second );
        m_handles.erase( it );
        return wsh;
    }

    void clear()
    {
        std::map< restinio::connection_id_t, rws::ws_handle_t > all;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            all.swap( m_handles );
        }
    }

private:
    std::mutex m_lock;
    std::map< restinio::connection_id_t, rws::ws_handle_t > m_handles;
};

// Threads that act on WebSockets from outside the server's threads. They are joined by the
// cleanup function, while the io_context their sockets belong to still exists.
class background_t
{
public:
    template< typename F >
    void start( F && f )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_threads.emplace_back( std::forward< F >( f ) );
    }

    [[nodiscard]] bool stopping() const noexcept { return m_stopping.load(); }

    void join_all()
    {
        m_stopping = true;
        std::vector< std::thread > threads;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            threads.swap( m_threads );
        }
        for( auto & t : threads )
            t.join();
    }

    // Sleeps for `d` unless the server is stopping; returns false if it is.
    bool sleep_for( std::chrono::milliseconds d ) const
    {
        const auto until = std::chrono::steady_clock::now() + d;
        while( std::chrono::steady_clock::now() < until )
        {
            if( stopping() )
                return false;
            std::this_thread::sleep_for( std::chrono::milliseconds{ 5 } );
        }
        return !stopping();
    }

private:
    std::mutex m_lock;
    std::vector< std::thread > m_threads;
    std::atomic< bool > m_stopping{ false };
};

bool is_data( rws::opcode_t op )
{
    return rws::opcode_t::text_frame == op || rws::opcode_t::binary_frame == op ||
            rws::opcode_t::continuation_frame == op;
}

void echo( const rws::ws_handle_t & wsh, const rws::message_t & m )
{
    wsh->send_message( m.final_flag(), m.opcode(), restinio::writable_item_t{ m.payload() } );
}

constexpr auto as_given = []( auto handler ) { return handler; };

std::string accept_for( const restinio::request_t & req )
{
    const auto key = req.header().opt_value_of( restinio::http_field::sec_websocket_key );
    const std::string key_and_guid =
            std::string{ key ? *key : restinio::string_view_t{} } + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return restinio::utils::base64::encode(
            restinio::utils::sha1::to_string( restinio::utils::sha1::make_digest( key_and_guid ) ) );
}

template< typename Traits >
class scenarios_t
{
public:
    explicit scenarios_t( const options_t & options ) : m_options{ options } {}

    restinio::request_handling_status_t handle( const restinio::request_handle_t & req )
    {
        const auto query = restinio::parse_query( req->header().query() );
        const std::string tag{ query.get_param( "tag" ).value_or( "" ) };
        const std::string path{ req->header().path() };

        if( restinio::http_connection_header_t::upgrade != req->header().connection() )
        {
            if( "/stats" == path )
                return req->create_response()
                        .append_header( restinio::http_field::content_type, "application/json" )
                        .set_body( m_stats.json( tag ) )
                        .done();
            return req->create_response( restinio::status_not_found() ).connection_close().done();
        }

        const auto echo_and_pong = [ this ]( auto & wsh, auto & m, auto & ) {
            if( is_data( m.opcode() ) )
                echo( wsh, m );
            else if( rws::opcode_t::ping_frame == m.opcode() && !m_options.auto_pong )
                wsh->send_message( rws::final_frame, rws::opcode_t::pong_frame,
                                   restinio::writable_item_t{ m.payload() } );
        };
        rws::ws_handle_t wsh;
        if( "/echo" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, echo_and_pong );
        else if( "/echo-whole" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, echo_and_pong,
                             []( auto handler ) { return rws::whole_messages( std::move( handler ) ); } );
        else if( "/echo-frames" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, echo_and_pong,
                             []( auto handler ) { return rws::frame_by_frame( std::move( handler ) ); } );
        else if( "/seed" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, []( auto & wsh, auto & m, auto & ) {
                wsh->send_message( m );
            } );
        else if( "/shutdown-after-first" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, []( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                {
                    echo( wsh, m );
                    wsh->shutdown();
                }
            } );
        else if( "/kill-after-first" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, []( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                    wsh->kill();
            } );
        else if( "/close-1001-bye" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, []( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                {
                    echo( wsh, m );
                    wsh->send_message( rws::final_frame, rws::opcode_t::connection_close_frame,
                            rws::status_code_to_bin( rws::status_code_t::going_away ) + "bye" );
                }
            } );
        else if( "/delayed" == path )
        {
            wsh = upgrade_d( *req, tag, rws::activation_t::delayed, []( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                    echo( wsh, m );
            } );
            if( wsh->connection_id() )
            {
                // Frames sent before activation are written; nothing is read until activate().
                wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "waiting" );
                const auto delay = std::chrono::milliseconds{ std::stol(
                        std::string{ query.get_param( "ms" ).value_or( "300" ) } ) };
                m_background.start( [ this, wsh, delay ] {
                    if( !m_background.sleep_for( delay ) )
                        return;
                    activate( *wsh );
                    wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "active" );
                } );
            }
        }
        else if( "/release" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, [ this ]( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                {
                    echo( wsh, m );
                    // The handler's own argument is the last reference after this; it dies when
                    // the handler returns.
                    auto released = m_registry.take( wsh->connection_id() );
                }
            } );
        else if( "/from-thread" == path )
        {
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, []( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                    echo( wsh, m );
            } );
            if( wsh->connection_id() )
            {
                const int n = std::stoi( std::string{ query.get_param( "n" ).value_or( "100" ) } );
                m_background.start( [ this, wsh, n ] {
                    for( int i = 0; i != n && !m_background.stopping(); ++i )
                    {
                        wsh->send_message( rws::final_frame, rws::opcode_t::text_frame,
                                           "thread " + std::to_string( i ) );
                        if( 0 == i % 8 )
                            std::this_thread::sleep_for( std::chrono::milliseconds{ 1 } );
                    }
                    wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "thread done" );
                } );
            }
        }
        else if( "/callback" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, [ this, tag ]( auto & wsh, auto & m, auto & ) {
                const bool close = rws::opcode_t::connection_close_frame == m.opcode();
                if( !is_data( m.opcode() ) && !close )
                    return;
                // Weak: a strong handle inside the connection's own queue would keep it alive.
                std::weak_ptr< rws::ws_t > weak = wsh;
                auto cb = [ this, tag, weak ]( const restinio::asio_ns::error_code & ec ) {
                    m_stats.update( tag, [&]( tag_stats_t & s ) { s.callbacks.push_back( ec.value() ); } );
                    if( auto ws = weak.lock(); ws && !ec )
                        ws->send_message( rws::final_frame, rws::opcode_t::text_frame,
                                          "written:" + std::to_string( ec.value() ) );
                };
                if( close )
                    wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "too late", cb );
                else
                    wsh->send_message( m.final_flag(), m.opcode(),
                                       restinio::writable_item_t{ m.payload() }, cb );
            } );
        else if( "/subprotocol" == path )
        {
            const auto offered = req->header().opt_value_of( restinio::http_field::sec_websocket_protocol );
            const bool chat = offered && std::string{ *offered }.find( "chat" ) != std::string::npos;
            auto handler = make_handler( tag, []( auto & wsh, auto & m, auto & ) {
                if( is_data( m.opcode() ) )
                    echo( wsh, m );
            } );
            if( chat )
                wsh = rws::upgrade< Traits >( *req, rws::activation_t::delayed, accept_for( *req ),
                                              "chat", std::move( handler ) );
            else
                wsh = rws::upgrade< Traits >( *req, rws::activation_t::delayed, accept_for( *req ),
                                              std::move( handler ) );
            register_and_activate( wsh, tag );
        }
        else if( "/extra-fields" == path )
        {
            restinio::http_header_fields_t fields;
            fields.set_field( restinio::http_field::sec_websocket_accept, accept_for( *req ) );
            fields.set_field( "X-Scenario", "extra-fields" );
            wsh = rws::upgrade< Traits >( *req, rws::activation_t::delayed, std::move( fields ),
                    make_handler( tag, []( auto & wsh, auto & m, auto & ) {
                        if( is_data( m.opcode() ) )
                            echo( wsh, m );
                    } ) );
            register_and_activate( wsh, tag );
        }
        else if( "/flood" == path )
        {
            const std::size_t size = std::stoull(
                    std::string{ query.get_param( "size" ).value_or( "67108864" ) } );
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, [ size ]( auto & wsh, auto & m, auto & first ) {
                if( is_data( m.opcode() ) && first )
                    wsh->send_message( rws::final_frame, rws::opcode_t::binary_frame,
                                       std::string( size, 'f' ) );
            } );
        }
        else if( "/subscribe" == path )
        {
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, []( auto &, auto &, auto & ) {} );
            if( wsh->connection_id() )
                m_groups.add( std::string{ query.get_param( "to" ).value_or( "" ) }, tag, wsh );
        }
        else if( "/publish" == path )
        {
            const std::string group{ query.get_param( "to" ).value_or( "" ) };
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, [ this, group ]( auto & wsh, auto & m, auto & ) {
                if( !is_data( m.opcode() ) )
                    return;
                const auto payload = std::make_shared< std::string >( std::stoull( m.payload() ), 'b' );
                m_groups.for_each( group, [ & ]( const std::string & sub_tag, const rws::ws_handle_t & sub ) {
                    sub->send_message( rws::final_frame, rws::opcode_t::binary_frame, restinio::writable_item_t{ payload },
                        [ this, sub_tag ]( const restinio::asio_ns::error_code & ec ) {
                            if( ec )
                                m_stats.update( sub_tag, [&]( tag_stats_t & s ) { s.callbacks.push_back( ec.value() ); } );
                        } );
                } );
                wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, "published" );
            } );
        }
        else if( "/paced" == path )
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, [ this, tag ]( auto & wsh, auto & m, auto & first ) {
                if( first )
                    start_paced( wsh, tag, m.payload() );
            } );
        else if( "/never" == path )
        {
            // Kept, neither upgraded nor answered.
            std::lock_guard< std::mutex > lock{ m_kept_lock };
            m_kept_requests.push_back( req );
            return restinio::request_accepted();
        }
        else if( "/burst" == path )
        {
            const auto n = std::stoul( std::string{ query.get_param( "n" ).value_or( "16" ) } );
            const auto size = std::stoul( std::string{ query.get_param( "size" ).value_or( "1024" ) } );
            wsh = upgrade_d( *req, tag, rws::activation_t::immediate, [ n, size ]( auto & wsh, auto & m, auto & ) {
                if( !is_data( m.opcode() ) )
                    return;
                for( unsigned long i = 0; i != n; ++i )
                {
                    std::string payload = std::to_string( i ) + ":";
                    payload.resize( std::max< std::size_t >( size, payload.size() ), 'b' );
                    wsh->send_message( rws::final_frame, rws::opcode_t::binary_frame, std::move( payload ) );
                }
            } );
        }
        else
            return req->create_response( restinio::status_not_found() ).connection_close().done();

        return restinio::request_accepted();
    }

    void cleanup()
    {
        m_background.join_all();
        m_groups.clear();
        m_registry.clear();
        std::lock_guard< std::mutex > lock{ m_kept_lock };
        m_kept_requests.clear();
    }

private:
    // "N SIZE": N messages of SIZE bytes, sent as fast as the queue's high-water mark allows.
    void start_paced( const rws::ws_handle_t & wsh, const std::string & tag, const std::string & request )
    {
        struct pacer_t { std::size_t left; std::string payload; };
        const auto space = request.find( ' ' );
        auto pacer = std::make_shared< pacer_t >( pacer_t{ std::stoull( request.substr( 0, space ) ),
                std::string( std::stoull( request.substr( space + 1 ) ), 'p' ) } );
        auto pump = [ this, tag, pacer, high = m_options.send_queue_high ]( const rws::ws_handle_t & ws ) {
            for( ; pacer->left != 0 && ws->buffered_amount() < high; --pacer->left )
                ws->send_message( rws::final_frame, rws::opcode_t::binary_frame, pacer->payload,
                    [ this, tag ]( const restinio::asio_ns::error_code & ec ) {
                        if( ec )
                            m_stats.update( tag, [&]( tag_stats_t & s ) { s.callbacks.push_back( ec.value() ); } );
                    } );
            if( 0 == pacer->left )
            {
                ws->send_message( rws::final_frame, rws::opcode_t::text_frame, "done" );
                ws->on_drain( {} );
            }
        };
        wsh->on_drain( pump );
        pump( wsh );
    }

    // Wraps a scenario: counts messages, records close codes, and tells the scenario whether
    // this is the first data message. `act( wsh, message, first )`. One handler type for every
    // scenario: each type of handler is a connection type of its own to compile.
    using handler_t = std::function< void( rws::ws_handle_t, rws::message_handle_t ) >;

    template< typename Act >
    handler_t make_handler( const std::string & tag, Act act )
    {
        return [ this, tag, act, first = true ]( rws::ws_handle_t wsh, rws::message_handle_t m ) mutable {
            if( rws::opcode_t::connection_close_frame == m->opcode() )
            {
                const auto code = m->payload().size() >= 2 ?
                        static_cast< int >( rws::status_code_from_bin( m->payload() ) ) : 0;
                m_stats.update( tag, [&]( tag_stats_t & s ) { s.closes.push_back( code ); } );
            }
            else
                m_stats.update( tag, [&]( tag_stats_t & s ) { ++s.messages; } );
            const bool is_first = first && is_data( m->opcode() );
            if( is_first )
                first = false;
            act( wsh, *m, is_first );
        };
    }

    // Upgrade overload (D), the usual one; `wrap` may choose the handler's delivery.
    template< typename Act, typename Wrap = decltype( as_given ) >
    rws::ws_handle_t upgrade_d( restinio::request_t & req, const std::string & tag,
                                rws::activation_t activation, Act act, Wrap wrap = as_given )
    {
        // Register before reading starts, so the handler can always find its handle.
        auto wsh = rws::upgrade< Traits >( req, rws::activation_t::delayed, wrap( make_handler( tag, act ) ) );
        if( rws::activation_t::immediate == activation )
            register_and_activate( wsh, tag );
        else
            count_upgrade( wsh, tag );
        return wsh;
    }

    void register_and_activate( const rws::ws_handle_t & wsh, const std::string & tag )
    {
        if( count_upgrade( wsh, tag ) )
            activate( *wsh );
    }

    bool count_upgrade( const rws::ws_handle_t & wsh, const std::string & tag )
    {
        const bool upgraded = 0 != wsh->connection_id();
        m_stats.update( tag, [&]( tag_stats_t & s ) { ++( upgraded ? s.upgrades : s.refused ); } );
        if( upgraded )
            m_registry.add( wsh );
        return upgraded;
    }

    // Subscribers by group, each with its tag.
    class groups_t
    {
    public:
        void add( const std::string & group, const std::string & tag, const rws::ws_handle_t & wsh )
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            m_members[ group ].emplace_back( tag, wsh );
        }

        template< typename F >
        void for_each( const std::string & group, F && f )
        {
            std::vector< std::pair< std::string, rws::ws_handle_t > > members;
            {
                std::lock_guard< std::mutex > lock{ m_lock };
                members = m_members[ group ];
            }
            for( const auto & [ tag, wsh ] : members )
                f( tag, wsh );
        }

        void clear()
        {
            std::map< std::string, std::vector< std::pair< std::string, rws::ws_handle_t > > > all;
            std::lock_guard< std::mutex > lock{ m_lock };
            all.swap( m_members );
        }

    private:
        std::mutex m_lock;
        std::map< std::string, std::vector< std::pair< std::string, rws::ws_handle_t > > > m_members;
    };

    const options_t & m_options;
    stats_t m_stats;
    groups_t m_groups;
    registry_t m_registry;
    background_t m_background;
    std::mutex m_kept_lock;
    std::vector< restinio::request_handle_t > m_kept_requests;
};

template< typename Traits >
void serve( const options_t & options )
{
    scenarios_t< Traits > scenarios{ options };
    static constexpr bool tls = !std::is_same_v< typename Traits::stream_socket_t, restinio::asio_ns::ip::tcp::socket >;
    auto settings_for = [&]( auto settings ) {
#if defined( RESTINIO_WITH_TLS )
        if constexpr( tls )
            settings.tls_context( make_test_tls_context( options.tls_cert, options.tls_key ) );
#endif
        return std::move( settings )
                .address( "127.0.0.1" )
                .port( options.port )
                .request_handler( [ &scenarios ]( const restinio::request_handle_t & req ) {
                    return scenarios.handle( req );
                } )
                .websocket_max_message_size( options.max_message_size )
                .websocket_send_queue_high_water( options.send_queue_high )
                .websocket_send_queue_limit( options.send_queue_limit )
                .websocket_send_queue_limit_policy( options.send_limit_policy )
                .websocket_message_timelimit( options.message_timelimit )
                .websocket_auto_pong( options.auto_pong )
                .websocket_ping_interval( options.ping_interval )
                .websocket_pong_timelimit( options.pong_timelimit.value_or( options.ping_interval ) )
                .websocket_idle_timelimit( options.idle_timelimit )
                .websocket_idle_close_code( static_cast< rws::status_code_t >( options.idle_code ) )
                .websocket_going_away_timelimit( options.going_away_timelimit )
                .websocket_whole_messages( options.whole_messages )
                .read_next_http_message_timelimit( options.close_wait )
                .handle_request_timeout( options.close_wait )
                .write_http_response_timelimit( options.write_timeout )
                .timer_manager( options.timer_period )
                .acceptor_post_bind_hook( [ &options ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                    std::cout << "ws_scenarios: listening on " << ( tls ? "wss" : "ws" ) << "://127.0.0.1:"
                              << a.local_endpoint().port()
                              << "/ with " << options.threads << " thread(s)" << std::endl;
                } )
                .cleanup_func( [ &scenarios ] { scenarios.cleanup(); } );
    };
    if( 1 == options.threads )
        restinio::run( settings_for( restinio::on_this_thread< Traits >() ) );
    else
        restinio::run( settings_for( restinio::on_thread_pool< Traits >( options.threads ) ) );
}

} // namespace

int main( int argc, char ** argv )
{
    const options_t options = parse_options( argc, argv );
    try
    {
        if( !options.tls_cert.empty() )
        {
            if( 1 != options.threads || options.tls_key.empty() )
                usage_and_exit( argv[ 0 ] );
#if defined( RESTINIO_WITH_TLS )
            serve< restinio::single_thread_tls_traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t > >( options );
#else
            throw std::runtime_error{ "built without TLS" };
#endif
        }
        else if( 1 == options.threads )
            serve< restinio::single_thread_traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t > >( options );
        else
            serve< restinio::traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t > >( options );
    }
    catch( const std::exception & ex )
    {
        std::cerr << "Error: " << ex.what() << std::endl;
        return 1;
    }
    return 0;
}
