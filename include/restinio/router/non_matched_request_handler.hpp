// The handler an express router calls when no route matched a request.
//
// It gets the request alone (there are no route parameters) and answers like any request
// handler; without one the router returns request_not_handled() and the server sends 501.
#pragma once

#include <restinio/common_types.hpp>
#include <restinio/request_handler.hpp>

#include <functional>

namespace restinio
{

namespace router
{

template< typename Extra_Data >
using generic_non_matched_request_handler_t =
    std::function< request_handling_status_t( generic_request_handle_t< Extra_Data > ) >;

using non_matched_request_handler_t =
    generic_non_matched_request_handler_t< no_extra_data_factory_t::data_t >;

} // namespace router

} // namespace restinio
