// What ws_t knows of its connection: the operations it forwards, from any thread.
#pragma once

#include <restinio/buffers.hpp>
#include <restinio/tcp_connection_ctx_base.hpp>
#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/message.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace restinio
{
namespace websocket
{
namespace basic
{

class ws_t;
using ws_handle_t = std::shared_ptr< ws_t >;

// Called on the connection's thread once its write queue, having reached the high-water mark,
// is down to the low-water mark (see ws_t::on_drain()).
using drain_handler_t = std::function< void ( const ws_handle_t & ) >;

namespace impl
{

class ws_connection_base_t : public restinio::tcp_connection_ctx_base_t
{
public:
    using tcp_connection_ctx_base_t::tcp_connection_ctx_base_t;

    // Send a 1000 close, wait for the peer's close (with the close-wait timeout), close TCP.
    virtual void shutdown() = 0;

    // Close TCP now, without a closing handshake.
    virtual void kill() = 0;

    // The server is stopping: a 1001 close after what is queued, then the peer's close is
    // awaited (with the close-handshake time limit); the handler hears 1001.
    virtual void go_away() = 0;

    // Start reading frames and calling the handler with `wsh` (kept as a weak reference).
    virtual void init_read( ws_handle_t wsh ) = 0;

    // Queue one frame. A close frame also ends the connection's writing (RFC 6455 5.5.1).
    // By reference: the payload moves once, into the write queue.
    virtual void send_frame(
        final_frame_flag_t final_flag,
        opcode_t opcode,
        writable_item_t && payload,
        write_status_cb_t && wscb ) = 0;

    // Replaces the drain handler (an empty one removes it).
    virtual void set_drain_handler( drain_handler_t handler ) = 0;

    // The bytes of the frames queued and not yet written; any thread may ask.
    [[nodiscard]] virtual std::size_t buffered_amount() const noexcept = 0;

    // What permessage-deflate agreed on, or nullopt; fixed before the handle exists, so any
    // thread may ask.
    [[nodiscard]] virtual std::optional< deflate_params_t > deflate_params() const noexcept = 0;

private:
    // The server's list of open connections (ws_registry.hpp), under its lock.
    friend class ws_registry_t;
    ws_connection_base_t * m_registry_prev{ nullptr };
    ws_connection_base_t * m_registry_next{ nullptr };
};

using ws_connection_handle_t = std::shared_ptr< ws_connection_base_t >;

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
