// The public WebSocket API: ws_t (the handle the user keeps), activation_t, activate() and the
// four upgrade() overloads that turn an HTTP upgrade request into a WebSocket connection, with
// whole_messages() and frame_by_frame() to choose, for one connection, how its handler gets
// data messages, and with_deflate() / without_deflate() to choose whether it may compress them
// (permessage-deflate, RFC 7692, negotiated here).
//
// upgrade() checks the handshake before it takes anything: a request that is not a valid
// RFC 6455 opening handshake is answered over HTTP (400, or 426 with Sec-WebSocket-Version: 13)
// and gets a ws_t that is already closed, so RESTinio-shaped code keeps working.
#pragma once

#include <restinio/core.hpp>
#include <restinio/impl/connection.hpp>
#include <restinio/impl/slab_allocator.hpp>
#include <restinio/utils/base64.hpp>
#include <restinio/utils/sha1.hpp>
#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/handler_options.hpp>
#include <restinio/websocket/impl/close_payload.hpp>
#include <restinio/websocket/impl/deflate_engine.hpp>
#include <restinio/websocket/impl/deflate_offer.hpp>
#include <restinio/websocket/impl/handshake.hpp>
#include <restinio/websocket/impl/ws_connection.hpp>
#include <restinio/websocket/message.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{

// A WebSocket connection as the user holds it. Every member may be called from any thread;
// releasing the last handle starts a graceful close.
class ws_t : public std::enable_shared_from_this< ws_t >
{
public:
    // Starts reading frames (the handler is called from now on). Call it unqualified:
    // `activate( *wsh )`; upgrade() with activation_t::immediate calls it itself.
    friend void activate( ws_t & ws )
    {
        if( auto conn = ws.connection() )
            conn->init_read( ws.shared_from_this() );
    }

    ws_t( const ws_t & ) = delete;
    ws_t( ws_t && ) = delete;
    ws_t & operator=( const ws_t & ) = delete;
    ws_t & operator=( ws_t && ) = delete;

    ws_t( impl::ws_connection_handle_t ws_connection_handle, endpoint_t remote_endpoint )
        : m_ws_connection_handle{ std::move( ws_connection_handle ) }
        , m_open{ static_cast< bool >( m_ws_connection_handle ) }
        , m_remote_endpoint{ remote_endpoint }
    {}

    ~ws_t()
    {
        try { shutdown(); } catch( ... ) {}
    }

    // 0 once the handle is empty (after shutdown(), kill() or a close frame was sent).
    [[nodiscard]] connection_id_t connection_id() const
    {
        const auto * conn = connection();
        return conn ? conn->connection_id() : 0;
    }

    void shutdown()
    {
        if( auto conn = take_connection() )
            conn->shutdown();
    }

    // Not in RESTinio: a graceful close with a chosen code and reason, as sending the close
    // frame yourself would be (then the peer's close is awaited, and TCP closed). A code that
    // may not be sent (RFC 6455 7.4: 1005, 1006, ...) or a reason that is not UTF-8 or makes the
    // payload longer than 125 bytes is a programming error: exception_t.
    void shutdown( status_code_t code, string_view_t reason = {} )
    {
        const auto raw_code = static_cast< std::uint16_t >( code );
        if( !impl::is_valid_close_code( raw_code ) )
            throw exception_t{ fmt::format( "{} may not be sent as a close code", raw_code ) };
        if( reason.size() > impl::max_control_payload_size - 2u
            || !utils::is_valid_utf8( reinterpret_cast< const std::uint8_t * >( reason.data() ), reason.size() ) )
            throw exception_t{ "a close reason must be valid UTF-8 of at most 123 bytes" };

        if( auto conn = take_connection() )
            conn->send_frame( final_frame, opcode_t::connection_close_frame,
                              writable_item_t{ status_code_to_bin( code ).append( reason ) }, {} );
    }

    void kill()
    {
        if( auto conn = take_connection() )
            conn->kill();
    }

    void send_message(
        final_frame_flag_t final_flag,
        opcode_t opcode,
        writable_item_t payload,
        write_status_cb_t wscb = write_status_cb_t{} )
    {
        if( writable_item_type_t::trivial_write_operation != payload.write_type() )
            throw exception_t{ "ws doesn't support sendfile" };

        // A close frame is the last thing this handle sends.
        auto conn = opcode_t::connection_close_frame == opcode ? take_connection() : connection();
        if( !conn )
            throw exception_t{ "websocket is not available" };
        conn->send_frame( final_flag, opcode, std::move( payload ), std::move( wscb ) );
    }

    void send_message( message_t msg, write_status_cb_t wscb = write_status_cb_t{} )
    {
        send_message( msg.final_flag(), msg.opcode(), writable_item_t{ std::move( msg.payload() ) },
                      std::move( wscb ) );
    }

    [[nodiscard]] const endpoint_t & remote_endpoint() const noexcept { return m_remote_endpoint; }

    // Not in RESTinio: what permessage-deflate (RFC 7692) was agreed on at the upgrade, or
    // nullopt if the connection compresses nothing (or the handle never had a connection).
    // Any thread.
    [[nodiscard]] std::optional< deflate_params_t > deflate_params() const noexcept
    {
        return m_ws_connection_handle ? m_ws_connection_handle->deflate_params() : std::nullopt;
    }

    // Not in RESTinio (the browser's WebSocket.bufferedAmount): the bytes of the frames sent
    // and not yet written to the socket, headers included; 0 on a handle that never had a
    // connection. Any thread; the figure is the one of the connection's last change to its
    // queue (a send from another thread counts once the connection has taken it).
    [[nodiscard]] std::size_t buffered_amount() const noexcept
    {
        return m_ws_connection_handle ? m_ws_connection_handle->buffered_amount() : 0u;
    }

    // Not in RESTinio (uWebSockets' drain): `handler( wsh )` is called, on the connection's
    // thread, each time the write queue has come down to the low-water mark after reaching the
    // high-water mark (websocket_send_queue_high_water() and _low_water()): a producer that
    // sends while buffered_amount() is below the high-water mark and waits for this call
    // otherwise never has a frame dropped. It may call anything on the handle. An empty
    // function removes the handler; it goes with the connection. Any thread.
    void on_drain( drain_handler_t handler )
    {
        if( auto conn = connection() )
            conn->set_drain_handler( std::move( handler ) );
    }

private:
    // "Emptying the handle" is a flag, so that one thread may empty it while another sends
    // without any lock or reference count traffic per message. The connection object itself is
    // kept until this ws_t goes; its socket is closed by then as RESTinio's would be.
    [[nodiscard]] impl::ws_connection_base_t * connection() const noexcept
    {
        return m_open.load( std::memory_order_acquire ) ? m_ws_connection_handle.get() : nullptr;
    }

    [[nodiscard]] impl::ws_connection_base_t * take_connection() noexcept
    {
        return m_open.exchange( false, std::memory_order_acq_rel ) ? m_ws_connection_handle.get() : nullptr;
    }

    const impl::ws_connection_handle_t m_ws_connection_handle;
    std::atomic< bool > m_open;
    const endpoint_t m_remote_endpoint;
};

enum class activation_t
{
    immediate,
    delayed
};

namespace impl
{

// Answers a request that is not a valid opening handshake, and returns the closed ws_t
// that upgrade() hands back in that case.
template< typename Extra_Data >
ws_handle_t refuse_upgrade( generic_request_t< Extra_Data > & req, upgrade_refusal_t refusal )
{
    const auto code = http_status_for( refusal );
    auto response = req.create_response( http_status_line_t{
            http_status_code_t{ code },
            426 == code ? "Upgrade Required" : "Bad Request" } );
    if( upgrade_refusal_t::unsupported_version == refusal )
        response.append_header( http_field_t::sec_websocket_version, std::string{ supported_websocket_version } );
    response.connection_close()
            .append_header( http_field_t::content_type, "text/plain" )
            .set_body( std::string{ upgrade_refusal_reason( refusal ) } )
            .done();
    return std::make_shared< ws_t >( ws_connection_handle_t{}, req.remote_endpoint() );
}

template< typename Extra_Data >
[[nodiscard]] upgrade_refusal_t check_upgrade_request( const generic_request_t< Extra_Data > & req ) noexcept
{
    const auto refusal = impl::check_upgrade_request( req.header() );
    // The parser stops at the end of a request's header only when it took it for an upgrade:
    // after any other request, the bytes that follow were read as HTTP, not kept as frames.
    if( upgrade_refusal_t::none == refusal && http_connection_header_t::upgrade != req.header().connection() )
        return upgrade_refusal_t::connection_not_upgrade;
    return refusal;
}

// The Sec-WebSocket-Extensions fields of a request, joined as one list (RFC 7230 3.2.2).
template< typename Extra_Data >
[[nodiscard]] std::string extension_offers( const generic_request_t< Extra_Data > & req )
{
    std::string offers;
    req.header().for_each_value_of( http_field_t::sec_websocket_extensions, [ & ]( string_view_t value ) {
        if( !offers.empty() )
            offers += ", ";
        offers.append( value.data(), value.size() );
        return http_header_fields_t::continue_enumeration();
    } );
    return offers;
}

// What every overload does once its 101 response is known (nothing has been taken from the
// request before): check the request, take over the HTTP connection's socket, and send the
// response as the first bytes of the WebSocket connection.
template< typename Traits, typename WS_Message_Handler >
ws_handle_t upgrade_with_response_head(
    generic_request_type_from_traits_t< Traits > & req,
    activation_t activation_flag,
    std::string response_head,
    WS_Message_Handler ws_message_handler,
    bool caller_answers_extensions = false )
{
    auto & connection = restinio::impl::access_req_connection( req );
    if( !connection )
        throw exception_t{ "no connection for upgrade: already moved" };
    if( connection->traits_type() != typeid( Traits ) )
        throw exception_t{ "upgrade<Traits>(): Traits must be the server's traits type" };

    const auto refusal = impl::check_upgrade_request( req );
    if( impl::upgrade_refusal_t::none != refusal )
        return impl::refuse_upgrade( req, refusal );

    // The request handler runs on the HTTP connection's strand with nothing in flight on its
    // socket, so the socket and the bytes read after the request can be taken as they are.
    auto http_connection =
            std::static_pointer_cast< restinio::impl::connection_t< Traits > >( connection );
    // Take the connection out of the request, so that a second upgrade() (or create_response())
    // on it throws "already moved". C++17 has no rvalue static_pointer_cast: the std::move that
    // was here copied the handle and left it in the request.
    connection.reset();
    auto parts = http_connection->release_for_upgrade();
    parts.m_settings->m_connection_state_notifier.notify(
            http_connection->connection_id(), parts.m_remote_endpoint,
            connection_state::upgraded_to_websocket_t{} );

    bool whole_messages = parts.m_settings->m_websocket_whole_messages;
    deflate_t deflate = parts.m_settings->m_websocket_deflate;
    auto && handler = bare_handler( ws_message_handler, whole_messages, deflate );

    // RFC 7692 7.1: the first acceptable offer is answered; none, and the answer names no
    // extension. Unless the caller wrote the response's extensions itself (overload A).
    std::optional< deflate_params_t > agreed;
    if( deflate.enabled() && !caller_answers_extensions )
        agreed = negotiate_deflate( extension_offers( req ), deflate.engine()->options() );
    if( agreed )
    {
        // Before the blank line that ends the head.
        const std::string field = "Sec-WebSocket-Extensions: " + deflate_response_value( *agreed ) + "\r\n";
        response_head.insert( response_head.size() - 2u, field );
    }

    using ws_connection_t = impl::ws_connection_t< Traits, std::decay_t< decltype( handler ) > >;
    auto ws_connection = std::allocate_shared< ws_connection_t >(
            restinio::impl::slab_allocator_t< ws_connection_t >{},
            http_connection->connection_id(),
            std::move( parts.m_socket ),
            parts.m_remote_endpoint,
            std::move( parts.m_settings ),
            std::move( parts.m_lifetime_monitor ),
            std::move( parts.m_bytes_after_request ),
            std::move( handler ),
            whole_messages,
            deflate.engine(),
            agreed );
    ws_connection->send_upgrade_response( std::move( response_head ) );

    auto result = std::allocate_shared< ws_t >(
            restinio::impl::slab_allocator_t< ws_t >{}, ws_connection, parts.m_remote_endpoint );
    if( activation_t::immediate == activation_flag )
        activate( *result );
    return result;
}

} // namespace impl

// (A) The caller supplies every extra field of the 101 response (Sec-WebSocket-Accept included).
template< typename Traits, typename WS_Message_Handler >
ws_handle_t upgrade(
    generic_request_type_from_traits_t< Traits > & req,
    activation_t activation_flag,
    http_header_fields_t upgrade_response_header_fields,
    WS_Message_Handler ws_message_handler )
{
    if( !upgrade_response_header_fields.has_field( http_field_t::sec_websocket_accept ) )
        throw exception_t{ fmt::format( "{} field is mandatory for upgrade response",
                                        field_to_string( http_field_t::sec_websocket_accept ) ) };
    if( !upgrade_response_header_fields.has_field( http_field_t::upgrade ) )
        upgrade_response_header_fields.add_field( http_field_t::upgrade, "websocket" );

    const bool answers_extensions = upgrade_response_header_fields.has_field( http_field_t::sec_websocket_extensions );
    http_response_header_t response_header{ status_switching_protocols() };
    response_header.connection( http_connection_header_t::upgrade );
    response_header.swap_fields( upgrade_response_header_fields );
    return impl::upgrade_with_response_head< Traits >( req, activation_flag,
            restinio::impl::create_header_string(
                    response_header, restinio::impl::content_length_field_presence_t::skip_content_length ),
            std::move( ws_message_handler ), answers_extensions );
}

// (B) The caller supplies the Sec-WebSocket-Accept value.
template< typename Traits, typename WS_Message_Handler >
auto upgrade(
    generic_request_type_from_traits_t< Traits > & req,
    activation_t activation_flag,
    std::string sec_websocket_accept_field_value,
    WS_Message_Handler ws_message_handler )
{
    return impl::upgrade_with_response_head< Traits >( req, activation_flag,
            impl::make_upgrade_response_head( sec_websocket_accept_field_value ),
            std::move( ws_message_handler ) );
}

// (C) The caller supplies the Sec-WebSocket-Accept and Sec-WebSocket-Protocol values.
template< typename Traits, typename WS_Message_Handler >
auto upgrade(
    generic_request_type_from_traits_t< Traits > & req,
    activation_t activation_flag,
    std::string sec_websocket_accept_field_value,
    std::string sec_websocket_protocol_field_value,
    WS_Message_Handler ws_message_handler )
{
    return impl::upgrade_with_response_head< Traits >( req, activation_flag,
            impl::make_upgrade_response_head( sec_websocket_accept_field_value,
                                              string_view_t{ sec_websocket_protocol_field_value } ),
            std::move( ws_message_handler ) );
}

// (D) Sec-WebSocket-Accept is computed from the request's Sec-WebSocket-Key (RFC 6455 4.2.2).
template< typename Traits, typename WS_Message_Handler >
auto upgrade(
    generic_request_type_from_traits_t< Traits > & req,
    activation_t activation_flag,
    WS_Message_Handler ws_message_handler )
{
    const auto key = req.header().opt_value_of( http_field_t::sec_websocket_key );
    return impl::upgrade_with_response_head< Traits >( req, activation_flag,
            impl::make_upgrade_response_head(
                    impl::make_sec_websocket_accept( key ? *key : string_view_t{} ) ),
            std::move( ws_message_handler ) );
}

} // namespace basic
} // namespace websocket
} // namespace restinio
