// ws_connection_clock_t: a WebSocket connection's deadlines and keepalive as its glue sees
// them. It owns the connection's place on the per-io_context timer list (connection_timer.hpp)
// and its ws_deadlines_t, keeps one check scheduled while anything is to be watched (a write
// that waits for the socket, the close handshake, keepalive, idleness), turns each check into
// the session event that is due, queues keepalive pings and answers the peer's (automatic
// pong). The base of ws_connection_t (CRTP, as pass_driver_t), which provides m_queue,
// m_session, m_settings, m_transport, weak_from_this() and apply( event, code ).
#pragma once

#include <restinio/impl/connection_timer.hpp>
#include <restinio/websocket/impl/ws_deadlines.hpp>
#include <restinio/websocket/impl/ws_session.hpp>

#include <chrono>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

template< typename Connection, typename Timer_Guard >
class ws_connection_clock_t
{
protected:
    // The timer list's check, on the strand: the write time limit first, then the deadlines.
    // Returns whether one of them was due.
    bool check_clock()
    {
        auto & self = connection();
        m_timer.fired();
        const auto now = std::chrono::steady_clock::now();
        if( self.m_queue.writing_in_background()
                && now >= self.m_queue.background_write_started_at() + self.m_settings->m_websocket_write_timelimit )
        {
            self.apply( session_event_t::write_timed_out );
            return true;
        }
        const auto due = m_deadlines.due( open(), limits(), to_stamp( now ) );
        if( due )
            self.apply( *due, self.m_settings->m_websocket_idle_close_code );
        return due.has_value();
    }

    // The end of a pass: what the pass heard and sent is stamped, and a check is scheduled if
    // anything is to be watched (`more_to_watch`: a deadline the connection keeps elsewhere).
    void settle_clock( bool more_to_watch )
    {
        auto & self = connection();
        m_deadlines.settle( limits(), [] { return now_stamp(); } );
        if( self.m_transport.is_open()
                && ( more_to_watch || self.m_queue.writing_in_background() || m_deadlines.watching( open(), limits() ) ) )
            m_timer.schedule( *self.m_settings, self.weak_from_this() );
    }

    void on_opened()
    {
        if( open() && limits().watch_open() )
            m_deadlines.opened( now_stamp() );
    }

    // A frame other than close, delivered to the handler. RFC 6455 5.5.2: a ping is answered
    // with its payload, unless the settings leave that to the handler (which gets it anyway).
    void on_frame_received( opcode_t opcode, const std::string & payload )
    {
        auto & self = connection();
        m_deadlines.frame( opcode );
        if( opcode_t::ping_frame == opcode && self.m_settings->m_websocket_auto_pong )
            self.m_queue.push( final_frame, opcode_t::pong_frame, writable_item_t{ payload }, {} );
    }

    // The session's actions that concern the clock.
    void on_actions( const session_actions_t & actions )
    {
        if( actions.has( session_actions_t::arm_close_deadline ) )
            m_deadlines.arm_close( now_stamp() );
        if( actions.has( session_actions_t::send_ping ) )
        {
            connection().m_queue.push( final_frame, opcode_t::ping_frame, writable_item_t{ std::string{} }, {} );
            m_deadlines.ping_sent( limits(), now_stamp() );
        }
    }

    restinio::impl::connection_timer_t< Timer_Guard > m_timer;
    ws_deadlines_t m_deadlines;

private:
    [[nodiscard]] Connection & connection() noexcept { return static_cast< Connection & >( *this ); }

    [[nodiscard]] bool open() noexcept { return session_state_t::open == connection().m_session.state(); }

    [[nodiscard]] const deadline_limits_t & limits() noexcept
    {
        return connection().m_settings->m_websocket_deadlines;
    }

    [[nodiscard]] static stamp_t now_stamp() noexcept { return to_stamp( std::chrono::steady_clock::now() ); }
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
