// A small broadcast chat: GET / serves a page whose script connects back to /chat; every text
// message a client sends goes to every connected client; each connection is pinged every
// --ping-interval seconds, and one that has not answered the previous ping is killed.
//
//   websocket_chat [--address 127.0.0.1] [--port 8080] [--ping-interval 10]

#include <restinio/core.hpp>
#include <restinio/websocket/websocket.hpp>

#include <iostream>
#include <map>

namespace rr = restinio::router;
namespace rws = restinio::websocket::basic;

using router_t = rr::express_router_t;
using traits_t = restinio::single_thread_traits_t<
    restinio::asio_timer_manager_t, restinio::single_threaded_ostream_logger_t, router_t >;

namespace
{

const char * const chat_page = R"html(<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>restinio chat</title></head>
<body>
<h1>Chat</h1>
<div id="status">connecting...</div>
<ul id="messages"></ul>
<form id="form"><input id="text" autocomplete="off" autofocus><button>Send</button></form>
<script>
  const messages = document.getElementById('messages');
  const status = document.getElementById('status');
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/chat');
  ws.onopen = () => { status.textContent = 'connected'; };
  ws.onclose = (e) => { status.textContent = 'closed (' + e.code + ')'; };
  ws.onmessage = (e) => {
    const li = document.createElement('li');
    li.textContent = e.data;
    messages.appendChild(li);
  };
  document.getElementById('form').onsubmit = (e) => {
    e.preventDefault();
    const text = document.getElementById('text');
    if (text.value) { ws.send(text.value); text.value = ''; }
  };
</script>
</body>
</html>
)html";

// Everyone in the chat. The server runs on one thread, so no locking is needed.
class chat_room_t
{
public:
    void join( const rws::ws_handle_t & wsh ) { m_members.emplace( wsh->connection_id(), member_t{ wsh, true } ); }

    void leave( restinio::connection_id_t id ) { m_members.erase( id ); }

    void pong_from( restinio::connection_id_t id )
    {
        if( const auto it = m_members.find( id ); it != m_members.end() )
            it->second.answered_last_ping = true;
    }

    void broadcast( const std::string & text )
    {
        for( auto & [ id, member ] : m_members )
            member.handle->send_message( rws::final_frame, rws::opcode_t::text_frame, text );
    }

    // Drops members that did not answer the last ping, then pings the rest.
    void ping_all()
    {
        for( auto it = m_members.begin(); it != m_members.end(); )
        {
            if( !it->second.answered_last_ping )
            {
                it->second.handle->kill();
                it = m_members.erase( it );
                continue;
            }
            it->second.answered_last_ping = false;
            it->second.handle->send_message( rws::final_frame, rws::opcode_t::ping_frame, std::string{ "ping" } );
            ++it;
        }
    }

    void clear() { m_members.clear(); }

private:
    struct member_t
    {
        rws::ws_handle_t handle;
        bool answered_last_ping;
    };

    std::map< restinio::connection_id_t, member_t > m_members;
};

std::unique_ptr< router_t > make_router( chat_room_t & room )
{
    auto router = std::make_unique< router_t >();

    router->http_get( "/", []( auto req, auto ) {
        return req->create_response()
                .append_header( restinio::http_field::content_type, "text/html; charset=utf-8" )
                .set_body( chat_page )
                .done();
    } );

    router->http_get( "/chat", [ &room ]( auto req, auto ) {
        if( restinio::http_connection_header_t::upgrade != req->header().connection() )
            return restinio::request_rejected();

        auto wsh = rws::upgrade< traits_t >( *req, rws::activation_t::delayed,
            [ &room ]( rws::ws_handle_t ws, rws::message_handle_t m ) {
                switch( m->opcode() )
                {
                    case rws::opcode_t::text_frame:
                        room.broadcast( m->payload() );
                        break;
                    case rws::opcode_t::ping_frame:
                        ws->send_message( rws::final_frame, rws::opcode_t::pong_frame, m->payload() );
                        break;
                    case rws::opcode_t::pong_frame:
                        room.pong_from( ws->connection_id() );
                        break;
                    case rws::opcode_t::connection_close_frame:
                        room.leave( ws->connection_id() );
                        break;
                    default:
                        break;
                }
            } );
        if( 0 != wsh->connection_id() )
        {
            room.join( wsh );
            activate( *wsh );
        }
        return restinio::request_accepted();
    } );

    return router;
}

void schedule_pings( restinio::asio_ns::steady_timer & timer, std::chrono::seconds interval, chat_room_t & room )
{
    timer.expires_after( interval );
    timer.async_wait( [ &timer, interval, &room ]( const restinio::asio_ns::error_code & ec ) {
        if( ec )
            return;
        room.ping_all();
        schedule_pings( timer, interval, room );
    } );
}

} // namespace

int main( int argc, char ** argv )
{
    std::string address{ "127.0.0.1" };
    std::uint16_t port{ 8080 };
    std::chrono::seconds ping_interval{ 10 };
    for( int i = 1; i + 1 < argc; i += 2 )
    {
        const std::string arg = argv[ i ];
        if( "--address" == arg )
            address = argv[ i + 1 ];
        else if( "--port" == arg )
            port = static_cast< std::uint16_t >( std::stoul( argv[ i + 1 ] ) );
        else if( "--ping-interval" == arg )
            ping_interval = std::chrono::seconds{ std::stoul( argv[ i + 1 ] ) };
        else
        {
            std::cerr << "usage: " << argv[ 0 ] << " [--address A] [--port P] [--ping-interval SECONDS]\n";
            return 2;
        }
    }

    try
    {
        chat_room_t room;
        restinio::asio_ns::io_context ioctx;
        restinio::asio_ns::steady_timer ping_timer{ ioctx };
        schedule_pings( ping_timer, ping_interval, room );

        restinio::run( ioctx,
            restinio::on_this_thread< traits_t >()
                .address( address )
                .port( port )
                .request_handler( make_router( room ) )
                .acceptor_post_bind_hook( [ &address ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                    std::cout << "websocket_chat: open http://" << address << ":"
                              << a.local_endpoint().port() << "/ in a browser" << std::endl;
                } )
                .cleanup_func( [ &room, &ping_timer ] {
                    ping_timer.cancel();
                    room.clear();
                } ) );
    }
    catch( const std::exception & ex )
    {
        std::cerr << "Error: " << ex.what() << std::endl;
        return 1;
    }
    return 0;
}
