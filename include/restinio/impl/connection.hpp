// connection_t: one HTTP/1.1 connection. Reads into a fixed buffer, feeds the request parser,
// hands each request to the user's handler, and writes responses back in request order (also
// when pipelined requests are answered out of order, from other threads).
//
// All state is touched only on the connection's strand: entry points from other threads
// (response parts, timer checks) are dispatched onto it. An upgrade request is handed to the
// handler only when every earlier response has been written and no read is in flight, so that
// websocket::basic::upgrade() can take the socket, and the bytes read past the request, as is.
#pragma once

#include <restinio/connection_count_limiter.hpp>
#include <restinio/impl/connection_base.hpp>
#include <restinio/impl/connection_log.hpp>
#include <restinio/impl/connection_settings.hpp>
#include <restinio/impl/connection_timer.hpp>
#include <restinio/impl/connection_strand.hpp>
#include <restinio/impl/header_helpers.hpp>
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
    typename Traits::stream_socket_t m_socket;
    connection_settings_handle_t< Traits > m_settings;
    std::string m_bytes_after_request;
    endpoint_t m_remote_endpoint;
    connection_lifetime_monitor_t m_lifetime_monitor;
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

// The whole answer to a request the server refuses: a status, no body, and a close.
[[nodiscard]] inline std::string make_refusal_response( std::uint16_t code )
{
    http_response_header_t header{ status_line_for_error( code ) };
    header.should_keep_alive( false );
    header.content_length( 0 );
    return create_header_string( header );
}

template< typename Traits >
class connection_t final : public connection_base_t
{
public:
    using timer_guard_t = typename Traits::timer_manager_t::timer_guard_t;
    using strand_t = typename Traits::strand_t;
    using stream_socket_t = typename Traits::stream_socket_t;
    using extra_data_t = typename Traits::extra_data_factory_t::data_t;
    using request_type_t = generic_request_t< extra_data_t >;

    connection_t(
        connection_id_t id,
        stream_socket_t && socket,
        connection_settings_handle_t< Traits > settings,
        endpoint_t remote_endpoint,
        connection_lifetime_monitor_t lifetime_monitor )
        : connection_base_t{ id }
        , m_socket{ std::move( socket ) }
        , m_strand{ connection_strand_type< strand_t >::make( m_socket.get_executor() ) }
        , m_settings{ std::move( settings ) }
        , m_remote_endpoint{ remote_endpoint }
        , m_input( m_settings->m_buffer_size )
        , m_parser{ m_settings->m_incoming_http_msg_limits }
        , m_lifetime_monitor{ std::move( lifetime_monitor ) }
    {}

    ~connection_t() override
    {
        if( !m_upgraded )
            m_settings->m_connection_state_notifier.notify(
                    connection_id(), m_remote_endpoint, connection_state::closed_t{} );
        log().trace( "destroyed" );
    }

    void init()
    {
        asio_ns::dispatch( m_strand, [ self = self_handle() ]() {
            self->log().trace( "start connection with {}", fmtlib_tools::streamed( self->m_remote_endpoint ) );
            try
            {
                socket_options_t options{ self->m_socket };
                ( *self->m_settings->m_socket_options_setter )( options );
            }
            catch( const std::exception & ex )
            {
                self->log().error( "socket options setter failed: {}", ex.what() );
                return self->close();
            }
            self->m_idle_since = std::chrono::steady_clock::now();
            self->start_read();
            self->update_deadline();
        } );
    }

    void write_response_parts(
        request_id_t request_id,
        response_output_flags_t response_output_flags,
        write_group_t wg ) override
    {
        asio_ns::dispatch( m_strand,
            [ self = self_handle(), request_id, response_output_flags, wg = std::move( wg ) ]() mutable {
                self->on_response_parts( request_id, response_output_flags, std::move( wg ) );
            } );
    }

    [[nodiscard]] const std::type_info & traits_type() const noexcept override { return typeid( Traits ); }

    void check_timeout( tcp_connection_ctx_handle_t & self ) override
    {
        asio_ns::dispatch( m_strand, [ this, self ]() {
            m_timer.fired();
            if( m_closed )
                return;
            const auto deadline = current_deadline();
            if( !deadline )
                return;
            if( std::chrono::steady_clock::now() >= *deadline )
            {
                log().trace( "timeout, closing" );
                return close();
            }
            m_timer.schedule( *m_settings, weak_from_this() );
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
                std::move( m_socket ),
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
        bool m_is_upgrade{ false };
    };

    [[nodiscard]] std::shared_ptr< connection_t > self_handle()
    {
        return std::static_pointer_cast< connection_t >( shared_from_this() );
    }

    [[nodiscard]] auto log() const
    {
        return connection_log_t< typename Traits::logger_t >{ *m_settings->m_logger, "connection", connection_id() };
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
        m_socket.async_read_some( asio_ns::buffer( m_input ),
            asio_ns::bind_executor( m_strand,
                [ self = self_handle() ]( const asio_ns::error_code & ec, std::size_t n ) {
                    self->m_reading = false;
                    self->on_read( ec, n );
                } ) );
    }

    void on_read( const asio_ns::error_code & ec, std::size_t n )
    {
        if( m_closed )
            return;
        if( ec )
        {
            if( !error_is_eof( ec ) )
                log().trace( "read error: {}", ec.message() );
            // Responses still owed are written before the connection goes.
            m_peer_finished = true;
            if( 0 == m_pending_requests )
                close();
            return;
        }
        m_input_begin = 0;
        m_input_end = n;
        process_input();
    }

    // Parses what is buffered while the pipeline has room, then reads more if needed.
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
        send_interim_continue_if_owed();
        if( m_input_begin == m_input_end )
            start_read();
        update_deadline();
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
        const bool is_upgrade = http_connection_header_t::upgrade == request.m_header.connection();
        auto & slot = m_response_slots.emplace_back();
        slot.m_request_id = id;
        slot.m_handler_called_at = std::chrono::steady_clock::now();
        slot.m_is_upgrade = is_upgrade;
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
            return close();
        }
        catch( ... )
        {
            log().error( "request handler failed with an unknown exception" );
            return close();
        }

        if( m_upgraded )
            return;

        if( request_handling_status_t::accepted != status && access_req_connection( *req ) )
        {
            // The handler neither answered nor kept the request: 501, as RESTinio does.
            access_req_connection( *req ).reset();
            writable_items_container_t items;
            items.emplace_back( make_refusal_response( 501 ) );
            on_response_parts( id,
                    response_output_flags_t{ response_parts_attr_t::final_parts,
                                             response_connection_attr_t::connection_close },
                    write_group_t{ std::move( items ) } );
        }
    }

    // A request the parser refused gets its status after every response still owed, then a close.
    void refuse_input( std::uint16_t status )
    {
        log().trace( "bad request, answering {}", status );
        m_input_stopped = true;
        const request_id_t id = m_next_request_id++;
        auto & slot = m_response_slots.emplace_back();
        slot.m_request_id = id;
        slot.m_handler_called_at = std::chrono::steady_clock::now();
        ++m_pending_requests;
        writable_items_container_t items;
        items.emplace_back( make_refusal_response( status ) );
        on_response_parts( id,
                response_output_flags_t{ response_parts_attr_t::final_parts,
                                         response_connection_attr_t::connection_close },
                write_group_t{ std::move( items ) } );
    }

    // RFC 9110 10.1.1: the client may wait for a 100 (Continue) before it sends the body, so
    // one is owed for every request that asked. It may only follow the responses to the
    // requests before it, so with pipelined requests pending it waits until they are all
    // written (it used to be dropped then, and the client waited for nothing).
    void send_interim_continue_if_owed()
    {
        if( !m_continue_owed || 0 != m_pending_requests || m_writing || m_closed )
            return;
        m_continue_owed = false;
        m_interim_response = "HTTP/1.1 100 Continue\r\n\r\n";
        m_writing = true;
        m_write_started_at = std::chrono::steady_clock::now();
        asio_ns::async_write( m_socket, asio_ns::buffer( m_interim_response ),
            asio_ns::bind_executor( m_strand,
                [ self = self_handle() ]( const asio_ns::error_code & ec, std::size_t ) {
                    self->m_writing = false;
                    if( ec )
                        return self->close();
                    if( 0 == self->m_pending_requests && self->call_deferred_upgrade() )
                        return;
                    self->try_write();
                    self->update_deadline();
                } ) );
    }

    // The upgrade request that waited for the socket to be free, if any; true if the
    // connection was upgraded.
    bool call_deferred_upgrade()
    {
        if( !m_deferred_upgrade )
            return false;
        auto deferred = std::move( *m_deferred_upgrade );
        m_deferred_upgrade.reset();
        call_handler( deferred.first, std::move( deferred.second ) );
        return m_upgraded;
    }

    // ---- writing ----

    void on_response_parts( request_id_t request_id, response_output_flags_t flags, write_group_t wg )
    {
        if( m_closed )
        {
            wg.invoke_after_write_notificator_if_exists(
                    make_asio_compaible_error( asio_convertible_error_t::write_was_not_executed ) );
            return;
        }

        auto slot = std::find_if( m_response_slots.begin(), m_response_slots.end(),
                [request_id]( const response_slot_t & s ) { return s.m_request_id == request_id; } );
        if( slot == m_response_slots.end() || slot->m_final )
        {
            log().error( "response parts for unknown or finished request #{}", request_id );
            return;
        }

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
        try_write();
        update_deadline();
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
        write_next_batch();
    }

    void write_next_batch()
    {
        m_gather.clear();
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
                if( !m_gather.empty() )
                    break;
                ++m_write_item_index;
                m_file_offset = item.sendfile_operation().offset();
                m_file_left = item.sendfile_operation().size();
                return write_file_chunk( item.sendfile_operation() );
            }
            m_gather.push_back( item.buf() );
            ++m_write_item_index;
        }

        if( m_gather.empty() )
            return on_batch_written();

        asio_ns::async_write( m_socket, m_gather,
            asio_ns::bind_executor( m_strand,
                [ self = self_handle() ]( const asio_ns::error_code & ec, std::size_t ) {
                    if( ec )
                        return self->on_write_failed( ec );
                    self->write_next_batch();
                } ) );
    }

    void write_file_chunk( sendfile_t & file )
    {
        if( 0 == m_file_left )
            return write_next_batch();

        const auto chunk = static_cast< std::size_t >( std::min( m_file_left, file.chunk_size() ) );
        m_file_buffer.resize( chunk );
        const ssize_t n = ::pread( file.file_descriptor(), m_file_buffer.data(), chunk,
                                   static_cast< off_t >( m_file_offset ) );
        if( n <= 0 )
            return on_write_failed( make_asio_compaible_error( asio_convertible_error_t::async_write_call_failed ) );

        m_file_offset += static_cast< std::size_t >( n );
        m_file_left -= static_cast< std::size_t >( n );
        asio_ns::async_write( m_socket, asio_ns::buffer( m_file_buffer.data(), static_cast< std::size_t >( n ) ),
            asio_ns::bind_executor( m_strand,
                [ self = self_handle(), &file ]( const asio_ns::error_code & ec, std::size_t ) {
                    if( ec )
                        return self->on_write_failed( ec );
                    self->write_file_chunk( file );
                } ) );
    }

    void on_batch_written()
    {
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
            if( call_deferred_upgrade() )
                return;
        }

        try_write();
        process_input();
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

    // The one deadline in force: writing, then a handler that has not answered, then idleness.
    [[nodiscard]] std::optional< std::chrono::steady_clock::time_point > current_deadline() const
    {
        if( m_writing )
            return m_write_started_at + m_settings->m_write_http_response_timelimit;
        for( const auto & slot : m_response_slots )
        {
            if( !slot.m_response_started && !slot.m_is_upgrade )
                return slot.m_handler_called_at + m_settings->m_handle_request_timeout;
        }
        if( 0 == m_pending_requests && !m_deferred_upgrade )
            return m_idle_since + m_settings->m_read_next_http_message_timelimit;
        return std::nullopt;
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

        asio_ns::error_code ignored;
        m_socket.shutdown( asio_ns::ip::tcp::socket::shutdown_both, ignored );
        m_socket.close( ignored );

        for( auto & slot : m_response_slots )
            for( auto & wg : slot.m_parts )
                wg.invoke_after_write_notificator_if_exists(
                        make_asio_compaible_error( asio_convertible_error_t::write_was_not_executed ) );
        m_response_slots.clear();
        m_deferred_upgrade.reset();
    }

    stream_socket_t m_socket;
    typename connection_strand_type< strand_t >::type m_strand;
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
    std::vector< asio_ns::const_buffer > m_gather;
    std::size_t m_write_group_index{ 0 };
    std::size_t m_write_item_index{ 0 };
    std::size_t m_completing_slots{ 0 };
    std::string m_interim_response;
    std::vector< char > m_file_buffer;
    file_offset_t m_file_offset{ 0 };
    file_size_t m_file_left{ 0 };

    connection_timer_t< timer_guard_t > m_timer;
    std::chrono::steady_clock::time_point m_idle_since;
    std::chrono::steady_clock::time_point m_write_started_at;
    connection_lifetime_monitor_t m_lifetime_monitor;

    bool m_reading{ false };
    bool m_writing{ false };
    bool m_closed{ false };
    bool m_input_stopped{ false };
    bool m_peer_finished{ false };
    bool m_upgraded{ false };
    bool m_continue_owed{ false };
};

} // namespace impl
} // namespace restinio
