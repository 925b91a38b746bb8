// ws_session_t: the life of one WebSocket connection as a state machine without I/O. Events go
// in (a frame read, the end of input, a write finished or failed, a deadline, a call of the
// user's), actions come out (deliver a frame, queue a close frame, tell the handler a close
// code, shut down or close the socket, arm the close deadline, read, send a keepalive ping). The connection performs
// the actions; the session never touches a socket, a timer or the user's code, so every
// (state, event) pair is tested as a table (test/unit/ws_session.cpp).
//
// Closing follows RFC 6455 7.1: whoever starts the closing handshake, the server closes the
// TCP connection once it is over (7.1.1). A connection failed for bad input (7.1.7) sends its
// close frame, then its FIN, and drains the peer's input until EOF or the close deadline, so
// the close frame is not lost to a reset. The handler hears of every end it did not ask for
// exactly once: the peer's close frame, or a made-up close message (1006 for a lost connection,
// 1011 for a write that timed out or a failure inside the library, 1008 for a send queue over
// its limit, the failing code for bad input, 1006 for a keepalive ping never answered, the idle
// code for an idle timeout, 1001 for the server going away); never after its own shutdown(),
// close frame or kill().
#pragma once

#include <restinio/websocket/message.hpp>

#include <cstddef>
#include <cstdint>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

enum class session_state_t : std::uint8_t
{
    awaiting_activation,    // upgraded; nothing is read before activate()
    open,                   // frames go to the handler
    closing,                // our close is queued: only the peer's close is awaited
    closing_after_writes,   // the handshake is over: TCP closes once our writes are out
    failing,                // we failed the connection: after our close frame, linger
    lingering,              // our FIN is out: input is dropped until EOF or the deadline
    closed                  // the socket is closed
};

inline constexpr std::size_t session_state_count = 7;

enum class session_event_t : std::uint8_t
{
    activated,          // activate(): frames may be read
    data_frame,         // a valid frame other than close (ping and pong included)
    close_frame,        // a valid close frame from the peer
    frame_error,        // input that breaks RFC 6455 or our limits (the code comes with it)
    input_ended,        // EOF or a read error
    writes_flushed,     // everything queued has been written
    write_failed,
    write_timed_out,    // a write made no full progress within the write time limit
    close_timed_out,    // no close or EOF from the peer within the close-handshake time limit
    user_send,          // send_message() of a frame other than close
    user_close,         // shutdown(), shutdown(code, reason), a close frame sent, the last handle gone
    user_kill,          // kill()
    internal_failure,   // an exception inside the library while the connection was served
    send_queue_overflow,// a send would take the write queue past its limit, and the policy closes
    ping_due,           // keepalive: the peer has been silent for the ping interval
    pong_timed_out,     // keepalive: nothing heard within the pong limit of our ping
    idle_timed_out,     // no data frame either way for the idle limit (the code comes with it)
    going_away          // the server is stopping (RFC 6455 7.4.1: 1001)
};

inline constexpr std::size_t session_event_count = 18;

// What the connection does after a transition, in this order: deliver the frame, queue or
// refuse the user's frame, queue our close frame, tell the handler, then socket work.
struct session_actions_t
{
    enum : std::uint16_t
    {
        deliver = 1u << 0,              // hand the frame to the handler
        queue_frame = 1u << 1,          // the user's frame goes to the write queue
        refuse_frame = 1u << 2,         // the user's frame is dropped, its callback told so
        send_close = 1u << 3,           // queue a close frame with `code`
        echo_close = 1u << 4,           // queue a close frame with the peer's payload (5.5.1)
        report_close = 1u << 5,         // the handler gets a close message with `code`
        shutdown_send = 1u << 6,        // FIN, after everything queued
        close_socket = 1u << 7,
        arm_close_deadline = 1u << 8,   // the close-handshake time limit starts now
        start_reading = 1u << 9,
        send_ping = 1u << 10            // queue a keepalive ping
    };

    std::uint16_t bits{ 0 };
    status_code_t code{ status_code_t::normal_closure };

    [[nodiscard]] bool has( std::uint16_t bit ) const noexcept { return 0 != ( bits & bit ); }

    friend bool operator==( const session_actions_t & a, const session_actions_t & b ) noexcept
    {
        return a.bits == b.bits && ( a.code == b.code
                || 0 == ( a.bits & ( send_close | report_close ) ) );
    }
};

class ws_session_t
{
public:
    [[nodiscard]] session_state_t state() const noexcept { return m_state; }

    // Input is parsed only in these states (in closing, only the peer's close has an effect);
    // in the others after activation, input is still read (to see EOF) and dropped.
    [[nodiscard]] bool takes_frames() const noexcept
    {
        return session_state_t::open == m_state || session_state_t::closing == m_state;
    }

    [[nodiscard]] bool reads() const noexcept
    {
        return session_state_t::awaiting_activation != m_state && session_state_t::closed != m_state;
    }

    // A FIN follows the last queued frame: it may wait for it in the same segment.
    [[nodiscard]] bool fin_after_writes() const noexcept
    {
        return session_state_t::closing_after_writes == m_state || session_state_t::failing == m_state;
    }

    // Frames may still be queued (the user's, or our close).
    [[nodiscard]] bool accepts_frames() const noexcept
    {
        return session_state_t::awaiting_activation == m_state || session_state_t::open == m_state;
    }

    [[nodiscard]] bool is_closed() const noexcept { return session_state_t::closed == m_state; }

    // `code` is the failing code of frame_error, and the close code of user_close and idle_timed_out.
    [[nodiscard]] session_actions_t on( session_event_t event,
            status_code_t code = status_code_t::normal_closure ) noexcept
    {
        using a = session_actions_t;
        using e = session_event_t;
        using s = session_state_t;
        const bool serving = s::awaiting_activation == m_state || s::open == m_state;

        switch( event )
        {
        case e::activated:
            if( s::awaiting_activation != m_state )
                return {};
            return go( s::open, a::start_reading );

        case e::data_frame:
            return s::open == m_state ? session_actions_t{ a::deliver } : session_actions_t{};

        case e::close_frame:
            if( s::open == m_state )
                return go( s::closing_after_writes, a::deliver | a::echo_close );
            if( s::closing == m_state )
                return go( s::closing_after_writes, 0 );
            return {};

        case e::frame_error:
            if( s::open == m_state )
                return go( s::failing, a::send_close | a::report_close, code );
            // Bad input while our close is out: the handshake cannot end well (7.1.7).
            if( s::closing == m_state )
                return go( s::closed, a::close_socket );
            return {};

        case e::input_ended:
        case e::write_failed:
            return end( serving, status_code_t::connection_lost );

        case e::write_timed_out:
            return end( serving, status_code_t::unexpected_condition );

        case e::writes_flushed:
            if( s::closing_after_writes == m_state )
                return go( s::closed, a::shutdown_send | a::close_socket );
            if( s::failing == m_state )
                return go( s::lingering, a::shutdown_send | a::arm_close_deadline );
            return {};

        case e::close_timed_out:
            if( s::closing == m_state || s::lingering == m_state )
                return go( s::closed, a::close_socket );
            return {};

        case e::user_send:
            return serving ? session_actions_t{ a::queue_frame } : session_actions_t{ a::refuse_frame };

        case e::user_close:
            if( !serving )
                return { a::refuse_frame };
            // Reading starts now even before activation: the peer's close is to be awaited.
            return go( s::closing, a::send_close | a::arm_close_deadline | a::start_reading, code );

        case e::user_kill:
            if( s::closed == m_state )
                return {};
            return go( s::closed, a::close_socket );

        case e::ping_due:
            return s::open == m_state ? session_actions_t{ a::send_ping } : session_actions_t{};

        // The peer is gone without a word: no close frame would be read (7.1.7).
        case e::pong_timed_out:
            if( s::open != m_state )
                return {};
            return go( s::closed, a::close_socket | a::report_close, status_code_t::connection_lost );

        // We start the closing handshake, and the handler hears why, as from a peer's close.
        case e::idle_timed_out:
            if( s::open != m_state )
                return {};
            return go( s::closing, a::send_close | a::report_close | a::arm_close_deadline, code );

        case e::going_away:
            if( !serving )
                return {};
            return go( s::closing, a::send_close | a::report_close | a::arm_close_deadline | a::start_reading,
                       status_code_t::going_away );

        case e::internal_failure:
            if( serving )
                return go( s::failing, a::send_close | a::report_close, status_code_t::unexpected_condition );
            if( s::closed == m_state )
                return {};
            return go( s::closed, a::close_socket );

        case e::send_queue_overflow:
            // 1008: the peer reads too slowly for what is sent to it, which breaks no rule of
            // RFC 6455 but ours (as uWebSockets' closeOnBackpressureLimit).
            if( serving )
                return go( s::failing, a::send_close | a::report_close, status_code_t::policy_violation );
            return {};
        }
        return {};
    }

private:
    [[nodiscard]] session_actions_t go( session_state_t next, std::uint16_t bits,
            status_code_t code = status_code_t::normal_closure ) noexcept
    {
        m_state = next;
        return { bits, code };
    }

    // The socket is gone (or must go) at once; the handler hears it only if it did not ask.
    [[nodiscard]] session_actions_t end( bool serving, status_code_t code ) noexcept
    {
        if( session_state_t::closed == m_state )
            return {};
        return go( session_state_t::closed,
                session_actions_t::close_socket | ( serving ? session_actions_t::report_close : 0 ), code );
    }

    session_state_t m_state{ session_state_t::awaiting_activation };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
