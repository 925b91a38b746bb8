// value_or() and opt_value(): read a route or query parameter that may be absent, converted
// with cast_to<T>.
//
// value_or( params, "page", 1 ) gives the default when the parameter is missing, and
// opt_value< int >( params, "page" ) an empty optional; a parameter that is present but not
// convertible throws exception_t in both. The get<T>( params, key ) helpers live next to their
// containers (router/express.hpp, uri_helpers.hpp); this header brings both in.
#pragma once

#include <restinio/cast_to.hpp>
#include <restinio/router/express.hpp>
#include <restinio/string_view.hpp>
#include <restinio/uri_helpers.hpp>

#include <optional>
#include <type_traits>
#include <utility>

namespace restinio
{

namespace impl
{

template< typename Parameter_Container >
inline constexpr bool is_parameter_container_v =
    std::is_same_v< Parameter_Container, router::route_params_t >
    || std::is_same_v< Parameter_Container, query_string_params_t >;

} // namespace impl

template< typename Value_Type, typename Parameter_Container >
[[nodiscard]] std::enable_if_t< impl::is_parameter_container_v< Parameter_Container >, Value_Type >
value_or( const Parameter_Container & params, string_view_t key, Value_Type default_value )
{
    const auto value = params.get_param( key );
    return value ? cast_to< Value_Type >( *value ) : std::move( default_value );
}

template< typename Value_Type, typename Parameter_Container >
[[nodiscard]] std::enable_if_t< impl::is_parameter_container_v< Parameter_Container >,
    std::optional< Value_Type > >
opt_value( const Parameter_Container & params, string_view_t key )
{
    const auto value = params.get_param( key );
    if( !value )
        return std::nullopt;
    return cast_to< Value_Type >( *value );
}

} // namespace restinio
