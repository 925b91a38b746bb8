// End-to-end: what a connection-state listener hears of WebSocket connections. Every upgraded
// connection reports accepted, then upgraded_to_websocket, then closed exactly once, when its
// TCP connection ends, however it ends: the client's close, the server's shutdown() (answered,
// or not and timed out), kill(), a protocol error, the client vanishing, a handle dropped in the
// request handler, and the server stopping with connections open. A refused upgrade and a plain
// request report accepted and closed. The server keeps every handle until it stops, so a
// closed that came only with the handle's release would be missed. Run on one thread and on
// a pool of four, where the clients also close all at once.

#include "test_server.hpp"
#include "ws_client.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace rws = restinio::websocket::basic;
using namespace ws_test;
using namespace std::chrono_literals;

namespace
{

// Each connection's notices as one string, "accepted upgraded closed".
class state_recorder_t
{
public:
    void state_changed( const restinio::connection_state::notice_t & notice ) noexcept
    {
        const char * name = std::visit( []( const auto & cause ) {
            using cause_t = std::decay_t< decltype( cause ) >;
            if constexpr( std::is_same_v< cause_t, restinio::connection_state::accepted_t > )
                return "accepted";
            else if constexpr( std::is_same_v< cause_t, restinio::connection_state::upgraded_to_websocket_t > )
                return "upgraded";
            else
                return "closed";
        }, notice.cause() );
        std::lock_guard< std::mutex > lock{ m_lock };
        auto & events = m_events[ notice.connection_id() ];
        events += events.empty() ? name : std::string{ " " } + name;
        m_changed.notify_all();
    }

    // All connections' notices once `done( notices )` holds, or as they are after 5 s.
    template< typename Predicate >
    std::map< restinio::connection_id_t, std::string > wait_until( Predicate done )
    {
        std::unique_lock< std::mutex > lock{ m_lock };
        m_changed.wait_for( lock, 5s, [ & ] { return done( m_events ); } );
        return m_events;
    }

    // The notices of `id` once they are `expected`, or what they are after 5 s.
    std::string wait_for( restinio::connection_id_t id, const std::string & expected )
    {
        return wait_until( [ & ]( auto & events ) { return events[ id ] == expected; } )[ id ];
    }

    [[nodiscard]] std::map< restinio::connection_id_t, std::string > all()
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_events;
    }

private:
    std::mutex m_lock;
    std::condition_variable m_changed;
    std::map< restinio::connection_id_t, std::string > m_events;
};

template< typename Base >
struct listening_traits_t : public Base
{
    using connection_state_listener_t = state_recorder_t;
};

using single_thread_traits_t = listening_traits_t<
        restinio::single_thread_traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t > >;
using pool_traits_t = listening_traits_t<
        restinio::traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t > >;

const std::string upgraded_and_closed = "accepted upgraded closed";

// "id" gets the connection's id as text, "shutdown" and "kill" do that; the rest is echoed.
void scripted_handler( const rws::ws_handle_t & wsh, const rws::message_handle_t & m )
{
    if( rws::opcode_t::text_frame != m->opcode() )
        return;
    if( "id" == m->payload() )
        wsh->send_message( rws::final_frame, rws::opcode_t::text_frame,
                           restinio::writable_item_t{ std::to_string( wsh->connection_id() ) } );
    else if( "shutdown" == m->payload() )
        wsh->shutdown();
    else if( "kill" == m->payload() )
        wsh->kill();
    else
        wsh->send_message( *m );
}

template< typename Traits >
class listened_server_t
{
public:
    explicit listened_server_t( std::size_t threads )
        : m_server{ [ this ]( const restinio::request_handle_t & req ) { return handle( req ); }, threads,
                    [ this ]( typename test_server_t< Traits >::settings_t & s ) {
                        s.connection_state_listener( m_recorder );
                    } }
    {}

    [[nodiscard]] std::uint16_t port() const noexcept { return m_server.port(); }
    [[nodiscard]] state_recorder_t & recorder() noexcept { return *m_recorder; }
    void stop() { m_server.stop(); }

private:
    restinio::request_handling_status_t handle( const restinio::request_handle_t & req )
    {
        if( restinio::http_connection_header_t::upgrade != req->header().connection() )
            return req->create_response( restinio::status_not_found() ).connection_close().done();
        auto wsh = rws::upgrade< Traits >( *req, rws::activation_t::immediate, scripted_handler );
        // "/drop": the handle goes with the request handler, which closes the connection at once.
        if( "/drop" != req->header().path() )
            m_server.keep( std::move( wsh ) );
        return restinio::request_accepted();
    }

    std::shared_ptr< state_recorder_t > m_recorder{ std::make_shared< state_recorder_t >() };
    test_server_t< Traits > m_server;
};

// An upgraded client, and the id the server gave its connection.
struct client_t
{
    explicit client_t( std::uint16_t port ) : raw{ port }
    {
        REQUIRE( raw.upgrade( "/chat" ) == exact_101 );
        raw.write( client_text( "id" ) );
        const std::string frame = raw.read_frame();
        REQUIRE( frame.size() > 2 );
        id = std::stoull( frame.substr( 2 ) );
    }

    raw_client_t raw;
    restinio::connection_id_t id{ 0 };
};

// The ways a client makes its connection end, for the clients that close all at once.
enum class ending_t { client_close, server_shutdown, kill, vanish };

template< typename Traits >
void every_way_a_connection_ends( std::size_t threads )
{
    listened_server_t< Traits > server{ threads };
    auto & recorder = server.recorder();
    // The upgraded connections of this section: each must report closed before the server stops.
    std::vector< restinio::connection_id_t > upgraded;
    const auto reports_closed = [ & ]( restinio::connection_id_t id ) {
        upgraded.push_back( id );
        INFO( "connection " << id );
        CHECK( recorder.wait_for( id, upgraded_and_closed ) == upgraded_and_closed );
    };

    SECTION( "the client closes" )
    {
        client_t c{ server.port() };
        c.raw.write( client_close( rws::status_code_t::normal_closure ) );
        CHECK( hex( c.raw.read_frame() ) == hex( server_close( 1000 ) ) );
        CHECK( c.raw.reads_eof() );
        reports_closed( c.id );
    }
    SECTION( "the server shuts down and the client answers" )
    {
        client_t c{ server.port() };
        c.raw.write( client_text( "shutdown" ) );
        CHECK( hex( c.raw.read_frame() ) == hex( server_close( 1000 ) ) );
        c.raw.write( client_close( rws::status_code_t::normal_closure ) );
        CHECK( c.raw.reads_eof() );
        reports_closed( c.id );
    }
    SECTION( "the server shuts down and the client never answers: the 1 s limit ends it" )
    {
        client_t c{ server.port() };
        c.raw.write( client_text( "shutdown" ) );
        CHECK( hex( c.raw.read_frame() ) == hex( server_close( 1000 ) ) );
        CHECK( c.raw.reads_eof() );
        reports_closed( c.id );
    }
    SECTION( "kill()" )
    {
        client_t c{ server.port() };
        c.raw.write( client_text( "kill" ) );
        CHECK( c.raw.reads_eof() );
        reports_closed( c.id );
    }
    SECTION( "a protocol error: an unmasked frame gets 1002" )
    {
        client_t c{ server.port() };
        c.raw.write( server_text( "unmasked" ) );
        CHECK( hex( c.raw.read_frame() ) == hex( server_close( 1002 ) ) );
        CHECK( c.raw.reads_eof() );
        reports_closed( c.id );
    }
    SECTION( "the client goes without a close frame" )
    {
        restinio::connection_id_t id = 0;
        {
            client_t c{ server.port() };
            id = c.id;
        }
        reports_closed( id );
    }
    SECTION( "the request handler drops the handle" )
    {
        raw_client_t raw{ server.port() };
        REQUIRE( raw.upgrade( "/drop" ) == exact_101 );
        CHECK( hex( raw.read_frame() ) == hex( server_close( 1000 ) ) );
        raw.write( client_close( rws::status_code_t::normal_closure ) );
        CHECK( raw.reads_eof() );
        // The only connection of this server.
        const auto events = recorder.all();
        REQUIRE( 1u == events.size() );
        reports_closed( events.begin()->first );
    }
    SECTION( "sixteen clients end their connections all at once, four ways" )
    {
        std::vector< std::unique_ptr< client_t > > clients;
        for( int i = 0; i != 16; ++i )
            clients.push_back( std::make_unique< client_t >( server.port() ) );
        const auto ending = []( std::size_t i ) { return static_cast< ending_t >( i % 4 ); };
        for( std::size_t i = 0; i != clients.size(); ++i )
        {
            auto & raw = clients[ i ]->raw;
            switch( ending( i ) )
            {
            case ending_t::client_close: raw.write( client_close( rws::status_code_t::normal_closure ) ); break;
            case ending_t::server_shutdown: raw.write( client_text( "shutdown" ) ); break;
            case ending_t::kill: raw.write( client_text( "kill" ) ); break;
            case ending_t::vanish: raw.shutdown_write(); break;
            }
        }
        for( std::size_t i = 0; i != clients.size(); ++i )
        {
            auto & raw = clients[ i ]->raw;
            INFO( "client " << i );
            if( ending_t::client_close == ending( i ) || ending_t::server_shutdown == ending( i ) )
                CHECK( hex( raw.read_frame() ) == hex( server_close( 1000 ) ) );
            if( ending_t::server_shutdown == ending( i ) )
                raw.write( client_close( rws::status_code_t::normal_closure ) );
            CHECK( raw.reads_eof() );
        }
        for( const auto & c : clients )
            reports_closed( c->id );
    }
    SECTION( "the server stops with connections open" )
    {
        std::vector< std::unique_ptr< client_t > > clients;
        for( int i = 0; i != 4; ++i )
            clients.push_back( std::make_unique< client_t >( server.port() ) );
        server.stop();
        for( const auto & c : clients )
        {
            upgraded.push_back( c->id );
            // The library says the server is going away before the kept handles are dropped;
            // answered, the closing handshake ends the connection.
            CHECK( hex( c->raw.read_frame() ) == hex( server_close( 1001 ) ) );
            c->raw.write( client_close( rws::status_code_t::going_away ) );
            CHECK( c->raw.reads_eof() );
        }
    }
    SECTION( "a refused upgrade and a plain request: accepted, then closed" )
    {
        raw_client_t refused{ server.port() };
        refused.write( "GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: " + rfc_key + "\r\nSec-WebSocket-Version: 8\r\n\r\n" );
        CHECK( refused.read_until( "\r\n\r\n" ).rfind( "HTTP/1.1 426 ", 0 ) == 0 );
        raw_client_t plain{ server.port() };
        plain.write( "GET / HTTP/1.1\r\nHost: x\r\n\r\n" );
        CHECK( plain.read_until( "\r\n\r\n" ).rfind( "HTTP/1.1 404 ", 0 ) == 0 );
        const auto events = recorder.wait_until( []( const auto & all ) {
            return 2u == all.size() && std::all_of( all.begin(), all.end(), []( const auto & e ) {
                return "accepted closed" == e.second;
            } );
        } );
        CHECK( 2u == events.size() );
        for( const auto & [ id, notices ] : events )
            CHECK( notices == "accepted closed" );
    }

    // Once the server is gone nothing more can be reported: still one closed each.
    server.stop();
    for( const auto & [ id, notices ] : recorder.all() )
    {
        INFO( "connection " << id );
        if( std::find( upgraded.begin(), upgraded.end(), id ) != upgraded.end() )
            CHECK( notices == upgraded_and_closed );
        else
            CHECK( notices == "accepted closed" );
    }
}

} // namespace

TEST_CASE( "a WebSocket connection reports accepted, upgraded and one closed: one thread",
        "[e2e][websocket][connection_state]" )
{
    every_way_a_connection_ends< single_thread_traits_t >( 1 );
}

TEST_CASE( "a WebSocket connection reports accepted, upgraded and one closed: four threads",
        "[e2e][websocket][connection_state]" )
{
    every_way_a_connection_ends< pool_traits_t >( 4 );
}
