// Flow control of one connection's write queue, without I/O: when reading stops and starts again
// (the high- and low-water marks), and whether a frame may still be queued (the hard limit).
//
// A peer that sends faster than it reads (an echo client that never reads, a ping flood whose
// pongs pile up) makes the queue grow; once it holds the high-water mark the connection stops
// reading, so TCP's own flow control slows the peer, and reads again once the queue is down to
// the low-water mark. Frames sent from elsewhere (another thread, a broadcast) do not stop
// because reading did: above the high-water mark, one that would take the queue past the hard
// limit is dropped (its callback says so) or closes the connection with 1008, as the settings
// choose. The connection (ws_connection.hpp) counts the bytes and performs what this decides;
// the tables are in test/unit/ws_backpressure.cpp.
#pragma once

#include <algorithm>
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

// The server's limits on each connection's write queue, in bytes of frames (header and
// payload) queued and not yet written.
struct send_queue_limits_t
{
    std::size_t m_high_water;   // at or above: the connection stops reading
    std::size_t m_low_water;    // at or below, once stopped: it reads again, and has drained
    std::size_t m_limit;        // above the high-water mark, no frame takes the queue past it
    bool m_close_on_limit;      // such a frame closes the connection (1008) instead of dropping
};

// Limits from the settings, made consistent: a high-water mark of at least 1 byte and at most
// the limit, and a low-water mark below it (equal ones would stop and start reading on every
// frame): one that is not is taken as a quarter of the high-water mark.
[[nodiscard]] constexpr send_queue_limits_t make_send_queue_limits( std::size_t high_water,
        std::size_t low_water, std::size_t limit, bool close_on_limit ) noexcept
{
    high_water = std::max< std::size_t >( std::min( high_water, limit ), 1u );
    return { high_water, low_water < high_water ? low_water : high_water / 4u, limit, close_on_limit };
}

enum class send_admission_t : std::uint8_t
{
    queue,  // the frame joins the queue
    drop,   // the frame is not sent; its callback gets write_queue_limit_exceeded
    close   // the frame is not sent, and the connection is closed with 1008
};

// Whether a frame of `size` bytes may join a queue that holds `queued` bytes. Below the
// high-water mark any frame may: a message longer than the rest of the limit could never be sent
// otherwise, and a handler that answers what it reads sends only there, since reading stops
// above it. So the queue holds at most the limit, or the high-water mark plus one frame.
[[nodiscard]] constexpr send_admission_t admit_send(
        const send_queue_limits_t & limits, std::size_t queued, std::size_t size ) noexcept
{
    if( queued < limits.m_high_water || ( size <= limits.m_limit && queued <= limits.m_limit - size ) )
        return send_admission_t::queue;
    return limits.m_close_on_limit ? send_admission_t::close : send_admission_t::drop;
}

enum class backpressure_change_t : std::uint8_t
{
    none,
    paused,     // the queue reached the high-water mark: stop reading
    drained     // back down to the low-water mark: read again, and tell the user (drain)
};

// Whether a connection reads, as its queue grows and shrinks (with hysteresis).
class send_backpressure_t
{
public:
    [[nodiscard]] bool reading_paused() const noexcept { return m_paused; }

    // The queue holds `queued` bytes now.
    [[nodiscard]] backpressure_change_t on_queued(
            const send_queue_limits_t & limits, std::size_t queued ) noexcept
    {
        if( !m_paused && queued >= limits.m_high_water )
        {
            m_paused = true;
            return backpressure_change_t::paused;
        }
        if( m_paused && queued <= limits.m_low_water )
        {
            m_paused = false;
            return backpressure_change_t::drained;
        }
        return backpressure_change_t::none;
    }

private:
    bool m_paused{ false };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
