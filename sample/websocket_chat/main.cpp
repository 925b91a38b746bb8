// A small chat room. GET / serves the page (chat_page.hpp); its script connects back to /chat.
//
// The protocol, all in text messages: a client's first message is its nickname, every later one
// is said to the room. The server answers with JSON events:
//   {"type":"welcome","name":N,"max_message_size":B}   your nickname (made unique) and the limit
//   {"type":"message","from":N,"text":T,"time":MS}     also replayed as history on joining
//   {"type":"join","name":N}, {"type":"leave","name":N}, {"type":"online","names":[N,...]}
// The library hands over each message whole (websocket_whole_messages: a browser sends a long
// one in several frames) up to the limit, and closes a connection whose message is longer with
// 1009. The library keeps the connections alive: a connection silent for --ping-interval
// seconds is pinged, and dropped if it does not answer within as long again (a browser answers
// on its own). Messages are compressed (permessage-deflate, with the library's defaults: no zlib
// state kept by an idle connection) for browsers that offer it, which all do. The server logs at
// INFO, and the library's TRACE with --verbose.
//
//   websocket_chat [--address 127.0.0.1] [--port 8080] [--ping-interval 10] [--verbose]

#include "chat_page.hpp"

#include <restinio/core.hpp>
#include <restinio/websocket/deflate.hpp>
#include <restinio/websocket/websocket.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rr = restinio::router;
namespace rws = restinio::websocket::basic;

namespace
{

constexpr std::size_t max_message_size = 1024 * 1024;
constexpr std::size_t max_nickname_size = 24;
// The last 50 messages, or fewer if they are long: a newcomer is not sent 50 MiB.
constexpr std::size_t history_size = 50;
constexpr std::size_t history_max_bytes = 4 * max_message_size;

// The library's ostream logger, with TRACE only when asked for.
class chat_logger_t
{
public:
    explicit chat_logger_t( bool verbose ) : m_verbose{ verbose } {}

    template< typename Builder > void trace( Builder && b ) { if( m_verbose ) m_log.trace( b ); }
    template< typename Builder > void info( Builder && b ) { m_log.info( b ); }
    template< typename Builder > void warn( Builder && b ) { m_log.warn( b ); }
    template< typename Builder > void error( Builder && b ) { m_log.error( b ); }

private:
    bool m_verbose;
    restinio::single_threaded_ostream_logger_t m_log;
};

using router_t = rr::express_router_t;
using traits_t = restinio::single_thread_traits_t< restinio::asio_timer_manager_t, chat_logger_t, router_t >;

// Text the library has already checked to be UTF-8, as a JSON string.
std::string json_string( std::string_view text )
{
    std::string out{ '"' };
    for( const char c : text )
    {
        if( '"' == c || '\\' == c )
            out.append( { '\\', c } );
        else if( static_cast< unsigned char >( c ) < 0x20 )
            out += fmt::format( "\\u{:04x}", static_cast< int >( c ) );
        else
            out += c;
    }
    out += '"';
    return out;
}

// Trimmed and cut to max_nickname_size bytes, never inside a UTF-8 sequence.
std::string clean_nickname( std::string_view text )
{
    const auto first = text.find_first_not_of( " \t\r\n" );
    if( std::string_view::npos == first )
        return "guest";
    text = text.substr( first, text.find_last_not_of( " \t\r\n" ) - first + 1 );
    if( text.size() > max_nickname_size )
    {
        std::size_t cut = max_nickname_size;
        while( 0x80 == ( static_cast< unsigned char >( text[ cut ] ) & 0xC0 ) )
            --cut;
        text = text.substr( 0, cut );
    }
    return std::string{ text };
}

// Everyone in the chat. The server runs on one thread, so no locking is needed.
class chat_room_t
{
public:
    explicit chat_room_t( chat_logger_t & log ) : m_log{ log } {}

    void connect( const rws::ws_handle_t & wsh ) { m_members.emplace( wsh->connection_id(), member_t{ wsh, {} } ); }

    // A whole text message (the library has joined its fragments): the first names the sender,
    // the others are said to the room.
    void on_text( restinio::connection_id_t id, const std::string & text )
    {
        const auto it = m_members.find( id );
        if( it == m_members.end() )
            return;
        auto & member = it->second;
        if( member.name.empty() )
            join( member, clean_nickname( text ) );
        else if( !text.empty() )
            say( member.name, text );
    }

    void leave( restinio::connection_id_t id )
    {
        const auto it = m_members.find( id );
        if( it == m_members.end() )
            return;
        const std::string name = std::move( it->second.name );
        m_members.erase( it );
        if( !name.empty() )
        {
            m_log.info( [ & ] { return fmt::format( "{} left", name ); } );
            broadcast( fmt::format( R"({{"type":"leave","name":{}}})", json_string( name ) ) );
            broadcast( online_event() );
        }
    }

    // The server is stopping: the library has told every browser so (1001); the handles go.
    void close_all() { m_members.clear(); }

private:
    struct member_t
    {
        rws::ws_handle_t handle;
        std::string name;       // empty until the first message
    };

    void join( member_t & member, std::string wanted )
    {
        member.name = wanted;
        for( int n = 2; is_taken( member ); ++n )
            member.name = fmt::format( "{} {}", wanted, n );
        m_log.info( [ & ] { return fmt::format( "{} joined", member.name ); } );

        send( member.handle, fmt::format( R"({{"type":"welcome","name":{},"max_message_size":{}}})",
                                          json_string( member.name ), max_message_size ) );
        for( const auto & event : m_history )
            send( member.handle, event );
        broadcast( fmt::format( R"({{"type":"join","name":{}}})", json_string( member.name ) ) );
        broadcast( online_event() );
    }

    void say( const std::string & from, const std::string & text )
    {
        // Strictly increasing, so that a page which reconnects can tell what it has already shown.
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        m_last_time = std::max( m_last_time + 1,
                                std::chrono::duration_cast< std::chrono::milliseconds >( now ).count() );
        auto event = fmt::format( R"({{"type":"message","from":{},"text":{},"time":{}}})",
                                  json_string( from ), json_string( text ), m_last_time );
        broadcast( event );
        m_history_bytes += event.size();
        m_history.push_back( std::move( event ) );
        while( m_history.size() > history_size || m_history_bytes > history_max_bytes )
        {
            m_history_bytes -= m_history.front().size();
            m_history.pop_front();
        }
    }

    bool is_taken( const member_t & candidate ) const
    {
        for( const auto & [ id, member ] : m_members )
            if( &member != &candidate && member.name == candidate.name )
                return true;
        return false;
    }

    std::string online_event() const
    {
        std::string names;
        for( const auto & [ id, member ] : m_members )
            if( !member.name.empty() )
                names += ( names.empty() ? "" : "," ) + json_string( member.name );
        return fmt::format( R"({{"type":"online","names":[{}]}})", names );
    }

    static void send( const rws::ws_handle_t & handle, const std::string & event )
    {
        handle->send_message( rws::final_frame, rws::opcode_t::text_frame, event );
    }

    // To everyone who has a nickname: the others have not joined yet.
    void broadcast( const std::string & event )
    {
        for( const auto & handle : joined() )
            send( handle, event );
    }

    // A list to send to, not the map itself: a send can end a connection (its socket has
    // failed), and its close handler leaves the room (changes the map) before the send returns.
    std::vector< rws::ws_handle_t > joined() const
    {
        std::vector< rws::ws_handle_t > handles;
        for( const auto & [ id, member ] : m_members )
            if( !member.name.empty() )
                handles.push_back( member.handle );
        return handles;
    }

    chat_logger_t & m_log;
    std::map< restinio::connection_id_t, member_t > m_members;
    std::deque< std::string > m_history;    // the last message events
    std::size_t m_history_bytes{ 0 };
    std::chrono::milliseconds::rep m_last_time{ 0 };
};

std::unique_ptr< router_t > make_router( chat_room_t & room )
{
    auto router = std::make_unique< router_t >();

    router->http_get( "/", []( auto req, auto ) {
        return req->create_response()
                .append_header( restinio::http_field::content_type, "text/html; charset=utf-8" )
                .append_header( restinio::http_field::cache_control, "no-cache" )
                .set_body( chat_page )
                .done();
    } );

    router->http_get( "/chat", [ &room ]( auto req, auto ) {
        // RFC 7231 6.5.15: a plain GET of a WebSocket resource is told which protocol to use.
        if( restinio::http_connection_header_t::upgrade != req->header().connection() )
            return req->create_response( restinio::http_status_line_t{ restinio::http_status_code_t{ 426 },
                                                                     "Upgrade Required" } )
                    .append_header( restinio::http_field::upgrade, "websocket" )
                    .append_header( restinio::http_field::content_type, "text/plain; charset=utf-8" )
                    .set_body( "/chat is a WebSocket endpoint; open / in a browser\n" )
                    .done();

        auto wsh = rws::upgrade< traits_t >( *req, rws::activation_t::delayed,
            [ &room ]( rws::ws_handle_t ws, rws::message_handle_t m ) {
                switch( m->opcode() )
                {
                    case rws::opcode_t::text_frame:
                        room.on_text( ws->connection_id(), m->payload() );
                        break;
                    case rws::opcode_t::binary_frame:
                        ws->shutdown( rws::status_code_t::cant_accept_data, "text only" );
                        room.leave( ws->connection_id() );
                        break;
                    case rws::opcode_t::connection_close_frame:
                        room.leave( ws->connection_id() );
                        break;
                    case rws::opcode_t::ping_frame:     // answered by the library (websocket_auto_pong)
                    case rws::opcode_t::pong_frame:     // the library's keepalive
                    case rws::opcode_t::continuation_frame: // never delivered: whole messages
                    case rws::opcode_t::unknown_frame:  // never delivered: the library fails it with 1002
                        break;
                }
            } );
        // A refused upgrade has already been answered (400 or 426) and gives an empty handle.
        if( 0 != wsh->connection_id() )
        {
            room.connect( wsh );
            activate( *wsh );
        }
        return restinio::request_accepted();
    } );

    router->non_matched_request_handler( []( auto req ) {
        return req->create_response( restinio::status_not_found() )
                .append_header( restinio::http_field::content_type, "text/plain; charset=utf-8" )
                .set_body( "not found: the chat is on /\n" )
                .done();
    } );

    return router;
}

} // namespace

int main( int argc, char ** argv )
{
    std::string address{ "127.0.0.1" };
    std::uint16_t port{ 8080 };
    std::chrono::seconds ping_interval{ 10 };
    bool verbose = false;
    for( int i = 1; i < argc; ++i )
    {
        const std::string arg = argv[ i ];
        const bool has_value = i + 1 < argc;
        if( "--address" == arg && has_value )
            address = argv[ ++i ];
        else if( "--port" == arg && has_value )
            port = static_cast< std::uint16_t >( std::stoul( argv[ ++i ] ) );
        else if( "--ping-interval" == arg && has_value )
            ping_interval = std::chrono::seconds{ std::stoul( argv[ ++i ] ) };
        else if( "--verbose" == arg )
            verbose = true;
        else
        {
            std::cerr << "usage: " << argv[ 0 ] << " [--address A] [--port P] [--ping-interval SECONDS] [--verbose]\n";
            return 2;
        }
    }

    try
    {
        chat_logger_t log{ verbose };
        chat_room_t room{ log };
        restinio::asio_ns::io_context ioctx;

        restinio::run( ioctx,
            restinio::on_this_thread< traits_t >()
                .address( address )
                .port( port )
                .logger( verbose )
                .request_handler( make_router( room ) )
                .websocket_max_message_size( max_message_size )
                .websocket_whole_messages( true )
                .websocket_auto_pong( true )
                .websocket_ping_interval( ping_interval )
                .websocket_pong_timelimit( ping_interval )
                .websocket_deflate( rws::make_zlib_deflate() )
                .acceptor_post_bind_hook( [ &address ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                    std::cout << "websocket_chat: open http://" << address << ":"
                              << a.local_endpoint().port() << "/ in a browser" << std::endl;
                } )
                .cleanup_func( [ &room ] { room.close_all(); } ) );
    }
    catch( const std::exception & ex )
    {
        std::cerr << "Error: " << ex.what() << std::endl;
        return 1;
    }
    return 0;
}
