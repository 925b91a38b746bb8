// ws_connection_t: the only WebSocket piece that touches a socket. It reads on readiness into a
// per-thread buffer (an idle connection holds no read buffer), feeds the receiver, calls the
// user's handler for each frame, and writes every frame queued meanwhile in one gathered write.
//
// Closing follows RFC 6455 7.1: whoever starts the closing handshake, the server closes the TCP
// connection once it is over, whether or not the user still holds a ws_handle_t. A frame that
// fails validation gets a close frame with its code, then the TCP connection is shut down
// (with a lingering read, so the close frame is not lost to a reset).
//
// All state is touched on the connection's strand only; ws_t's calls arrive by dispatch.
#pragma once

#include <restinio/connection_count_limiter.hpp>
#include <restinio/impl/connection_settings.hpp>
#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/receiver.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>
#include <restinio/websocket/message.hpp>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

// Shared by all connections served by one thread: each read is consumed before the
// handler returns, so nothing of it outlives the call.
inline std::array< std::uint8_t, 64 * 1024 > & per_thread_read_buffer() noexcept
{
    static thread_local std::array< std::uint8_t, 64 * 1024 > buffer;
    return buffer;
}

// True when the caller already runs on `strand` (in the message handler, say), so work for the
// connection can be done at once rather than wrapped and dispatched.
template< typename Executor >
[[nodiscard]] bool running_in_this_thread( const asio_ns::strand< Executor > & strand ) noexcept
{
    return strand.running_in_this_thread();
}

// The no-op strand of single-threaded traits: being on the io_context's thread is enough.
[[nodiscard]] inline bool running_in_this_thread( const asio_ns::any_io_executor & executor ) noexcept
{
    const auto * io_executor = executor.target< asio_ns::io_context::executor_type >();
    return io_executor && io_executor->running_in_this_thread();
}

// A read that never waits: what the socket has now (0 bytes and eof at the end of input), or
// would_block. The flag on the call keeps the socket in asio's own (internal) non-blocking
// mode, so no extra system call is spent switching modes.
template< typename Socket >
[[nodiscard]] std::size_t receive_now( Socket & socket, std::uint8_t * data, std::size_t size,
                                       asio_ns::error_code & ec ) noexcept
{
    for( ;; )
    {
        const ssize_t n = ::recv( socket.native_handle(), data, size, MSG_DONTWAIT );
        if( n > 0 )
            return static_cast< std::size_t >( n );
        if( 0 == n )
            ec = asio_ns::error::eof;
        else if( EINTR == errno )
            continue;
        else if( EAGAIN == errno || EWOULDBLOCK == errno )
            ec = asio_ns::error::would_block;
        else
            ec = asio_ns::error_code{ errno, asio_ns::error::get_system_category() };
        return 0;
    }
}

// A gathered write that never waits: how much of `buffers` the socket took now.
template< typename Socket >
[[nodiscard]] std::size_t send_now( Socket & socket, const std::vector< asio_ns::const_buffer > & buffers,
                                    asio_ns::error_code & ec ) noexcept
{
    // A longer list is written in parts; the caller goes on with what is left.
    constexpr std::size_t max_iov = 64;
    ::iovec iov[ max_iov ];
    std::size_t count = 0;
    for( ; count != buffers.size() && count != max_iov; ++count )
    {
        iov[ count ].iov_base = const_cast< void * >( buffers[ count ].data() );
        iov[ count ].iov_len = buffers[ count ].size();
    }
    ::msghdr message{};
    message.msg_iov = iov;
    message.msg_iovlen = count;
    for( ;; )
    {
        const ssize_t n = ::sendmsg( socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL );
        if( n >= 0 )
            return static_cast< std::size_t >( n );
        if( EINTR == errno )
            continue;
        if( EAGAIN == errno || EWOULDBLOCK == errno )
            ec = asio_ns::error::would_block;
        else
            ec = asio_ns::error_code{ errno, asio_ns::error::get_system_category() };
        return 0;
    }
}

// One frame waiting to be written: its header inline, its payload as given (never copied).
struct outgoing_frame_t
{
    frame_header_buffer_t m_header;
    std::uint8_t m_header_size;
    writable_item_t m_payload;
    write_status_cb_t m_callback;
};

template< typename Traits, typename WS_Message_Handler >
class ws_connection_t final : public ws_connection_base_t
{
public:
    using stream_socket_t = typename Traits::stream_socket_t;
    using strand_t = typename Traits::strand_t;
    using timer_guard_t = typename Traits::timer_manager_t::timer_guard_t;
    using settings_handle_t = restinio::impl::connection_settings_handle_t< Traits >;

    ws_connection_t(
        connection_id_t id,
        stream_socket_t socket,
        settings_handle_t settings,
        endpoint_t remote_endpoint,
        restinio::impl::connection_lifetime_monitor_t lifetime_monitor,
        std::string bytes_after_upgrade_request,
        WS_Message_Handler handler )
        : ws_connection_base_t{ id }
        , m_socket{ std::move( socket ) }
        , m_strand{ m_socket.get_executor() }
        , m_settings{ std::move( settings ) }
        , m_remote_endpoint{ remote_endpoint }
        , m_lifetime_monitor{ std::move( lifetime_monitor ) }
        , m_timer_guard{ m_settings->create_timer_guard() }
        , m_receiver{ m_settings->m_websocket_max_message_size }
        , m_pending_input{ std::move( bytes_after_upgrade_request ) }
        , m_handler{ std::move( handler ) }
    {}

    ws_connection_t( const ws_connection_t & ) = delete;
    ws_connection_t & operator=( const ws_connection_t & ) = delete;

    ~ws_connection_t() override
    {
        log_trace( "destroyed" );
    }

    // The 101 response: the first bytes on the wire, before any frame.
    void send_upgrade_response( std::string response )
    {
        asio_ns::dispatch( m_strand, [ self = self_handle(), r = std::move( response ) ]() mutable {
            self->m_queued.push_back( outgoing_frame_t{ {}, 0, writable_item_t{ std::move( r ) }, {} } );
            self->try_write();
        } );
    }

    void shutdown() override
    {
        asio_ns::dispatch( m_strand, [ self = self_handle() ] {
            self->log_trace( "shutdown" );
            self->m_close_to_user_allowed = false;
            if( self->m_close_sent || self->m_closed )
                return;
            self->queue_frame( final_frame, opcode_t::connection_close_frame,
                    writable_item_t{ status_code_to_bin( status_code_t::normal_closure ) }, {} );
            self->begin_close_wait();
        } );
    }

    void kill() override
    {
        asio_ns::dispatch( m_strand, [ self = self_handle() ] {
            self->log_trace( "kill" );
            self->m_close_to_user_allowed = false;
            self->close_socket();
        } );
    }

    void init_read( ws_handle_t wsh ) override
    {
        asio_ns::dispatch( m_strand, [ self = self_handle(), weak = std::weak_ptr< ws_t >{ wsh } ]() mutable {
            self->m_ws = std::move( weak );
            if( read_state_t::not_started == self->m_read_state )
                self->m_read_state = read_state_t::any_frame;
            self->start_reading();
        } );
    }

    void send_frame(
        final_frame_flag_t final_flag,
        opcode_t opcode,
        writable_item_t payload,
        write_status_cb_t wscb ) override
    {
        if( running_in_this_thread( m_strand ) )
            return on_send_frame( final_flag, opcode, std::move( payload ), std::move( wscb ) );
        asio_ns::dispatch( m_strand,
            [ self = self_handle(), final_flag, opcode, p = std::move( payload ), cb = std::move( wscb ) ]() mutable {
                self->on_send_frame( final_flag, opcode, std::move( p ), std::move( cb ) );
            } );
    }

    void check_timeout( tcp_connection_ctx_handle_t & self ) override
    {
        asio_ns::dispatch( m_strand, [ this, self ] {
            m_timer_scheduled = false;
            if( m_closed )
                return;
            const auto now = std::chrono::steady_clock::now();
            if( m_writing && now >= m_write_started_at + m_settings->m_write_http_response_timelimit )
            {
                log_trace( "write timed out" );
                report_close_to_user( status_code_t::unexpected_condition );
                return close_socket();
            }
            if( m_close_deadline && now >= *m_close_deadline )
            {
                log_trace( "no close from the peer in time" );
                return close_socket();
            }
            schedule_timer_if_needed();
        } );
    }

    // The receiver's sink: one call per valid frame, on the strand, inside consume().
    void on_frame( final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
    {
        switch( m_read_state )
        {
            case read_state_t::any_frame:
                if( opcode_t::connection_close_frame == opcode )
                    return on_peer_close( std::move( payload ) );
                return deliver( make_message( final_flag, opcode, std::move( payload ) ) );

            case read_state_t::only_close_frame:
                // Our close went first; the peer's answer completes the handshake.
                if( opcode_t::connection_close_frame == opcode )
                    return finish_after_writes();
                return;

            case read_state_t::not_started:
            case read_state_t::discard:
                return;
        }
    }

private:
    // What to do once everything queued has been written.
    enum class after_writes_t : std::uint8_t { keep_open, close, linger };

    enum class read_state_t : std::uint8_t
    {
        not_started,        // before activation: nothing is read
        any_frame,          // frames go to the handler
        only_close_frame,   // we sent a close: wait for the peer's, drop everything else
        discard             // the handshake is over or failed: read until EOF, then close
    };

    [[nodiscard]] std::shared_ptr< ws_connection_t > self_handle()
    {
        return std::static_pointer_cast< ws_connection_t >( shared_from_this() );
    }

    template< typename... Args >
    void log_trace( const char * format, Args &&... args )
    {
        m_settings->m_logger->trace( [&] {
            return fmt::format( "[ws_connection:{}] {}", connection_id(),
                                fmt::format( fmt::runtime( format ), std::forward< Args >( args )... ) );
        } );
    }

    template< typename... Args >
    void log_warn( const char * format, Args &&... args )
    {
        m_settings->m_logger->warn( [&] {
            return fmt::format( "[ws_connection:{}] {}", connection_id(),
                                fmt::format( fmt::runtime( format ), std::forward< Args >( args )... ) );
        } );
    }

    // ---- reading ----

    void start_reading()
    {
        if( !m_pending_input.empty() )
        {
            // Bytes that came with the upgrade request: the first frames, not to be lost.
            std::string input = std::move( m_pending_input );
            m_pending_input.clear();
            process_input( reinterpret_cast< std::uint8_t * >( input.data() ), input.size() );
        }
        wait_readable();
    }

    void wait_readable()
    {
        if( m_waiting_readable || m_closed || read_state_t::not_started == m_read_state )
            return;
        m_waiting_readable = true;
        m_socket.async_wait( asio_ns::socket_base::wait_read,
            asio_ns::bind_executor( m_strand,
                [ self = self_handle() ]( const asio_ns::error_code & ec ) {
                    self->m_waiting_readable = false;
                    self->on_readable( ec );
                } ) );
    }

    void on_readable( const asio_ns::error_code & ec )
    {
        if( m_closed )
            return;
        if( ec )
            return on_input_end( ec );

        // Read until the socket is drained: readiness is reported once per arrival.
        auto & buffer = per_thread_read_buffer();
        for( int reads = 0; reads != max_reads_per_wakeup; ++reads )
        {
            asio_ns::error_code read_ec;
            const std::size_t n = receive_now( m_socket, buffer.data(), buffer.size(), read_ec );
            if( read_ec == asio_ns::error::would_block )
                return wait_readable();
            if( read_ec )
                return on_input_end( read_ec );
            process_input( buffer.data(), n );
            if( m_closed )
                return;
            // A read that did not fill the buffer took everything there was: the next arrival
            // is a new readiness event, so there is no need for a read that would only fail.
            if( n < buffer.size() )
                return wait_readable();
        }
        // Let other connections on this thread have a turn, then go on reading.
        asio_ns::post( m_strand, [ self = self_handle() ] { self->on_readable( {} ); } );
    }

    void process_input( std::uint8_t * data, std::size_t size )
    {
        if( read_state_t::discard == m_read_state )
            return;

        m_corked = true;
        const frame_error_t error = m_receiver.consume( data, size, *this );
        m_corked = false;

        if( frame_error_t::none != error && !m_closed )
            on_frame_error( error );
        try_write();
    }

    void on_input_end( const asio_ns::error_code & ec )
    {
        log_trace( "input ended: {}", ec.message() );
        report_close_to_user( status_code_t::connection_lost );
        close_socket();
    }

    // RFC 6455 5.5.1: answer a close with a close (echoing its code and reason), then end.
    void on_peer_close( std::string payload )
    {
        log_trace( "close from the peer" );
        m_read_state = read_state_t::discard;
        const bool deliver_to_user = std::exchange( m_close_to_user_allowed, false );
        if( !m_close_sent )
            queue_frame( final_frame, opcode_t::connection_close_frame, writable_item_t{ payload }, {} );
        // The closing handshake is complete once the answer is out: nothing may follow the
        // peer's close, so the TCP connection can close at once (RFC 6455 7.1.1).
        m_after_writes = after_writes_t::close;
        if( deliver_to_user )
            deliver( std::make_shared< message_t >(
                    final_frame, opcode_t::connection_close_frame, std::move( payload ) ) );
    }

    // RFC 6455 7.1.7: _Fail the WebSocket Connection_, with a close frame that says why.
    void on_frame_error( frame_error_t error )
    {
        const status_code_t code = close_code_for( error );
        log_trace( "invalid input, closing with {}: {}",
                   static_cast< std::uint16_t >( code ), frame_error_to_string( error ) );
        if( read_state_t::any_frame != m_read_state )
            return close_socket();

        m_read_state = read_state_t::discard;
        if( !m_close_sent )
            queue_frame( final_frame, opcode_t::connection_close_frame,
                         writable_item_t{ status_code_to_bin( code ) }, {} );
        // The peer may still be sending: linger, so that closing with unread input does not
        // reset the connection before it has read the close frame.
        m_after_writes = after_writes_t::linger;
        report_close_to_user( code );
    }

    // After our close went first: read only until the peer's close, within the time limit.
    void begin_close_wait()
    {
        if( read_state_t::not_started == m_read_state || read_state_t::any_frame == m_read_state )
            m_read_state = read_state_t::only_close_frame;
        m_close_deadline = std::chrono::steady_clock::now() + m_settings->m_read_next_http_message_timelimit;
        schedule_timer_if_needed();
        start_reading();
        try_write();
    }

    // The peer answered our close: the handshake is complete once our writes are out.
    void finish_after_writes()
    {
        m_read_state = read_state_t::discard;
        m_after_writes = after_writes_t::close;
        if( !m_writing && m_queued.empty() )
            close_socket();
    }

    // Sends FIN and reads (and drops) until the peer's FIN or the close-wait deadline.
    void linger()
    {
        if( m_closed )
            return;
        asio_ns::error_code ignored;
        m_socket.shutdown( asio_ns::socket_base::shutdown_send, ignored );
        m_read_state = read_state_t::discard;
        m_close_deadline = std::chrono::steady_clock::now() + m_settings->m_read_next_http_message_timelimit;
        schedule_timer_if_needed();
        wait_readable();
    }

    // ---- the user's side ----

    // A message object the previous handler call did not keep is reused: one allocation less
    // per frame.
    [[nodiscard]] message_handle_t make_message(
        final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
    {
        if( m_spare_message )
        {
            auto message = std::move( m_spare_message );
            message->set_final_flag( final_flag );
            message->set_opcode( opcode );
            message->payload() = std::move( payload );
            return message;
        }
        return std::make_shared< message_t >( final_flag, opcode, std::move( payload ) );
    }

    void deliver( message_handle_t message )
    {
        auto wsh = m_ws.lock();
        if( !wsh )
            return;
        try
        {
            m_handler( std::move( wsh ), message_handle_t{ message } );
            if( 1 == message.use_count() )
                m_spare_message = std::move( message );
        }
        catch( const std::exception & ex )
        {
            m_settings->m_logger->error( [&] {
                return fmt::format( "[ws_connection:{}] message handler failed: {}", connection_id(), ex.what() );
            } );
        }
        catch( ... )
        {
            m_settings->m_logger->error( [&] {
                return fmt::format( "[ws_connection:{}] message handler failed", connection_id() );
            } );
        }
    }

    // A close the library makes up (1006, 1011, or the code it failed the connection with).
    void report_close_to_user( status_code_t code )
    {
        if( std::exchange( m_close_to_user_allowed, false ) )
            deliver( std::make_shared< message_t >(
                    final_frame, opcode_t::connection_close_frame, status_code_to_bin( code ) ) );
    }

    void on_send_frame( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t payload, write_status_cb_t cb )
    {
        const bool is_close = opcode_t::connection_close_frame == opcode;
        if( is_close )
            m_close_to_user_allowed = false;

        if( m_close_sent || m_closed )
        {
            log_warn( "cannot write to websocket: write operations disabled" );
            if( cb )
                cb( make_asio_compaible_error( m_closed
                        ? asio_convertible_error_t::write_was_not_executed
                        : asio_convertible_error_t::write_group_destroyed_passively ) );
            return;
        }

        queue_frame( final_flag, opcode, std::move( payload ), std::move( cb ) );
        if( is_close )
            begin_close_wait();
        else
            try_write();
    }

    // ---- writing ----

    void queue_frame( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t payload, write_status_cb_t cb )
    {
        outgoing_frame_t frame{ {}, 0, std::move( payload ), std::move( cb ) };
        frame.m_header_size = static_cast< std::uint8_t >(
                write_frame_header( frame.m_header, final_flag, opcode, frame.m_payload.size() ) );
        m_queued.push_back( std::move( frame ) );
        if( opcode_t::connection_close_frame == opcode )
            m_close_sent = true;
    }

    void try_write()
    {
        if( m_writing || m_corked || m_closed || m_queued.empty() )
            return;

        m_writing_frames.swap( m_queued );
        m_gather.clear();
        for( const auto & frame : m_writing_frames )
        {
            if( 0 != frame.m_header_size )
                m_gather.emplace_back( frame.m_header.data(), frame.m_header_size );
            if( 0 != frame.m_payload.size() )
                m_gather.push_back( frame.m_payload.buf() );
        }

        m_writing = true;

        // Most batches fit in the socket's send buffer: write at once, and wait only for what
        // the socket could not take.
        asio_ns::error_code ec;
        const std::size_t written = send_now( m_socket, m_gather, ec );
        if( !ec && written == asio_ns::buffer_size( m_gather ) )
            return on_write( ec );
        if( ec && ec != asio_ns::error::would_block )
            return on_write( ec );
        drop_written_prefix( m_gather, ec ? 0 : written );

        m_write_started_at = std::chrono::steady_clock::now();
        schedule_timer_if_needed();
        asio_ns::async_write( m_socket, m_gather,
            asio_ns::bind_executor( m_strand,
                [ self = self_handle() ]( const asio_ns::error_code & ec, std::size_t ) {
                    self->on_write( ec );
                } ) );
    }

    static void drop_written_prefix( std::vector< asio_ns::const_buffer > & buffers, std::size_t written )
    {
        auto first = buffers.begin();
        while( first != buffers.end() && written >= first->size() )
        {
            written -= first->size();
            ++first;
        }
        if( first != buffers.end() )
            *first += written;
        buffers.erase( buffers.begin(), first );
    }

    void on_write( const asio_ns::error_code & ec )
    {
        // m_writing stays set while the callbacks run: a callback may send, and its frame must
        // wait in m_queued. Starting a write from here would swap m_queued into
        // m_writing_frames under this loop, and the clear() below would then drop the frame in
        // flight (and its callback) while the old frames went out a second time.
        for( auto & frame : m_writing_frames )
            if( frame.m_callback )
            {
                try { frame.m_callback( ec ); }
                catch( const std::exception & ex ) { log_warn( "write callback failed: {}", ex.what() ); }
                catch( ... ) {}
            }
        m_writing_frames.clear();
        m_writing = false;

        if( ec )
        {
            if( !m_closed )
            {
                log_trace( "write failed: {}", ec.message() );
                report_close_to_user( status_code_t::connection_lost );
                close_socket();
            }
            return;
        }

        if( !m_queued.empty() )
            return try_write();
        switch( m_after_writes )
        {
            case after_writes_t::keep_open: break;
            case after_writes_t::close: close_socket(); break;
            case after_writes_t::linger: linger(); break;
        }
    }

    // ---- ending ----

    void schedule_timer_if_needed()
    {
        if( m_timer_scheduled || m_closed || !( m_writing || m_close_deadline ) )
            return;
        m_timer_scheduled = true;
        m_timer_guard.schedule( weak_from_this() );
    }

    void close_socket()
    {
        if( m_closed )
            return;
        m_closed = true;
        m_timer_guard.cancel();
        log_trace( "close socket" );
        asio_ns::error_code ignored;
        m_socket.close( ignored );
        for( auto & frame : m_queued )
            if( frame.m_callback )
                frame.m_callback( make_asio_compaible_error(
                        asio_convertible_error_t::write_group_destroyed_passively ) );
        m_queued.clear();
    }

    static constexpr int max_reads_per_wakeup = 16;

    stream_socket_t m_socket;
    strand_t m_strand;
    settings_handle_t m_settings;
    const endpoint_t m_remote_endpoint;
    restinio::impl::connection_lifetime_monitor_t m_lifetime_monitor;
    timer_guard_t m_timer_guard;
    receiver_t m_receiver;
    std::string m_pending_input;
    WS_Message_Handler m_handler;
    std::weak_ptr< ws_t > m_ws;
    message_handle_t m_spare_message;

    std::vector< outgoing_frame_t > m_queued;
    std::vector< outgoing_frame_t > m_writing_frames;
    std::vector< asio_ns::const_buffer > m_gather;
    std::chrono::steady_clock::time_point m_write_started_at;
    std::optional< std::chrono::steady_clock::time_point > m_close_deadline;

    read_state_t m_read_state{ read_state_t::not_started };
    bool m_close_to_user_allowed{ true };
    bool m_close_sent{ false };
    after_writes_t m_after_writes{ after_writes_t::keep_open };
    bool m_closed{ false };
    bool m_waiting_readable{ false };
    bool m_writing{ false };
    bool m_corked{ false };
    bool m_timer_scheduled{ false };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
