// What every connection of one server shares: the request handler, the logger, the timer
// manager, the timeouts and limits. Built once from the user's settings by http_server_t.
#pragma once

#include <restinio/connection_count_limiter.hpp>
#include <restinio/impl/transport.hpp>
#include <restinio/settings.hpp>
#include <restinio/websocket/impl/ws_backpressure.hpp>
#include <restinio/websocket/impl/ws_deadlines.hpp>
#include <restinio/websocket/impl/ws_registry.hpp>

#include <functional>
#include <memory>
#include <type_traits>

namespace restinio
{
namespace impl
{

template< typename T > struct is_std_function : std::false_type {};
template< typename R, typename... A > struct is_std_function< std::function< R( A... ) > > : std::true_type {};

template< typename Traits >
struct connection_settings_t final
    : public std::enable_shared_from_this< connection_settings_t< Traits > >
{
    using request_handler_t = request_handler_type_from_traits_t< Traits >;
    using logger_t = typename Traits::logger_t;
    using timer_manager_t = typename Traits::timer_manager_t;
    using timer_manager_handle_t = std::shared_ptr< timer_manager_t >;
    using extra_data_factory_t = typename Traits::extra_data_factory_t;
    using connection_state_listener_t = typename Traits::connection_state_listener_t;

    template< typename Settings >
    connection_settings_t( Settings && settings, timer_manager_handle_t timer_manager )
        : m_request_handler{ take_request_handler( settings ) }
        , m_logger{ settings.logger() }
        , m_timer_manager{ std::move( timer_manager ) }
        , m_read_next_http_message_timelimit{ settings.read_next_http_message_timelimit() }
        , m_write_http_response_timelimit{ settings.write_http_response_timelimit() }
        , m_handle_request_timeout{ settings.handle_request_timeout() }
        , m_buffer_size{ settings.buffer_size() }
        , m_max_pipelined_requests{ std::max< std::size_t >( 1, settings.max_pipelined_requests() ) }
        , m_incoming_http_msg_limits{ settings.incoming_http_msg_limits() }
        , m_socket_options_setter{ settings.socket_options_setter() }
        , m_extra_data_factory{ take_extra_data_factory( settings ) }
        , m_connection_state_notifier{ settings.connection_state_listener() }
        , m_websocket_max_message_size{ settings.websocket_max_message_size() }
        , m_websocket_write_timelimit{ settings.websocket_write_timelimit() }
        , m_websocket_send_queue{ websocket::basic::impl::make_send_queue_limits(
                settings.websocket_send_queue_high_water(), settings.websocket_send_queue_low_water(),
                settings.websocket_send_queue_limit(),
                websocket_send_limit_policy_t::close_connection == settings.websocket_send_queue_limit_policy() ) }
        , m_websocket_message_timelimit{ settings.websocket_message_timelimit() }
        , m_websocket_deadlines{ websocket::basic::impl::to_limit( settings.websocket_close_handshake_timelimit() ),
                websocket::basic::impl::to_limit( settings.websocket_ping_interval() ),
                websocket::basic::impl::to_limit( settings.websocket_pong_timelimit() ),
                websocket::basic::impl::to_limit( settings.websocket_idle_timelimit() ) }
        , m_websocket_auto_pong{ settings.websocket_auto_pong() }
        , m_websocket_idle_close_code{ settings.websocket_idle_close_code() }
        , m_websocket_going_away_timelimit{ settings.websocket_going_away_timelimit() }
        , m_websocket_whole_messages{ settings.websocket_whole_messages() }
        , m_websocket_deflate{ settings.websocket_deflate() }
        , m_socket_maker{ settings }
    {
        if constexpr( Traits::use_connection_count_limiter )
            m_connection_counter = std::make_unique< connection_counter_t >( settings.max_parallel_connections() );
    }

    [[nodiscard]] auto create_timer_guard() const { return m_timer_manager->create_timer_guard(); }

    std::unique_ptr< request_handler_t > m_request_handler;
    std::unique_ptr< logger_t > m_logger;
    timer_manager_handle_t m_timer_manager;
    const std::chrono::steady_clock::duration m_read_next_http_message_timelimit;
    const std::chrono::steady_clock::duration m_write_http_response_timelimit;
    const std::chrono::steady_clock::duration m_handle_request_timeout;
    const std::size_t m_buffer_size;
    const std::size_t m_max_pipelined_requests;
    const incoming_http_msg_limits_t m_incoming_http_msg_limits;
    std::unique_ptr< socket_options_setter_t > m_socket_options_setter;
    std::shared_ptr< extra_data_factory_t > m_extra_data_factory;
    connection_state_notifier_t< connection_state_listener_t > m_connection_state_notifier;
    const std::uint64_t m_websocket_max_message_size;
    const std::chrono::steady_clock::duration m_websocket_write_timelimit;
    const websocket::basic::impl::send_queue_limits_t m_websocket_send_queue;
    const std::chrono::steady_clock::duration m_websocket_message_timelimit;
    // WebSocket liveness and going away
    const websocket::basic::impl::deadline_limits_t m_websocket_deadlines;
    const bool m_websocket_auto_pong;
    const websocket::basic::status_code_t m_websocket_idle_close_code;
    const std::chrono::steady_clock::duration m_websocket_going_away_timelimit;
    websocket::basic::impl::ws_registry_t m_websocket_connections;
    const bool m_websocket_whole_messages;
    const websocket::basic::deflate_t m_websocket_deflate;
    // Only with Traits::use_connection_count_limiter: every connection (WebSocket ones too).
    std::unique_ptr< connection_counter_t > m_connection_counter;
    // Turns each accepted TCP socket into Traits::stream_socket_t (a TLS socket: tls.hpp).
    const typename socket_kind_t< typename Traits::stream_socket_t >::maker_t m_socket_maker;

private:
    template< typename Settings >
    static std::unique_ptr< request_handler_t > take_request_handler( Settings & settings )
    {
        auto handler = settings.request_handler();
        if( !handler )
        {
            // A router with no routes is a usable default (it answers 501); an empty
            // std::function is not.
            if constexpr( std::is_default_constructible_v< request_handler_t >
                          && !is_std_function< request_handler_t >::value )
                handler = std::make_unique< request_handler_t >();
            else
                throw exception_t{ "request handler must be set" };
        }
        return handler;
    }

    template< typename Settings >
    static std::shared_ptr< extra_data_factory_t > take_extra_data_factory( Settings & settings )
    {
        auto factory = settings.giveaway_extra_data_factory();
        if( !factory )
        {
            if constexpr( std::is_default_constructible_v< extra_data_factory_t > )
                factory = std::make_shared< extra_data_factory_t >();
            else
                throw exception_t{ "extra_data_factory is not set" };
        }
        return factory;
    }
};

template< typename Traits >
using connection_settings_handle_t = std::shared_ptr< connection_settings_t< Traits > >;

} // namespace impl
} // namespace restinio
