// ws_flow_control_t: the frames the user sends, and what keeps a connection's memory in line
// with its peer's pace, as a base of ws_connection_t (CRTP, no virtual call). It weighs each
// frame the user sends against the session's state and the write queue's limit (compressing
// it first if permessage-deflate was agreed on), follows the queue's size against the
// watermarks (ws_backpressure.hpp: the connection reads only while not paused), owes the user's
// drain handler a call once the queue has drained, and bounds the time a frame or fragmented
// message in progress may take.
//
// Connection provides m_queue (ws_write_queue.hpp), m_session, m_receiver, m_settings, m_user,
// m_transport, log() and apply(); everything here runs on the connection's strand.
#pragma once

#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/permessage_deflate.hpp>
#include <restinio/websocket/impl/ws_backpressure.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>
#include <restinio/websocket/impl/ws_deadlines.hpp>
#include <restinio/websocket/impl/ws_session.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

template< typename Connection >
class ws_flow_control_t
{
protected:
    [[nodiscard]] bool reading_paused() const noexcept { return m_backpressure.reading_paused(); }

    // A frame the user sends, on the strand. A close frame starts the closing handshake; another
    // is queued if the session lets it and the queue is not over its limit. Over the limit, the
    // frame is dropped (its callback told so) or, by the policy, the frames not yet started are
    // dropped too and the connection fails with 1008.
    void on_send_frame( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t && payload,
                        write_status_cb_t && callback )
    {
        auto & self = connection();
        if( opcode_t::connection_close_frame == opcode )
            return self.apply( session_event_t::user_close, status_code_t::normal_closure, &payload, &callback );
        if( !self.m_session.on( session_event_t::user_send ).has( session_actions_t::queue_frame ) )
            return refuse( std::move( callback ) );

        const std::size_t frame_size = payload.size() + max_frame_header_size;
        const send_admission_t admission =
                admit_send( self.m_settings->m_websocket_send_queue, self.m_queue.queued_bytes(), frame_size );
        if( send_admission_t::queue == admission )
        {
            self.m_deadlines.frame( opcode );
            permessage_deflate_t * const deflate = self.m_receiver.deflate();
            const bool rsv1 = deflate && !is_control_frame( opcode )
                    && deflate->compress_frame( opcode, final_flag, payload );
            self.m_queue.push( final_flag, opcode, std::move( payload ), std::move( callback ), rsv1 );
            return note_queued();
        }
        const auto over_limit = make_asio_compaible_error( asio_convertible_error_t::write_queue_limit_exceeded );
        self.log().trace( "write queue over its limit ({} bytes): frame of {} bytes {}",
                self.m_queue.queued_bytes(), frame_size,
                send_admission_t::close == admission ? "refused, closing with 1008" : "dropped" );
        self.m_queue.refuse( std::move( callback ), over_limit );
        if( send_admission_t::close == admission )
        {
            self.m_queue.drop_queued( over_limit );
            self.apply( session_event_t::send_queue_overflow, status_code_t::policy_violation );
            note_queued();
        }
    }

    // A frame that may not be sent any more (the connection is closing or closed).
    void refuse( write_status_cb_t && callback )
    {
        auto & self = connection();
        self.log().warn( "cannot write to websocket: write operations disabled" );
        self.m_queue.refuse( std::move( callback ), make_asio_compaible_error( self.m_transport.is_open()
                ? asio_convertible_error_t::write_group_destroyed_passively
                : asio_convertible_error_t::write_was_not_executed ) );
    }

    // The queue's size may have changed: pause or resume reading.
    void note_queued()
    {
        auto & self = connection();
        if( backpressure_change_t::drained
                    == m_backpressure.on_queued( self.m_settings->m_websocket_send_queue, self.m_queue.queued_bytes() )
                && m_drain_handler )
            self.m_queue.defer( [ this ]( const asio_ns::error_code & ) { run_drain_handler(); } );
    }


    void store_drain_handler( drain_handler_t && handler )
    {
        m_drain_handler = handler ? std::make_unique< drain_handler_t >( std::move( handler ) ) : nullptr;
        m_drain_handler_stored = true;
    }

    void run_drain_handler()
    {
        const ws_handle_t wsh = connection().m_user.handle();
        if( !m_drain_handler || !wsh )
            return;
        // Moved out while it runs: it may replace or remove itself, and then stays replaced.
        auto handler = std::move( m_drain_handler );
        m_drain_handler_stored = false;
        ( *handler )( wsh );
        if( !m_drain_handler_stored )
            m_drain_handler = std::move( handler );
    }

    // A frame or message in progress gets its deadline when first seen (at the end of the pass
    // that read its first bytes), and loses it once over, or once input is no longer taken.
    // While reading is paused the peer cannot go on, so its time starts again on resuming (a peer
    // that reads nothing either is ended by the write time limit). Returns whether one is set.
    bool track_message_deadline()
    {
        auto & self = connection();
        if( !self.m_session.takes_frames() || !self.m_receiver.frame_in_progress() || reading_paused() )
            m_message_timed = false;
        else if( !m_message_timed )
        {
            m_message_timed = true;
            m_message_started = to_stamp( std::chrono::steady_clock::now() );
        }
        return m_message_timed;
    }

    // After the deadline, the connection fails with 1008 (RFC 6455 has no code for a peer too
    // slow; 1002 would say it broke the protocol, which it did not), and the partial payload goes.
    // Returns whether it did.
    bool check_message_deadline( std::chrono::steady_clock::time_point now )
    {
        auto & self = connection();
        if( !m_message_timed || static_cast< stamp_t >( to_stamp( now ) - m_message_started )
                < to_limit( self.m_settings->m_websocket_message_timelimit ) )
            return false;
        self.log().trace( "frame or message not complete within its time limit" );
        m_message_timed = false;
        self.m_receiver.abandon();
        self.apply( session_event_t::frame_error, status_code_t::policy_violation );
        return true;
    }

private:
    [[nodiscard]] Connection & connection() noexcept { return static_cast< Connection & >( *this ); }

    // Only once the user sets one.
    std::unique_ptr< drain_handler_t > m_drain_handler;
    // When the frame or message in progress was first seen (ws_deadlines.hpp's stamps), if
    // m_message_timed.
    stamp_t m_message_started{ 0 };
    send_backpressure_t m_backpressure;
    bool m_message_timed{ false };
    // Set by store_drain_handler(): tells run_drain_handler() the handler replaced itself.
    bool m_drain_handler_stored{ false };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
