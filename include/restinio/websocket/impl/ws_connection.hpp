// ws_connection_t: the only WebSocket piece that touches a socket. It reads on readiness into a
// per-thread buffer (an idle connection holds no read buffer), or the rest of a long payload
// straight into its message string, feeds the receiver, calls the user's handler for each
// frame, and writes every frame queued meanwhile in one gathered write. Payload strings and
// message objects are recycled per thread, so an echo costs no allocation per frame.
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
#include <restinio/impl/connection_strand.hpp>
#include <restinio/impl/drained_read_wait.hpp>
#include <restinio/impl/slab_allocator.hpp>
#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/receiver.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>
#include <restinio/websocket/message.hpp>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
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

// A gathered write that never waits: how much of `buffers` the socket took now. With
// `fin_follows` the bytes wait (MSG_MORE) for the shutdown that the caller makes next, so that
// the last frame and the FIN leave in one segment.
template< typename Socket >
[[nodiscard]] std::size_t send_now( Socket & socket, const std::vector< asio_ns::const_buffer > & buffers,
                                    bool fin_follows, asio_ns::error_code & ec ) noexcept
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
        const ssize_t n = ::sendmsg( socket.native_handle(), &message,
                                     MSG_DONTWAIT | MSG_NOSIGNAL | ( fin_follows ? MSG_MORE : 0 ) );
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

// Scratch space for building one gathered write; used only within one call.
inline std::vector< asio_ns::const_buffer > & per_thread_gather() noexcept
{
    static thread_local std::vector< asio_ns::const_buffer > gather;
    return gather;
}

// One frame waiting to be written: its header inline, its payload as given (never copied).
struct outgoing_frame_t
{
    outgoing_frame_t( writable_item_t && payload, write_status_cb_t && callback ) noexcept
        : m_payload{ std::move( payload ) }, m_callback{ std::move( callback ) }
    {}

    frame_header_buffer_t m_header;
    std::uint8_t m_header_size{ 0 };
    writable_item_t m_payload;
    write_status_cb_t m_callback;
};

// The write queue of a connection that went idle, for the next one that has frames to send.
inline std::vector< outgoing_frame_t > & per_thread_spare_queue() noexcept
{
    static thread_local std::vector< outgoing_frame_t > queue;
    return queue;
}

inline message_handle_t & per_thread_spare_message() noexcept
{
    static thread_local message_handle_t spare;
    return spare;
}

// Payload strings whose frames were written, for the next frames read on this thread: a frame
// that fits one costs no allocation (an echo hands the same string back and forth). Small
// strings are kept empty; a few large ones keep their length, so that a long payload read
// straight into one overwrites old bytes instead of zero-filling new ones first (that fill was
// 11% of the server's time echoing 1 MiB messages). Bounded, so that a thread keeps little when
// traffic stops.
class payload_string_pool_t
{
public:
    // A string for a payload of `size` bytes: empty, or (for a large payload) possibly already
    // that long with old content.
    [[nodiscard]] std::string take( std::size_t size ) noexcept
    {
        auto & strings = size > max_small_capacity ? m_large : m_small;
        if( strings.empty() )
            return {};
        std::string result = std::move( strings.back() );
        strings.pop_back();
        return result;
    }

    void give_back( std::string && s )
    {
        // A string in its own inline buffer has nothing worth keeping.
        if( s.capacity() <= std::string{}.capacity() || s.capacity() > max_large_capacity )
            return;
        const bool small = s.capacity() <= max_small_capacity;
        auto & strings = small ? m_small : m_large;
        const std::size_t max_count = small ? max_small_count : max_large_count;
        if( strings.size() == max_count )
            return;
        if( strings.capacity() == 0 )
            strings.reserve( max_count );
        if( small )
            s.clear();
        strings.push_back( std::move( s ) );
    }

private:
    static constexpr std::size_t max_small_count = 64;
    static constexpr std::size_t max_small_capacity = 16 * 1024;
    static constexpr std::size_t max_large_count = 4;
    static constexpr std::size_t max_large_capacity = 2 * 1024 * 1024;
    std::vector< std::string > m_small;
    std::vector< std::string > m_large;
};

inline payload_string_pool_t & per_thread_payload_strings() noexcept
{
    static thread_local payload_string_pool_t pool;
    return pool;
}


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
        restinio::impl::connection_lifetime_monitor_t lifetime_monitor,
        std::string bytes_after_upgrade_request,
        WS_Message_Handler handler )
        : ws_connection_base_t{ id }
        , m_socket{ std::move( socket ) }
        , m_strand{ m_socket.get_executor() }
        , m_settings{ std::move( settings ) }
        , m_lifetime_monitor{ std::move( lifetime_monitor ) }
        , m_receiver{ m_settings->m_websocket_max_message_size }
        , m_pending_input{ bytes_after_upgrade_request.empty() ? nullptr
                : std::make_unique< std::string >( std::move( bytes_after_upgrade_request ) ) }
        , m_handler{ std::move( handler ) }
        , m_read_state{ read_state_t::not_started }
        , m_after_writes{ after_writes_t::keep_open }
        , m_close_to_user_allowed{ true }
        , m_close_sent{ false }
        , m_closed{ false }
        , m_waiting_readable{ false }
        , m_writing{ false }
        , m_corked{ false }
        , m_timer_scheduled{ false }
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
        asio_ns::dispatch( strand(), [ self = self_handle(), r = std::move( response ) ]() mutable {
            self->m_queued.emplace_back( writable_item_t{ std::move( r ) }, write_status_cb_t{} );
            self->try_write();
        } );
    }

    void shutdown() override
    {
        asio_ns::dispatch( strand(), [ self = self_handle() ] {
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
        asio_ns::dispatch( strand(), [ self = self_handle() ] {
            self->log_trace( "kill" );
            self->m_close_to_user_allowed = false;
            self->close_socket();
        } );
    }

    void init_read( ws_handle_t wsh ) override
    {
        asio_ns::dispatch( strand(), [ self = self_handle(), weak = std::weak_ptr< ws_t >{ wsh } ]() mutable {
            self->m_ws = std::move( weak );
            if( read_state_t::not_started == self->m_read_state )
                self->m_read_state = read_state_t::any_frame;
            self->start_reading();
        } );
    }

    void send_frame(
        final_frame_flag_t final_flag,
        opcode_t opcode,
        writable_item_t && payload,
        write_status_cb_t && wscb ) override
    {
        if( m_strand.running_in_this_thread( m_socket.get_executor() ) )
            return on_send_frame( final_flag, opcode, std::move( payload ), std::move( wscb ) );
        asio_ns::dispatch( strand(),
            [ self = self_handle(), final_flag, opcode, p = std::move( payload ), cb = std::move( wscb ) ]() mutable {
                self->on_send_frame( final_flag, opcode, std::move( p ), std::move( cb ) );
            } );
    }

    void check_timeout( tcp_connection_ctx_handle_t & self ) override
    {
        asio_ns::dispatch( strand(), [ this, self ] {
            m_timer_scheduled = false;
            if( m_closed )
                return;
            const auto now = std::chrono::steady_clock::now();
            if( m_backlog && now >= m_backlog->m_started_at + m_settings->m_write_http_response_timelimit )
            {
                log_trace( "write timed out" );
                report_close_to_user( status_code_t::unexpected_condition );
                return close_socket();
            }
            if( now >= m_close_deadline )
            {
                log_trace( "no close from the peer in time" );
                return close_socket();
            }
            schedule_timer_if_needed();
        } );
    }

private:
    // The receiver's sink while one input is processed: a recycled string for each payload, and
    // one call per valid frame. The user's handle is locked once for all the frames of the input
    // (each lock of the weak handle is an atomic read-modify-write on a shared cache line).
    struct recycled_strings_t
    {
        [[nodiscard]] std::string take_payload_string( std::size_t size ) noexcept
        {
            return per_thread_payload_strings().take( size );
        }
    };

    struct input_sink_t : recycled_strings_t
    {
        input_sink_t( ws_connection_t & connection, const ws_handle_t & handle ) noexcept
            : m_connection{ connection }, m_handle{ handle }
        {}

        ws_connection_t & m_connection;
        const ws_handle_t & m_handle;

        void on_frame( final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
        {
            m_connection.on_frame( m_handle, final_flag, opcode, std::move( payload ) );
        }
    };

    void on_frame( const ws_handle_t & wsh, final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
    {
        switch( m_read_state )
        {
            case read_state_t::any_frame:
                if( opcode_t::connection_close_frame == opcode )
                    return on_peer_close( wsh, std::move( payload ) );
                return deliver( wsh, make_message( final_flag, opcode, std::move( payload ) ) );

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

    // A write the socket could not take at once: the frames it carries and what is left of it.
    struct backlog_t
    {
        std::vector< outgoing_frame_t > m_frames;
        std::vector< asio_ns::const_buffer > m_gather;
        std::chrono::steady_clock::time_point m_started_at;
    };

    // What to do once everything queued has been written.
    enum class after_writes_t : std::uint8_t { keep_open, close, linger };

    enum class read_state_t : std::uint8_t
    {
        not_started,        // before activation: nothing is read
        any_frame,          // frames go to the handler
        only_close_frame,   // we sent a close: wait for the peer's, drop everything else
        discard             // the handshake is over or failed: read until EOF, then close
    };

    // By value: with the no-op strand this is the socket's executor, returned as a temporary.
    [[nodiscard]] auto strand() { return m_strand.executor( m_socket.get_executor() ); }

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
        if( m_pending_input )
        {
            // Bytes that came with the upgrade request: the first frames, not to be lost.
            std::string input = std::move( *m_pending_input );
            m_pending_input.reset();
            auto * data = reinterpret_cast< std::uint8_t * >( input.data() );
            process_input( [ & ]( input_sink_t & sink ) { return m_receiver.consume( data, input.size(), sink ); } );
        }
        resume_reading();
    }

    // Reads whatever is there, then waits: the socket may hold input whose readiness event was
    // reported while nothing waited for it (before activation, or while frames were written).
    void resume_reading()
    {
        // Inside process_input() (a handler closing, say) the caller reads on afterwards: a
        // read from here would feed the receiver in the middle of its input.
        if( m_closed || m_corked || read_state_t::not_started == m_read_state )
            return;
        if constexpr( uses_drained_read_wait )
            on_readable( {} );
        else
            wait_readable();
    }

    // Waits for input; called right after a read found the socket empty, or from
    // resume_reading().
    void wait_readable()
    {
        if( m_waiting_readable || m_closed || read_state_t::not_started == m_read_state )
            return;
        // Going idle: the queue's memory goes back to the thread for the next busy connection.
        if( m_queued.empty() && !m_writing && 0 != m_queued.capacity() )
        {
            auto & spare = per_thread_spare_queue();
            if( spare.capacity() < m_queued.capacity() )
                spare.swap( m_queued );
            std::vector< outgoing_frame_t >{}.swap( m_queued );
        }
        m_waiting_readable = true;
        if constexpr( uses_drained_read_wait )
            return m_drained_read_wait.start( m_socket, self_handle() );
        // The wait stays pending while the connection is idle: its operation is connection
        // memory (see slab_allocator.hpp).
        m_socket.async_wait( asio_ns::socket_base::wait_read,
            asio_ns::bind_allocator( restinio::impl::slab_allocator_t< void >{}, m_strand.wrap(
                [ self = self_handle() ]( const asio_ns::error_code & ec ) {
                    self->m_waiting_readable = false;
                    self->on_readable( ec );
                } ) ) );
    }

    friend class restinio::impl::drained_read_wait_t< ws_connection_t >;

    void on_drained_socket_readable( const asio_ns::error_code & ec )
    {
        m_waiting_readable = false;
        on_readable( ec );
    }

    void on_readable( const asio_ns::error_code & ec )
    {
        if( m_closed )
            return;
        if( ec )
            return on_input_end( ec );

        // Read until the socket is drained: readiness is reported once per arrival.
        for( int reads = 0; reads != max_reads_per_wakeup; ++reads )
        {
            // The rest of a long payload goes straight into its message string; anything else
            // through the thread's buffer.
            recycled_strings_t strings;
            const auto [ direct, direct_size ] = read_state_t::discard == m_read_state
                    ? std::pair< std::uint8_t *, std::size_t >{ nullptr, 0u }
                    : m_receiver.payload_space( direct_read_min_left, direct_read_max_size, strings );
            auto & buffer = per_thread_read_buffer();
            std::uint8_t * const into = direct ? direct : buffer.data();
            const std::size_t room = direct ? direct_size : buffer.size();

            asio_ns::error_code read_ec;
            const std::size_t n = receive_now( m_socket, into, room, read_ec );
            if( read_ec == asio_ns::error::would_block )
                return wait_readable();
            if( read_ec )
                return on_input_end( read_ec );
            if( direct )
                process_input( [ & ]( input_sink_t & sink ) { return m_receiver.commit_payload( n, sink ); } );
            else
                process_input( [ & ]( input_sink_t & sink ) { return m_receiver.consume( into, n, sink ); } );
            if( m_closed )
                return;
            // A read that did not fill its space took all the data there was, but an end of
            // input (or an error) that came with that data is reported only by the next read.
            // async_wait re-arms the descriptor, so epoll reports it again; the drained wait
            // does not, so there only a read that would block proves the socket empty.
            if constexpr( !uses_drained_read_wait )
                if( n < room )
                    return wait_readable();
        }
        // Let other connections on this thread have a turn, then go on reading.
        asio_ns::post( strand(), [ self = self_handle() ] { self->on_readable( {} ); } );
    }

    // Runs `feed` (which hands input to the receiver, with the sink it is given) with writes held
    // back, so that everything the handler sends meanwhile leaves in one gathered write.
    template< typename Feed >
    void process_input( Feed && feed )
    {
        if( read_state_t::discard == m_read_state )
            return;

        const ws_handle_t wsh = m_ws.lock();
        input_sink_t sink{ *this, wsh };
        m_corked = true;
        const frame_error_t error = feed( sink );
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
    void on_peer_close( const ws_handle_t & wsh, std::string payload )
    {
        log_trace( "close from the peer" );
        m_read_state = read_state_t::discard;
        const bool deliver_to_user = m_close_to_user_allowed;
        m_close_to_user_allowed = false;
        if( !m_close_sent )
            queue_frame( final_frame, opcode_t::connection_close_frame, writable_item_t{ payload }, {} );
        // The closing handshake is complete once the answer is out: nothing may follow the
        // peer's close, so the TCP connection can close at once (RFC 6455 7.1.1).
        m_after_writes = after_writes_t::close;
        if( deliver_to_user )
            deliver( wsh, std::make_shared< message_t >(
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
        resume_reading();
    }

    // ---- the user's side ----

    // A message object the previous handler call (on this thread) did not keep is reused: one
    // allocation less per frame, and none kept by an idle connection.
    [[nodiscard]] message_handle_t make_message(
        final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
    {
        auto & spare = per_thread_spare_message();
        if( spare )
        {
            auto message = std::move( spare );
            message->set_final_flag( final_flag );
            message->set_opcode( opcode );
            message->payload() = std::move( payload );
            return message;
        }
        return std::make_shared< message_t >( final_flag, opcode, std::move( payload ) );
    }

    void deliver( const ws_handle_t & wsh, message_handle_t message )
    {
        if( !wsh )
            return;
        try
        {
            // Lvalues: a handler taking const references costs no reference count.
            m_handler( wsh, message );
            if( 1 == message.use_count() )
                per_thread_spare_message() = std::move( message );
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
        if( !m_close_to_user_allowed )
            return;
        m_close_to_user_allowed = false;
        deliver( m_ws.lock(), std::make_shared< message_t >(
                final_frame, opcode_t::connection_close_frame, status_code_to_bin( code ) ) );
    }

    void on_send_frame( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t && payload, write_status_cb_t && cb )
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

    void queue_frame( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t && payload, write_status_cb_t && cb )
    {
        if( 0 == m_queued.capacity() )
            m_queued.swap( per_thread_spare_queue() );
        auto & frame = m_queued.emplace_back( std::move( payload ), std::move( cb ) );
        frame.m_header_size = static_cast< std::uint8_t >(
                write_frame_header( frame.m_header, final_flag, opcode, frame.m_payload.size() ) );
        if( opcode_t::connection_close_frame == opcode )
            m_close_sent = true;
    }

    // Writes everything queued in one gathered system call when the socket takes it all (the
    // usual case); otherwise the frames move aside and asio finishes the write. New frames
    // queue up meanwhile and go out together afterwards.
    void try_write()
    {
        while( !m_writing && !m_corked && !m_closed && !m_queued.empty() )
        {
            auto & gather = per_thread_gather();
            gather.clear();
            for( const auto & frame : m_queued )
            {
                if( 0 != frame.m_header_size )
                    gather.emplace_back( frame.m_header.data(), frame.m_header_size );
                if( 0 != frame.m_payload.size() )
                    gather.push_back( frame.m_payload.buf() );
            }

            asio_ns::error_code ec;
            const std::size_t written = send_now(
                    m_socket, gather, after_writes_t::keep_open != m_after_writes, ec );
            if( ec == asio_ns::error::would_block || ( !ec && written != asio_ns::buffer_size( gather ) ) )
                return write_rest_later( gather, ec ? 0 : written );

            // Callbacks may queue more frames: they run while m_writing holds other writes off.
            const std::size_t done = m_queued.size();
            m_writing = true;
            for( std::size_t i = 0; i != done; ++i )
                release_written( m_queued[ i ], ec );
            m_queued.erase( m_queued.begin(), m_queued.begin() + static_cast< std::ptrdiff_t >( done ) );
            m_writing = false;
            if( ec )
                return on_write_failed( ec );
        }
        if( !m_writing && m_queued.empty() )
            after_writes();
    }

    // The socket's buffer is full: the frames in flight move out of the queue (their bytes stay
    // where they are) and asio writes the rest when the socket can take it.
    void write_rest_later( const std::vector< asio_ns::const_buffer > & gather, std::size_t written )
    {
        if( !m_backlog )
            m_backlog = std::make_unique< backlog_t >();
        m_backlog->m_frames.swap( m_queued );
        m_backlog->m_gather.assign( gather.begin(), gather.end() );
        drop_written_prefix( m_backlog->m_gather, written );
        m_backlog->m_started_at = std::chrono::steady_clock::now();

        m_writing = true;
        schedule_timer_if_needed();
        asio_ns::async_write( m_socket, m_backlog->m_gather,
            m_strand.wrap(
                [ self = self_handle() ]( const asio_ns::error_code & ec, std::size_t ) {
                    self->on_backlog_written( ec );
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

    void on_backlog_written( const asio_ns::error_code & ec )
    {
        // m_writing stays set while the callbacks run: a frame a callback sends waits in
        // m_queued for the next write instead of starting one under this loop.
        for( auto & frame : m_backlog->m_frames )
            release_written( frame, ec );
        // The backlog is for slow readers only: an idle connection keeps none of it.
        m_backlog.reset();
        m_writing = false;
        if( ec )
            return on_write_failed( ec );
        try_write();
    }

    // A frame is out (or failed): its payload string goes back to the thread's pool, and its
    // callback is told.
    void release_written( outgoing_frame_t & frame, const asio_ns::error_code & ec )
    {
        if( std::string * payload = restinio::impl::owned_string( frame.m_payload ) )
            per_thread_payload_strings().give_back( std::move( *payload ) );
        if( !frame.m_callback )
            return;
        auto cb = std::move( frame.m_callback );
        try { cb( ec ); }
        catch( const std::exception & ex ) { log_warn( "write callback failed: {}", ex.what() ); }
        catch( ... ) {}
    }

    void on_write_failed( const asio_ns::error_code & ec )
    {
        if( m_closed )
            return;
        log_trace( "write failed: {}", ec.message() );
        report_close_to_user( status_code_t::connection_lost );
        close_socket();
    }

    // Everything queued is written.
    void after_writes()
    {
        switch( m_after_writes )
        {
            case after_writes_t::keep_open: break;
            case after_writes_t::close: shutdown_and_close(); break;
            case after_writes_t::linger: linger(); break;
        }
    }

    // ---- ending ----

    // The FIN goes out with the last frame, still held back by send_now(), before the socket
    // closes: closing a socket with unread input resets the connection and drops what it holds.
    // One segment less per closing handshake than a frame and a FIN apart.
    void shutdown_and_close()
    {
        asio_ns::error_code ignored;
        m_socket.shutdown( asio_ns::socket_base::shutdown_send, ignored );
        close_socket();
    }

    void schedule_timer_if_needed()
    {
        if( m_timer_scheduled || m_closed || !( m_backlog || no_close_deadline != m_close_deadline ) )
            return;
        m_timer_scheduled = true;
        // Made when first needed: most connections never wait for a deadline.
        if( !m_timer_guard )
            m_timer_guard = std::make_unique< timer_guard_t >( m_settings->create_timer_guard() );
        m_timer_guard->schedule( weak_from_this() );
    }

    void close_socket()
    {
        if( m_closed )
            return;
        m_closed = true;
        if( m_timer_guard )
            m_timer_guard->cancel();
        log_trace( "close socket" );
        asio_ns::error_code ignored;
        m_socket.close( ignored );
        for( auto & frame : m_queued )
            if( frame.m_callback )
                frame.m_callback( make_asio_compaible_error(
                        asio_convertible_error_t::write_group_destroyed_passively ) );
        m_queued.clear();
    }

    // One thread runs the io_context (the no-op strand): waits need no re-arming.
    static constexpr bool uses_drained_read_wait =
            restinio::impl::drained_read_wait_t< ws_connection_t >::supported
            && std::is_same_v< strand_t, noop_strand_t >;
    struct no_drained_read_wait_t {};

    static constexpr int max_reads_per_wakeup = 16;
    // Reading into the message string pays for a payload at least this long; the space offered
    // per read stays small enough to be still in cache when the kernel copies into it.
    static constexpr std::uint64_t direct_read_min_left = 16u * 1024u;
    static constexpr std::size_t direct_read_max_size = 256u * 1024u;

    stream_socket_t m_socket;
    restinio::impl::connection_strand_t< strand_t > m_strand;
    settings_handle_t m_settings;
    restinio::impl::connection_lifetime_monitor_t m_lifetime_monitor;
    std::unique_ptr< timer_guard_t > m_timer_guard;
    receiver_t m_receiver;
    std::unique_ptr< std::string > m_pending_input;
    WS_Message_Handler m_handler;
    std::weak_ptr< ws_t > m_ws;
    std::conditional_t< uses_drained_read_wait,
            restinio::impl::drained_read_wait_t< ws_connection_t >, no_drained_read_wait_t > m_drained_read_wait;

    std::vector< outgoing_frame_t > m_queued;
    std::unique_ptr< backlog_t > m_backlog;
    static constexpr std::chrono::steady_clock::time_point no_close_deadline =
            std::chrono::steady_clock::time_point::max();
    std::chrono::steady_clock::time_point m_close_deadline{ no_close_deadline };

    // Bit-fields: every idle connection carries them (set in the constructor, as C++17 wants).
    read_state_t m_read_state : 2;
    after_writes_t m_after_writes : 2;
    bool m_close_to_user_allowed : 1;
    bool m_close_sent : 1;
    bool m_closed : 1;
    bool m_waiting_readable : 1;
    bool m_writing : 1;
    bool m_corked : 1;
    bool m_timer_scheduled : 1;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
