// connection_t: one HTTP/1.1 connection. Reads into a fixed buffer, feeds the request parser,
// hands each request to the user's handler, and writes responses back in request order (also
// when pipelined requests are answered out of order, from other threads).
//
// It runs in passes, as the WebSocket connection does: everything that follows one event (input,
// a background write ended, response parts, a deadline) runs, and then the pass settles: what
// may be written is written (through the transport: at once when the socket takes it, see
// gather_write.hpp), and requests still buffered are parsed, until neither makes progress; then
// it waits for what comes next. A response given from inside a pass (a handler that answers at
// once) is only recorded there: the pass writes it, so the handlers of pipelined requests never
// nest. All state is touched only on the connection's strand: entry points from other threads
// (response parts, timer checks) are dispatched onto it. An upgrade request is handed to the
// handler only when every earlier response has been written and no read is in flight, so that
// websocket::basic::upgrade() can take the socket, and the bytes read past the request, as is.
#pragma once

#include <restinio/connection_count_limiter.hpp>
#include <restinio/impl/connection_base.hpp>
#include <restinio/impl/connection_log.hpp>
#include <restinio/impl/connection_settings.hpp>
#include <restinio/impl/connection_timer.hpp>
#include <restinio/impl/gather_write.hpp>
#include <restinio/impl/header_helpers.hpp>
#include <restinio/impl/pass_scope.hpp>
#include <restinio/impl/transport.hpp>
#include <restinio/impl/request_parser.hpp>
#include <restinio/request_handler.hpp>

#include <fmt/format.h>

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace restinio
{
namespace impl
{

// What an upgraded connection takes over from the HTTP connection.
template< typename Traits >
struct upgraded_connection_parts_t
{
    connection_socket_t< Traits > m_socket;
    connection_settings_handle_t< Traits > m_settings;
    std::string m_bytes_after_request;
    endpoint_t m_remote_endpoint;
    lifetime_monitor_for_t< Traits > m_lifetime_monitor;
};

[[nodiscard]] inline http_status_line_t status_line_for_error( std::uint16_t code )
{
    switch( code )
    {
        case 413: return status_payload_too_large();
        case 414: return status_uri_too_long();
        case 431: return status_request_header_fields_too_large();
        case 500: return status_internal_server_error();
        case 501: return status_not_implemented();
        case 505: return status_http_version_not_supported();
        default: return status_bad_request();
    }
}

// The whole answer to a request the server cannot serve: a status and no body.
[[nodiscard]] inline std::string make_error_response( std::uint16_t code, bool keep_alive )
{
    http_response_header_t header{ status_line_for_error( code ) };
    header.should_keep_alive( keep_alive );
    header.content_length( 0 );
    return create_header_string( header );
}

template< typename Traits >
class connection_t final : public connection_base_t, private pass_driver_t< connection_t< Traits > >
{
public:
    using timer_guard_t = typename Traits::timer_manager_t::timer_guard_t;
    using extra_data_t = typename Traits::extra_data_factory_t::data_t;
    using request_type_t = generic_request_t< extra_data_t >;
    using transport_t = impl::transport_t< Traits >;

    connection_t(
        connection_id_t id,
        connection_socket_t< Traits > && socket,
        connection_settings_handle_t< Traits > settings,
        endpoint_t remote_endpoint,
        lifetime_monitor_for_t< Traits > lifetime_monitor )
        : connection_base_t{ id }
        , m_transport{ std::move( socket ) }
        , m_settings{ std::move( settings ) }
        , m_remote_endpoint{ remote_endpoint }
        , m_input( m_settings->m_buffer_size )
        , m_parser{ m_settings->m_incoming_http_msg_limits }
        , m_lifetime_monitor{ std::move( lifetime_monitor ) }
    {}

    ~connection_t() override
    {
        if( !m_upgraded )
            m_settings->m_connection_state_notifier.notify_closed( connection_id(), m_remote_endpoint );
        log().trace( "destroyed" );
    }

    void init()
    {
        on_strand( []( connection_t & self ) {
            self.log().trace( "start connection with {}", fmtlib_tools::streamed( self.m_remote_endpoint ) );
            try
            {
                socket_options_t options{ self.m_transport.socket() };
                ( *self.m_settings->m_socket_options_setter )( options );
            }
            catch( const std::exception & ex )
            {
                self.log().error( "socket options setter failed: {}", ex.what() );
                return self.close();
            }
            self.m_idle_since = std::chrono::steady_clock::now();
        } );
    }

    void write_response_parts(
        request_id_t request_id,
        response_output_flags_t response_output_flags,
        write_group_t wg ) override
    {
        on_strand( [ request_id, response_output_flags, wg = std::move( wg ) ]( connection_t & self ) mutable {
            self.on_response_parts( request_id, response_output_flags, std::move( wg ) );
        } );
    }

    [[nodiscard]] const std::type_info & traits_type() const noexcept override { return typeid( Traits ); }

    void check_timeout( tcp_connection_ctx_handle_t & ) override
    {
        on_strand( []( connection_t & self ) {
            self.m_timer.fired();
            if( self.m_closed )
                return;
            const auto deadline = self.current_deadline();
            if( deadline && std::chrono::steady_clock::now() >= *deadline )
            {
                if( self.m_transport.handshake_deadline() )
                    self.log().warn( "TLS handshake timed out, closing" );
                else
                    self.log().trace( "timeout, closing" );
                self.close();
            }
        } );
    }

    // For websocket::basic::upgrade(): called from the request handler, on the strand, while
    // nothing else is in flight on the socket. The connection is finished afterwards.
    [[nodiscard]] upgraded_connection_parts_t< Traits > release_for_upgrade()
    {
        m_upgraded = true;
        m_closed = true;
        m_timer.cancel();
        m_response_slots.clear();
        m_pending_requests = 0;
        return upgraded_connection_parts_t< Traits >{
                m_transport.release_socket(),
                m_settings,
                std::string{ m_input.data() + m_input_begin, m_input_end - m_input_begin },
                m_remote_endpoint,
                std::move( m_lifetime_monitor ) };
    }

    [[nodiscard]] const connection_settings_handle_t< Traits > & settings() const noexcept { return m_settings; }

private:
    struct response_slot_t
    {
        request_id_t m_request_id;
        std::vector< write_group_t > m_parts;
        std::chrono::steady_clock::time_point m_handler_called_at;
        bool m_final{ false };
        bool m_close_after{ false };
        bool m_response_started{ false };
    };

    [[nodiscard]] std::shared_ptr< connection_t > self_handle()
    {
        return std::static_pointer_cast< connection_t >( shared_from_this() );
    }

    [[nodiscard]] auto log() const
    {
        return connection_log_t< typename Traits::logger_t >{ *m_settings->m_logger, "connection", connection_id() };
    }

    // ---- passes ----

    friend class pass_driver_t< connection_t >;
    using pass_driver_t< connection_t >::on_strand;
    using pass_driver_t< connection_t >::run_pass;

    void fail_inside_pass( const char * what ) noexcept
    {
        try
        {
            log().error( "failed inside the connection: {}", what );
            close();
        }
        catch( ... )
        {
            // The logger or a write notificator threw: the socket goes all the same.
            m_closed = true;
            m_timer.cancel();
            m_transport.close();
        }
    }

    // Writes what may go and takes the requests still buffered, until neither makes progress;
    // then waits for input or a deadline.
    void settle()
    {
        for( std::size_t seen = m_progress - 1; seen != m_progress && !m_closed; )
        {
            seen = m_progress;
            try_write();
            if( call_deferred_upgrade() )
                return;
            process_input();
            send_interim_continue_if_owed();
        }
        if( m_closed )
            return;
        if( m_input_begin == m_input_end )
            start_read();
        update_deadline();
    }

    // ---- reading and parsing ----

    [[nodiscard]] bool can_take_next_request() const noexcept
    {
        return !m_closed && !m_input_stopped && !m_deferred_upgrade
                && m_pending_requests < m_settings->m_max_pipelined_requests;
    }

    void start_read()
    {
        if( m_reading || !can_take_next_request() || m_peer_finished )
            return;
        m_reading = true;
        m_transport.async_read_some( asio_ns::buffer( m_input ),
            [ self = self_handle() ]( const asio_ns::error_code & ec, std::size_t n ) {
                self->m_reading = false;
                self->run_pass( [ & ] { self->on_read( ec, n ); } );
            } );
    }

    void on_read( const asio_ns::error_code & ec, std::size_t n )
    {
        if( m_closed )
            return;
        if( ec )
        {
            if( m_transport.handshake_deadline() )
                log().warn( "TLS handshake failed: {}", ec.message() );
            else if( !error_is_eof( ec ) )
                log().trace( "read error: {}", ec.message() );
            // Responses still owed are written before the connection goes.
            m_peer_finished = true;
            if( 0 == m_pending_requests )
                close();
            return;
        }
        m_input_begin = 0;
        m_input_end = n;
    }

    // Parses what is buffered while the pipeline has room.
    void process_input()
    {
        while( m_input_begin < m_input_end && can_take_next_request() )
        {
            const auto result = m_parser.parse( m_input.data() + m_input_begin, m_input_end - m_input_begin );
            m_input_begin += result.consumed;

            if( m_parser.take_continue_request() )
                m_continue_owed = true;

            if( request_parse_status_t::request_ready == result.status )
            {
                // The whole body is here already: the 100 may be left out (RFC 9110 10.1.1).
                m_continue_owed = false;
                on_request( m_parser.take_request() );
            }
            else if( request_parse_status_t::failed == result.status )
                return refuse_input( m_parser.error_status() );
        }
    }

    void on_request( parsed_request_t request )
    {
        const request_id_t id = m_next_request_id++;
        if( http_connection_header_t::upgrade == request.m_header.connection() )
        {
            // Nothing after an upgrade request is HTTP any more: stop reading. The socket is
            // handed over only with nothing in flight on it: no earlier response, and no
            // interim 100 (Continue) still being written.
            m_input_stopped = true;
            if( 0 != m_pending_requests || m_writing )
            {
                m_deferred_upgrade.emplace( id, std::move( request ) );
                return;
            }
        }
        call_handler( id, std::move( request ) );
    }

    void call_handler( request_id_t id, parsed_request_t request )
    {
        ++m_progress;
        const bool is_upgrade = http_connection_header_t::upgrade == request.m_header.connection();
        const bool keep_alive = request.m_header.should_keep_alive();
        auto & slot = m_response_slots.emplace_back();
        slot.m_request_id = id;
        slot.m_handler_called_at = std::chrono::steady_clock::now();
        ++m_pending_requests;

        log().trace( "request #{}: {} {}", id, request.m_header.method().c_str(), request.m_header.request_target() );
        auto req = std::make_shared< request_type_t >(
                id, std::move( request.m_header ), std::move( request.m_body ),
                std::move( request.m_chunked_input_info ),
                std::static_pointer_cast< connection_base_t >( self_handle() ),
                m_remote_endpoint, *m_settings->m_extra_data_factory );

        request_handling_status_t status = request_rejected();
        try
        {
            status = ( *m_settings->m_request_handler )( req );
        }
        catch( const std::exception & ex )
        {
            log().error( "request handler failed: {}", ex.what() );
            return on_handler_failed( *req, keep_alive && !is_upgrade );
        }
        catch( ... )
        {
            log().error( "request handler failed with an unknown exception" );
            return on_handler_failed( *req, keep_alive && !is_upgrade );
        }

        if( m_upgraded )
            return;

        if( request_handling_status_t::accepted != status && access_req_connection( *req ) )
        {
            // The handler neither answered nor kept the request: 501, as RESTinio does.
            access_req_connection( *req ).reset();
            answer_with_error( id, 501, false );
        }
    }

    // A handler that threw: a 500 if it had not begun its response (the connection goes on as
    // the request asked), else the connection closes after what it gave, since the response
    // cannot be completed.
    void on_handler_failed( request_type_t & req, bool keep_alive )
    {
        if( m_upgraded || m_closed )
            return;
        const request_id_t id = req.request_id();
        // Parts given later, from wherever the request went, go nowhere.
        access_req_connection( req ).reset();
        auto slot = find_slot( id );
        if( slot == m_response_slots.end() || slot->m_final )
            return;
        if( !slot->m_response_started )
            return answer_with_error( id, 500, keep_alive );
        slot->m_final = true;
        slot->m_close_after = true;
        m_input_stopped = true;
    }

    // A request the parser refused gets its status after every response still owed, then a close.
    void refuse_input( std::uint16_t status )
    {
        ++m_progress;
        log().trace( "bad request, answering {}", status );
        m_input_stopped = true;
        const request_id_t id = m_next_request_id++;
        auto & slot = m_response_slots.emplace_back();
        slot.m_request_id = id;
        slot.m_handler_called_at = std::chrono::steady_clock::now();
        ++m_pending_requests;
        answer_with_error( id, status, false );
    }

    void answer_with_error( request_id_t id, std::uint16_t status, bool keep_alive )
    {
        writable_items_container_t items;
        items.emplace_back( make_error_response( status, keep_alive ) );
        on_response_parts( id,
                response_output_flags_t{ response_parts_attr_t::final_parts,
                        keep_alive ? response_connection_attr_t::connection_keepalive
                                   : response_connection_attr_t::connection_close },
                write_group_t{ std::move( items ) } );
    }

    // RFC 9110 10.1.1: the client may wait for a 100 (Continue) before it sends the body, so
    // one is owed for every request that asked. It may only follow the responses to the
    // requests before it, so with pipelined requests pending it waits until they are all
    // written.
    void send_interim_continue_if_owed()
    {
        if( !m_continue_owed || 0 != m_pending_requests || m_writing || m_closed )
            return;
        m_continue_owed = false;
        static constexpr char continue_response[] = "HTTP/1.1 100 Continue\r\n\r\n";
        auto & gather = per_thread_gather();
        gather.assign( 1, asio_ns::buffer( continue_response, sizeof( continue_response ) - 1 ) );
        m_writing = true;
        m_write_started_at = std::chrono::steady_clock::now();
        if( write_now_or_later( gather, [ this ]( const asio_ns::error_code & ec ) { on_interim_written( ec ); } ) )
            on_interim_written( {} );
    }

    void on_interim_written( const asio_ns::error_code & ec )
    {
        m_writing = false;
        ++m_progress;
        if( ec )
            close();
    }

    // The upgrade request that waited for the socket to be free, if it is free now; true if the
    // connection was upgraded.
    bool call_deferred_upgrade()
    {
        if( !m_deferred_upgrade || m_closed || 0 != m_pending_requests || m_writing )
            return false;
        auto deferred = std::move( *m_deferred_upgrade );
        m_deferred_upgrade.reset();
        call_handler( deferred.first, std::move( deferred.second ) );
        return m_upgraded;
    }

    // ---- writing ----

    [[nodiscard]] typename std::deque< response_slot_t >::iterator find_slot( request_id_t request_id )
    {
        return std::find_if( m_response_slots.begin(), m_response_slots.end(),
                [request_id]( const response_slot_t & s ) { return s.m_request_id == request_id; } );
    }

    void on_response_parts( request_id_t request_id, response_output_flags_t flags, write_group_t wg )
    {
        if( m_closed )
        {
            wg.invoke_after_write_notificator_if_exists(
                    make_asio_compaible_error( asio_convertible_error_t::write_was_not_executed ) );
            return;
        }

        auto slot = find_slot( request_id );
        if( slot == m_response_slots.end() || slot->m_final )
        {
            log().error( "response parts for unknown or finished request #{}", request_id );
            return;
        }

        ++m_progress;
        slot->m_response_started = true;
        slot->m_parts.push_back( std::move( wg ) );
        if( response_parts_attr_t::final_parts == flags.m_response_parts )
        {
            slot->m_final = true;
            slot->m_close_after = response_connection_attr_t::connection_close == flags.m_response_connection;
            // RFC 9112 9.6: after a response with "Connection: close" no further request on
            // this connection is processed, so pipelined bytes not yet parsed stay unread
            // (a 501 for a rejected request used to let the next pipelined request through).
            if( slot->m_close_after )
                m_input_stopped = true;
        }
    }

    // Takes every part that may go out now (the front response, and the responses after it once
    // it is complete) and writes them with as few gathered writes as the items allow.
    void try_write()
    {
        if( m_writing || m_closed )
            return;

        m_completing_slots = 0;
        for( auto & slot : m_response_slots )
        {
            for( auto & part : slot.m_parts )
                m_writing_groups.push_back( std::move( part ) );
            slot.m_parts.clear();
            if( !slot.m_final )
                break;
            ++m_completing_slots;
            // Nothing may follow a "Connection: close" response on the wire: answers to
            // requests pipelined behind it are dropped with the connection, not written.
            if( slot.m_close_after )
                break;
        }
        if( m_writing_groups.empty() )
            return;

        m_writing = true;
        m_write_started_at = std::chrono::steady_clock::now();
        m_write_group_index = 0;
        m_write_item_index = 0;
        write_batches();
    }

    // Writes the groups taken, one gathered write per run of buffers (a file goes on its own),
    // until all are out or one goes on in the background.
    void write_batches()
    {
        auto & gather = per_thread_gather();
        for( ;; )
        {
            gather.clear();
            while( m_write_group_index < m_writing_groups.size() )
            {
                auto & items = m_writing_groups[ m_write_group_index ].items();
                if( m_write_item_index == items.size() )
                {
                    ++m_write_group_index;
                    m_write_item_index = 0;
                    continue;
                }
                auto & item = items[ m_write_item_index ];
                if( writable_item_type_t::file_write_operation == item.write_type() )
                {
                    if( !gather.empty() )
                        break;
                    ++m_write_item_index;
                    m_file_offset = item.sendfile_operation().offset();
                    m_file_left = item.sendfile_operation().size();
                    m_file_deadline = deadline_after( item.sendfile_operation().timelimit() );
                    return write_file_chunk( item.sendfile_operation() );
                }
                gather.push_back( item.buf() );
                ++m_write_item_index;
            }

            if( gather.empty() )
                return on_batch_written();
            if( !write_now_or_later( gather, [ this ]( const asio_ns::error_code & ec ) {
                    if( ec )
                        return on_write_failed( ec );
                    write_batches();
                } ) )
                return;
        }
    }

    // True if `gather` was written at once; else it goes on in the background (or failed), and
    // `on_done( ec )` runs in a pass of this connection when it is out.
    template< typename On_Done >
    bool write_now_or_later( const std::vector< asio_ns::const_buffer > & gather, On_Done && on_done )
    {
        asio_ns::error_code ec;
        const auto result = write_gather( m_transport, gather, false, ec,
                [ this ]() -> std::vector< asio_ns::const_buffer > & { return m_write_rest; },
                [ self = self_handle(), on_done = std::forward< On_Done >( on_done ) ]( const asio_ns::error_code & write_ec ) mutable {
                    self->run_pass( [ & ] {
                        if( !self->m_closed )
                            on_done( write_ec );
                    } );
                } );
        if( gather_write_result_t::in_background == result )
            m_write_started_at = std::chrono::steady_clock::now();
        else if( gather_write_result_t::failed == result )
            on_write_failed( ec );
        return gather_write_result_t::written == result;
    }

    // A file goes out in chunks read into the connection's buffer; each chunk is written in the
    // background, so that a long file takes turns with the thread's other connections.
    void write_file_chunk( sendfile_t & file )
    {
        if( 0 == m_file_left )
        {
            m_file_deadline = no_deadline;
            return write_batches();
        }

        const auto chunk = static_cast< std::size_t >( std::min( m_file_left, file.chunk_size() ) );
        m_file_buffer.resize( chunk );
        const ssize_t n = ::pread( file.file_descriptor(), m_file_buffer.data(), chunk,
                                   static_cast< off_t >( m_file_offset ) );
        if( n <= 0 )
            return on_write_failed( make_asio_compaible_error( asio_convertible_error_t::async_write_call_failed ) );

        m_file_offset += static_cast< std::size_t >( n );
        m_file_left -= static_cast< std::size_t >( n );
        m_write_rest.assign( 1, asio_ns::buffer( m_file_buffer.data(), static_cast< std::size_t >( n ) ) );
        m_write_started_at = std::chrono::steady_clock::now();
        m_transport.async_write( m_write_rest, [ self = self_handle(), &file ]( const asio_ns::error_code & ec ) {
            self->run_pass( [ & ] {
                if( self->m_closed )
                    return;
                if( ec )
                    return self->on_write_failed( ec );
                self->write_file_chunk( file );
            } );
        } );
    }

    void on_batch_written()
    {
        ++m_progress;
        m_writing = false;
        for( auto & wg : m_writing_groups )
            wg.invoke_after_write_notificator_if_exists( asio_ns::error_code{} );
        m_writing_groups.clear();

        bool close_after = false;
        for( ; m_completing_slots > 0; --m_completing_slots )
        {
            close_after = close_after || m_response_slots.front().m_close_after;
            m_response_slots.pop_front();
            --m_pending_requests;
        }

        if( close_after )
            return close();
        if( 0 == m_pending_requests )
        {
            if( m_peer_finished )
                return close();
            m_idle_since = std::chrono::steady_clock::now();
        }
    }

    void on_write_failed( const asio_ns::error_code & ec )
    {
        log().trace( "write failed: {}", ec.message() );
        m_writing = false;
        for( auto & wg : m_writing_groups )
            wg.invoke_after_write_notificator_if_exists( ec );
        m_writing_groups.clear();
        close();
    }

    // ---- deadlines ----

    // The one deadline in force: a TLS handshake's, then writing (each write that waits for the
    // socket has its time limit, and a file its own), then a handler that has not answered (nor
    // upgraded: that bounds an opening handshake's wait for its handler), then idleness.
    [[nodiscard]] std::optional< std::chrono::steady_clock::time_point > current_deadline() const
    {
        if( const auto handshake = m_transport.handshake_deadline() )
            return handshake;
        if( m_writing )
            return std::min( m_write_started_at + m_settings->m_write_http_response_timelimit, m_file_deadline );
        for( const auto & slot : m_response_slots )
        {
            if( !slot.m_response_started )
                return slot.m_handler_called_at + m_settings->m_handle_request_timeout;
        }
        if( 0 == m_pending_requests && !m_deferred_upgrade )
            return m_idle_since + m_settings->m_read_next_http_message_timelimit;
        return std::nullopt;
    }

    [[nodiscard]] static std::chrono::steady_clock::time_point deadline_after(
            std::chrono::steady_clock::duration limit ) noexcept
    {
        const auto now = std::chrono::steady_clock::now();
        return limit >= no_deadline - now ? no_deadline : now + limit;
    }

    void update_deadline()
    {
        if( !m_closed && !m_timer.scheduled() && current_deadline() )
            m_timer.schedule( *m_settings, weak_from_this() );
    }

    void close()
    {
        if( m_closed )
            return;
        m_closed = true;
        m_timer.cancel();
        log().trace( "close" );

        m_transport.shutdown_send();
        m_transport.close();

        for( auto & slot : m_response_slots )
            for( auto & wg : slot.m_parts )
                wg.invoke_after_write_notificator_if_exists(
                        make_asio_compaible_error( asio_convertible_error_t::write_was_not_executed ) );
        m_response_slots.clear();
        m_deferred_upgrade.reset();
    }

    transport_t m_transport;
    connection_settings_handle_t< Traits > m_settings;
    const endpoint_t m_remote_endpoint;

    std::vector< char > m_input;
    std::size_t m_input_begin{ 0 };
    std::size_t m_input_end{ 0 };
    request_parser_t m_parser;

    request_id_t m_next_request_id{ 0 };
    std::size_t m_pending_requests{ 0 };
    std::deque< response_slot_t > m_response_slots;
    std::optional< std::pair< request_id_t, parsed_request_t > > m_deferred_upgrade;

    std::vector< write_group_t > m_writing_groups;
    // What a background write still has to write.
    std::vector< asio_ns::const_buffer > m_write_rest;
    std::size_t m_write_group_index{ 0 };
    std::size_t m_write_item_index{ 0 };
    std::size_t m_completing_slots{ 0 };
    std::vector< char > m_file_buffer;
    file_offset_t m_file_offset{ 0 };
    file_size_t m_file_left{ 0 };
    static constexpr std::chrono::steady_clock::time_point no_deadline = std::chrono::steady_clock::time_point::max();
    std::chrono::steady_clock::time_point m_file_deadline{ no_deadline };

    connection_timer_t< timer_guard_t > m_timer;
    std::chrono::steady_clock::time_point m_idle_since;
    std::chrono::steady_clock::time_point m_write_started_at;

    // Counts what lets a settling pass go on: a request taken, response parts, a write done.
    std::size_t m_progress{ 0 };
    bool m_in_pass{ false };
    bool m_reading{ false };
    bool m_writing{ false };
    bool m_closed{ false };
    bool m_input_stopped{ false };
    bool m_peer_finished{ false };
    bool m_upgraded{ false };
    bool m_continue_owed{ false };
    [[no_unique_address]] lifetime_monitor_for_t< Traits > m_lifetime_monitor;
};

} // namespace impl
} // namespace restinio
