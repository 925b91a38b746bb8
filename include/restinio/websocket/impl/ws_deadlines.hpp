// ws_deadlines_t: what a WebSocket connection's clock says is due, computed from timestamps and
// the settings, without a timer or a socket (every case is a table row in
// test/unit/ws_deadlines.cpp). The deadlines: the peer's answer to our close frame or FIN (the
// close-handshake limit), and, while the connection is open, the keepalive ping after a
// silence, the peer's answer to it, and the idle timeout. (A write's time limit is the write
// queue's: its start is kept with the write.)
//
// The connection keeps one check scheduled on the per-io_context timer list while watching()
// says so, and asks due() at each check which session event is due: a deadline fires between its time and one check period
// later, as every RESTinio timeout does. Nothing runs per frame but a flag store: what was heard
// or sent during a pass is stamped once, when the pass ends, and only on a connection that
// watches the clock.
//
// Memory: 16 bytes per connection (three 32-bit millisecond stamps and the flags), in place of
// the 8-byte close deadline this replaces. Stamps count milliseconds modulo 2^32 (49.7 days) and
// are compared by their difference, which is right for any span under that; limits are capped
// at 2^31 - 1 ms (24.8 days), and an open connection that watches is checked every period.
#pragma once

#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/ws_session.hpp>
#include <restinio/websocket/message.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

// Milliseconds of steady_clock, modulo 2^32.
using stamp_t = std::uint32_t;

[[nodiscard]] inline stamp_t to_stamp( std::chrono::steady_clock::time_point t ) noexcept
{
    return static_cast< stamp_t >(
            std::chrono::duration_cast< std::chrono::milliseconds >( t.time_since_epoch() ).count() );
}

// A limit in milliseconds: 0 for none (or a zero duration), at least 1 for any positive one,
// at most 2^31 - 1.
[[nodiscard]] constexpr stamp_t to_limit( std::chrono::steady_clock::duration d ) noexcept
{
    constexpr std::int64_t max_limit = 0x7FFFFFFF;
    if( d <= std::chrono::steady_clock::duration::zero() )
        return 0;
    const auto ms = std::chrono::duration_cast< std::chrono::milliseconds >( d ).count();
    return static_cast< stamp_t >( ms < 1 ? 1 : ( ms > max_limit ? max_limit : ms ) );
}

// The settings the deadlines follow, in milliseconds (0: none).
struct deadline_limits_t
{
    stamp_t m_close{ 0 };
    stamp_t m_ping_interval{ 0 };
    stamp_t m_pong{ 0 };
    stamp_t m_idle{ 0 };

    // Whether an open connection watches the clock at all.
    [[nodiscard]] constexpr bool watch_open() const noexcept { return 0 != m_ping_interval || 0 != m_idle; }
};

class ws_deadlines_t
{
public:
    // During a pass: bytes came from the peer; a frame went either way (only data frames end
    // idleness: a ping or a pong is no activity of the application's).
    void heard() noexcept { m_flags |= heard_pending; }
    void frame( opcode_t opcode ) noexcept
    {
        if( !is_control_frame( opcode ) )
            m_flags |= data_pending;
    }

    // The connection opened (activation): the silences start now.
    void opened( stamp_t now ) noexcept
    {
        m_heard = now;
        m_data = now;
        m_flags = static_cast< std::uint8_t >( m_flags & close_armed );
    }

    // The end of a pass: what was noted is stamped, if an open connection watches the clock.
    // `now` is called only then (it reads the clock).
    template< typename Now >
    void settle( const deadline_limits_t & limits, Now && now )
    {
        if( 0 == ( m_flags & ( heard_pending | data_pending ) ) )
            return;
        if( limits.watch_open() )
        {
            const stamp_t t = now();
            if( 0 != ( m_flags & heard_pending ) )
            {
                m_heard = t;
                m_flags = static_cast< std::uint8_t >( m_flags & ~ping_outstanding );
            }
            if( 0 != ( m_flags & data_pending ) )
                m_data = t;
        }
        m_flags = static_cast< std::uint8_t >( m_flags & ~( heard_pending | data_pending ) );
    }

    // Our close frame (or, failing, our FIN) is out: the close-handshake limit starts now.
    void arm_close( stamp_t now ) noexcept
    {
        m_close_armed_at = now;
        m_flags |= close_armed;
    }

    // A keepalive ping was queued: the pong limit runs from now. (The silence is taken to have
    // begun one ping interval ago, so no other stamp is needed.)
    void ping_sent( const deadline_limits_t & limits, stamp_t now ) noexcept
    {
        m_heard = now - limits.m_ping_interval;
        m_flags |= ping_outstanding;
    }

    // Whether a check must stay scheduled (besides a background write's).
    [[nodiscard]] bool watching( bool open, const deadline_limits_t & limits ) const noexcept
    {
        return 0 != ( m_flags & close_armed ) || ( open && limits.watch_open() );
    }

    // The session event due at `now`, if any: close_timed_out, or, while open, idle_timed_out,
    // pong_timed_out or ping_due, in that order.
    [[nodiscard]] std::optional< session_event_t > due(
            bool open, const deadline_limits_t & limits, stamp_t now ) const noexcept
    {
        using e = session_event_t;
        if( 0 != ( m_flags & close_armed ) )
            return when( elapsed( m_close_armed_at, now ) >= limits.m_close, e::close_timed_out );
        if( !open )
            return std::nullopt;
        if( 0 != limits.m_idle && elapsed( m_data, now ) >= limits.m_idle )
            return e::idle_timed_out;
        if( 0 == limits.m_ping_interval )
            return std::nullopt;
        const stamp_t silent = elapsed( m_heard, now );
        if( 0 != ( m_flags & ping_outstanding ) )
            return when( silent >= limits.m_ping_interval + limits.m_pong, e::pong_timed_out );
        return when( silent >= limits.m_ping_interval, e::ping_due );
    }

private:
    [[nodiscard]] static std::optional< session_event_t > when( bool yes, session_event_t event ) noexcept
    {
        return yes ? std::optional< session_event_t >{ event } : std::nullopt;
    }

    [[nodiscard]] static constexpr stamp_t elapsed( stamp_t since, stamp_t now ) noexcept
    {
        return static_cast< stamp_t >( now - since );
    }

    enum : std::uint8_t
    {
        heard_pending = 1u << 0,
        data_pending = 1u << 1,
        ping_outstanding = 1u << 2,
        close_armed = 1u << 3
    };

    stamp_t m_heard{ 0 };
    stamp_t m_data{ 0 };
    stamp_t m_close_armed_at{ 0 };
    std::uint8_t m_flags{ 0 };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
