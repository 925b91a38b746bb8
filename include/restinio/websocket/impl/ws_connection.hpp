// ws_connection_t: drives one WebSocket connection. It owns the transport (the socket), the
// receiver (bytes to frames), the session (ws_session.hpp: every rule of closing) and the write
// queue, and runs them in passes: everything that follows one event (input, a background write
// ended, a deadline, a ws_t call) is fed to the session, its actions performed, and then the
// pass settles: the queue is written in one gathered write, the socket shut down or closed if
// the session says so, and only then the write callbacks run. A pass never re-enters: a ws_t
// call from inside one (a handler, a callback) changes the session at once, so nothing after
// a kill() is delivered, but its socket work waits for the pass's end. Reads run only from the
// connection's own wait or a posted task, never inline from another connection's handler, so
// the per-thread read buffer belongs to the pass that fills it; the handler is first called
// after upgrade() has returned. An exception escaping a pass fails the connection with 1011.
// Everything runs on the connection's strand; ws_t's calls from other threads hop onto it.
#pragma once

#include <restinio/impl/connection_log.hpp>
#include <restinio/impl/connection_settings.hpp>
#include <restinio/impl/pass_scope.hpp>
#include <restinio/impl/transport.hpp>
#include <restinio/websocket/impl/receiver.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>
#include <restinio/websocket/impl/ws_connection_clock.hpp>
#include <restinio/websocket/impl/ws_flow_control.hpp>
#include <restinio/websocket/impl/ws_message_handler_caller.hpp>
#include <restinio/websocket/impl/ws_read_pass.hpp>
#include <restinio/websocket/impl/ws_session.hpp>
#include <restinio/websocket/impl/ws_thread_pools.hpp>
#include <restinio/websocket/impl/ws_write_queue.hpp>
#include <restinio/websocket/message.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

template< typename Traits, typename WS_Message_Handler >
class ws_connection_t final
    : public ws_connection_base_t
    , private restinio::impl::pass_driver_t< ws_connection_t< Traits, WS_Message_Handler > >
    , private ws_flow_control_t< ws_connection_t< Traits, WS_Message_Handler > >
    , private ws_read_pass_t< ws_connection_t< Traits, WS_Message_Handler > >
    , private ws_connection_clock_t< ws_connection_t< Traits, WS_Message_Handler >,
            typename Traits::timer_manager_t::timer_guard_t >
{
public:
    using settings_handle_t = restinio::impl::connection_settings_handle_t< Traits >;
    using transport_t = restinio::impl::transport_t< Traits, ws_connection_t >;

    ws_connection_t( connection_id_t id, restinio::impl::connection_socket_t< Traits > socket, endpoint_t remote_endpoint,
        settings_handle_t settings, restinio::impl::lifetime_monitor_for_t< Traits > lifetime_monitor,
        std::string bytes_after_upgrade_request, WS_Message_Handler handler, bool whole_messages,
        const deflate_engine_handle_t & deflate_engine, const std::optional< deflate_params_t > & deflate )
        : ws_connection_base_t{ id }
        , ws_read_pass_t< ws_connection_t >{ std::move( bytes_after_upgrade_request ) }
        , m_transport{ std::move( socket ) }
        , m_settings{ std::move( settings ) }
        , m_receiver{ m_settings->m_websocket_max_message_size }
        , m_user{ std::move( handler ) }
        , m_notice_endpoint{ remote_endpoint }
        , m_whole_messages{ whole_messages }
        , m_lifetime_monitor{ std::move( lifetime_monitor ) }
    {
        if( deflate )
            m_receiver.enable_deflate( deflate_engine, *deflate );
    }

    ~ws_connection_t() override
    {
        // The server stopped with the socket still open: it closes with this object.
        m_settings->m_websocket_connections.remove( *this );
        report_closed();
        log().trace( "destroyed" );
    }

    // The 101 response: the first bytes on the wire, before any frame. A server that is
    // stopping meanwhile gets the 1001 after it.
    // Queued at once (nobody else knows this connection yet): no frame can go ahead of it.
    void send_upgrade_response( std::string response )
    {
        m_queue.push_raw( writable_item_t{ std::move( response ) }, write_status_cb_t{} );
        on_strand( []( ws_connection_t & self ) {
            if( !self.m_settings->m_websocket_connections.add( self ) )
                self.apply( session_event_t::going_away );
        } );
    }

    void init_read( ws_handle_t wsh ) override
    {
        on_strand( [ weak = std::weak_ptr< ws_t >{ wsh } ]( ws_connection_t & self ) mutable {
            self.m_user.activate( std::move( weak ) );
            self.apply( session_event_t::activated );
            self.on_opened();
        } );
    }

    void shutdown() override
    {
        on_strand( []( ws_connection_t & self ) {
            self.log().trace( "shutdown" );
            writable_item_t payload{ status_code_to_bin( status_code_t::normal_closure ) };
            write_status_cb_t no_callback;
            self.apply( session_event_t::user_close, status_code_t::normal_closure, &payload, &no_callback );
        } );
    }

    void kill() override
    {
        on_strand( []( ws_connection_t & self ) {
            self.log().trace( "kill" );
            self.apply( session_event_t::user_kill );
        } );
    }

    void go_away() override
    {
        on_strand( []( ws_connection_t & self ) { self.apply( session_event_t::going_away ); } );
    }

    void send_frame( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t && payload,
                     write_status_cb_t && wscb ) override
    {
        // A send from this connection's handler, say: no hop, no moves.
        if( may_run_here() )
            return run_pass( [ & ] { this->on_send_frame( final_flag, opcode, std::move( payload ), std::move( wscb ) ); } );
        on_strand( [ final_flag, opcode, p = std::move( payload ), cb = std::move( wscb ) ]( ws_connection_t & self ) mutable {
            self.on_send_frame( final_flag, opcode, std::move( p ), std::move( cb ) );
        } );
    }

    void set_drain_handler( drain_handler_t handler ) override
    {
        on_strand( [ h = std::move( handler ) ]( ws_connection_t & self ) mutable { self.store_drain_handler( std::move( h ) ); } );
    }

    [[nodiscard]] std::size_t buffered_amount() const noexcept override { return m_queue.queued_bytes(); }

    [[nodiscard]] std::optional< deflate_params_t > deflate_params() const noexcept override
    {
        const permessage_deflate_t * deflate = m_receiver.deflate();
        return deflate ? std::optional< deflate_params_t >{ deflate->params() } : std::nullopt;
    }

    void check_timeout( tcp_connection_ctx_handle_t & ) override
    {
        on_strand( []( ws_connection_t & self ) {
            if( !self.check_clock() )
                (void)self.check_message_deadline( std::chrono::steady_clock::now() );
        } );
    }

    // The transport calls this on the strand once input is there (or with a posted read).
    void on_readable( const asio_ns::error_code & ec )
    {
        m_read_scheduled = false;
        run_pass( [ & ] { this->read_pass( ec ); } );
    }

private:
    [[nodiscard]] std::shared_ptr< ws_connection_t > self_handle()
    {
        return std::static_pointer_cast< ws_connection_t >( shared_from_this() );
    }

    friend class restinio::impl::pass_driver_t< ws_connection_t >;
    friend class ws_flow_control_t< ws_connection_t >;
    friend class ws_read_pass_t< ws_connection_t >;
    using restinio::impl::pass_driver_t< ws_connection_t >::may_run_here;
    using restinio::impl::pass_driver_t< ws_connection_t >::on_strand;
    using restinio::impl::pass_driver_t< ws_connection_t >::run_pass;
    using clock_base_t = ws_connection_clock_t< ws_connection_t, typename Traits::timer_manager_t::timer_guard_t >;
    friend clock_base_t;

    [[nodiscard]] auto log() const
    {
        return restinio::impl::connection_log_t< typename Traits::logger_t >{
                *m_settings->m_logger, "ws_connection", connection_id() };
    }

    void fail_inside_pass( const char * what ) noexcept
    {
        try
        {
            log().error( "failed inside the connection: {}", what );
            apply( session_event_t::internal_failure );
            settle();
        }
        catch( ... )
        {
            // Nothing more can be done well: the socket goes, and whatever was queued with it.
            m_transport.close();
            report_closed();
            (void)m_session.on( session_event_t::user_kill );
        }
    }

    // The end of every pass: write, perform the session's socket work, then run the callbacks
    // owed (which may queue more) until nothing is left to do; then wait for what comes next.
    void settle()
    {
        for( int round = 0; ; ++round )
        {
            flush();
            this->note_queued();
            if( m_session.is_closed() && m_transport.is_open() )
                close_socket();
            if( !m_queue.has_callbacks_owed() )
                break;
            if( round == max_callback_rounds )
            {
                // Callbacks that keep queuing frames the socket keeps taking: other connections
                // on this thread get their turn first.
                asio_ns::post( m_transport.strand(), [ self = self_handle() ] { self->run_pass( [] {} ); } );
                return;
            }
            m_queue.run_callbacks( [ this ]( const char * what ) {
                log().error( "write callback failed: {}", what );
            } );
        }
        this->settle_clock( this->track_message_deadline() );
        schedule_read_if_needed();
    }

    // Waits for input, or posts the next read when the socket may still hold some.
    void schedule_read_if_needed()
    {
        if( m_read_scheduled || !m_session.reads() || !m_transport.is_open() || this->reading_paused() )
            return;
        if( m_queue.empty() )
            m_queue.release_memory();
        m_read_scheduled = true;
        m_transport.wait_readable( self_handle(), std::exchange( m_drained, false ) );
    }

    void apply( session_event_t event, status_code_t code = status_code_t::normal_closure,
                writable_item_t * close_payload = nullptr, write_status_cb_t * callback = nullptr )
    {
        const session_actions_t actions = m_session.on( event, code );
        if( actions.has( session_actions_t::send_close ) )
        {
            if( close_payload )
                m_queue.push( final_frame, opcode_t::connection_close_frame, std::move( *close_payload ),
                              std::move( *callback ) );
            else
                m_queue.push( final_frame, opcode_t::connection_close_frame,
                              writable_item_t{ status_code_to_bin( actions.code ) }, {} );
        }
        if( actions.has( session_actions_t::refuse_frame ) && callback )
            this->refuse( std::move( *callback ) );
        if( actions.has( session_actions_t::report_close ) )
            m_user.deliver( m_user.handle(), m_user.make_message( final_frame, opcode_t::connection_close_frame,
                    status_code_to_bin( actions.code ) ), log() );
        if( actions.has( session_actions_t::shutdown_send ) )
            m_transport.shutdown_send();
        this->on_actions( actions );
    }

    // Writes what is queued; once everything is out, the session hears it (a closing session
    // then shuts down or closes, and queues nothing more).
    void flush()
    {
        if( !m_transport.is_open() )
            return;
        asio_ns::error_code ec;
        const auto result = m_queue.write( m_transport, m_session.fin_after_writes(), ec,
                [ self = self_handle() ]( const asio_ns::error_code & write_ec ) {
                    self->run_pass( [ & ] {
                        self->m_queue.background_write_done( write_ec );
                        if( write_ec )
                            self->on_write_failed( write_ec );
                    } );
                } );
        if( ws_write_queue_t::write_result_t::failed == result )
            on_write_failed( ec );
        else if( ws_write_queue_t::write_result_t::in_background != result )
            apply( session_event_t::writes_flushed );
    }

    void on_write_failed( const asio_ns::error_code & ec )
    {
        log().trace( "write failed: {}", ec.message() );
        apply( session_event_t::write_failed );
    }

    void close_socket()
    {
        log().trace( "close socket" );
        m_transport.close();
        m_settings->m_websocket_connections.remove( *this );
        report_closed();
        m_queue.drop_queued( make_asio_compaible_error( asio_convertible_error_t::write_group_destroyed_passively ) );
        this->m_timer.cancel();
    }

    // The connection-state listener hears of the upgraded connection's end once: when its
    // socket is closed, whether or not the user still holds a handle. Unlike RESTinio, which
    // never reports an upgraded connection closed.
    void report_closed() noexcept
    {
        if( !std::exchange( m_closed_reported, true ) )
            m_settings->m_connection_state_notifier.notify_closed( connection_id(), m_notice_endpoint.get() );
    }

    static constexpr int max_callback_rounds = 16;

    transport_t m_transport;
    settings_handle_t m_settings;
    receiver_t m_receiver;
    message_handler_caller_t< WS_Message_Handler > m_user;
    ws_write_queue_t m_queue;
    ws_session_t m_session;

    [[no_unique_address]] restinio::impl::notice_endpoint_t< typename Traits::connection_state_listener_t >
            m_notice_endpoint;
    const bool m_whole_messages;    // the handler gets data messages joined (message_assembler.hpp)
    bool m_in_pass{ false };
    bool m_closed_reported{ false };
    bool m_read_scheduled{ false };
    // The last read found the socket empty: the next wait needs no re-arming. The read pass's
    // (ws_read_pass.hpp), kept with the other flags where it costs no padding.
    bool m_drained{ false };
    [[no_unique_address]] restinio::impl::lifetime_monitor_for_t< Traits > m_lifetime_monitor;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
