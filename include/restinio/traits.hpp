// Server traits: which timer manager, logger, request handler, strand and socket a server uses.
// Users customise by deriving and hiding member types, so every part of the library reads
// `Traits::member`, never the template arguments of traits_t.
#pragma once

#include <restinio/asio_timer_manager.hpp>
#include <restinio/connection_state_listener.hpp>
#include <restinio/default_strands.hpp>
#include <restinio/ip_blocker.hpp>
#include <restinio/null_logger.hpp>
#include <restinio/request_handler.hpp>

#include <functional>
#include <type_traits>

namespace restinio
{

namespace details
{

// Marker: "use std::function< status( request_handle ) > as the request handler".
struct autodetect_request_handler_type {};

template< typename Request_Handler, typename Extra_Data >
struct actual_request_handler_type_detector
{
    using request_handle_t = generic_request_handle_t< Extra_Data >;
    static_assert(
        std::is_same_v<
            std::invoke_result_t< Request_Handler &, request_handle_t >,
            request_handling_status_t >,
        "the request handler must be callable as request_handling_status_t( request_handle_t )" );
    using request_handler_t = Request_Handler;
};

template< typename Extra_Data >
struct actual_request_handler_type_detector< autodetect_request_handler_type, Extra_Data >
{
    using request_handler_t =
        std::function< request_handling_status_t ( generic_request_handle_t< Extra_Data > ) >;
};

} // namespace details

template<
    typename Timer_Manager,
    typename Logger,
    typename Request_Handler = details::autodetect_request_handler_type,
    typename Strand = default_strand_t,
    typename Socket = asio_ns::ip::tcp::socket >
struct traits_t
{
    using http_methods_mapper_t = default_http_methods_t;
    using connection_state_listener_t = connection_state::noop_listener_t;
    using ip_blocker_t = ip_blocker::noop_ip_blocker_t;
    using timer_manager_t = Timer_Manager;
    using logger_t = Logger;
    using request_handler_t = Request_Handler;
    using strand_t = Strand;
    using stream_socket_t = Socket;
    static constexpr bool use_connection_count_limiter = false;
    using extra_data_factory_t = no_extra_data_factory_t;
};

template<
    typename Timer_Manager,
    typename Logger,
    typename Request_Handler = details::autodetect_request_handler_type >
using single_thread_traits_t =
    traits_t< Timer_Manager, Logger, Request_Handler, noop_strand_t >;

using default_traits_t = traits_t< asio_timer_manager_t, null_logger_t >;

using default_single_thread_traits_t =
    single_thread_traits_t< asio_timer_manager_t, null_logger_t >;

template< typename Traits >
using request_handler_type_from_traits_t =
    typename details::actual_request_handler_type_detector<
            typename Traits::request_handler_t,
            typename Traits::extra_data_factory_t::data_t >::request_handler_t;

template< typename Traits >
using generic_request_type_from_traits_t =
    generic_request_t< typename Traits::extra_data_factory_t::data_t >;

} // namespace restinio
