// The Express-style router: a request handler that picks the first registered route whose
// method matcher accepts the request's method and whose path pattern matches its path, and
// calls that route's handler with the parameters taken from the path (server.md 9).
//
// Routes are tried in registration order. Only the path takes part (query and fragment do
// not), after percent-encoded unreserved characters are decoded ("/%7Eme" is "/~me"). With no
// match the non-matched handler runs if one is set; otherwise the router returns
// request_not_handled(). express_router_t is a plain class on linear_regex_engine_t, so
// `rr::express_router_t` names a type without `<>` (a deliberate difference from RESTinio,
// see spec/README.md); generic_express_router_t takes another regex engine (such as
// std_regex_engine_t, RESTinio's default) or extra-data factory. Paths come from the network:
// the default engine matches in linear time without recursion, where std::regex can overflow
// the stack or backtrack for seconds.
#pragma once

#include <restinio/cast_to.hpp>
#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/http_headers.hpp>
#include <restinio/path2regex/path2regex.hpp>
#include <restinio/request_handler.hpp>
#include <restinio/router/linear_regex_engine.hpp>
#include <restinio/router/method_matcher.hpp>
#include <restinio/router/non_matched_request_handler.hpp>
#include <restinio/router/std_regex_engine.hpp>
#include <restinio/string_view.hpp>
#include <restinio/utils/percent_encoding.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace restinio
{

namespace router
{

namespace impl
{

struct route_params_accessor_t;

} // namespace impl

//
// route_params_t
//

// The parameters a route took from a request's path. Values are views into a copy of the
// (normalised) path that the object owns, and names are views into a buffer it shares with the
// route, so both stay valid as long as the route_params_t lives, even after the router is
// gone. Move-only, since a copy would have to re-point every view.
class route_params_t final
{
public:
    using named_parameters_container_t = std::vector< std::pair< string_view_t, string_view_t > >;
    using indexed_parameters_container_t = std::vector< string_view_t >;

    route_params_t() = default;
    route_params_t( route_params_t && ) = default;
    route_params_t & operator=( route_params_t && ) = default;
    route_params_t( const route_params_t & ) = delete;
    route_params_t & operator=( const route_params_t & ) = delete;

    // The part of the path that matched the route.
    [[nodiscard]] string_view_t match() const noexcept { return m_match; }

    // The value of a named parameter; throws exception_t "invalid parameter name: <key>".
    [[nodiscard]] string_view_t operator[]( string_view_t key ) const
    {
        const auto it = find_named( key );
        if( it == m_named_parameters.end() )
            throw exception_t{ "invalid parameter name: " + std::string{ key } };
        return it->second;
    }

    [[nodiscard]] bool has( string_view_t key ) const noexcept
    {
        return find_named( key ) != m_named_parameters.end();
    }

    [[nodiscard]] std::optional< string_view_t > get_param( string_view_t key ) const noexcept
    {
        const auto it = find_named( key );
        return it != m_named_parameters.end() ? std::optional< string_view_t >{ it->second }
                                              : std::nullopt;
    }

    // The value of an unnamed parameter; throws exception_t "invalid parameter index: <i>".
    [[nodiscard]] string_view_t operator[]( std::size_t i ) const
    {
        if( i >= m_indexed_parameters.size() )
            throw exception_t{ "invalid parameter index: " + std::to_string( i ) };
        return m_indexed_parameters[ i ];
    }

    [[nodiscard]] auto named_parameters_size() const noexcept { return m_named_parameters.size(); }
    [[nodiscard]] auto indexed_parameters_size() const noexcept
    {
        return m_indexed_parameters.size();
    }

private:
    friend struct impl::route_params_accessor_t;

    named_parameters_container_t::const_iterator find_named( string_view_t key ) const noexcept
    {
        return std::find_if( m_named_parameters.begin(), m_named_parameters.end(),
            [key]( const auto & p ) noexcept { return p.first == key; } );
    }

    // A char array rather than a std::string: moving a short std::string copies its bytes
    // (small-string optimisation) and would leave every view dangling.
    std::unique_ptr< char[] > m_path;
    std::shared_ptr< const std::string > m_names_buffer;
    string_view_t m_match;
    named_parameters_container_t m_named_parameters;
    indexed_parameters_container_t m_indexed_parameters;
};

template< typename Extra_Data >
using generic_express_request_handler_t = std::function<
    request_handling_status_t( generic_request_handle_t< Extra_Data >, route_params_t ) >;

using express_request_handler_t = generic_express_request_handler_t< no_extra_data_factory_t::data_t >;

namespace impl
{

// How the router fills route_params_t, and how tests look inside one.
struct route_params_accessor_t
{
    static void match(
        route_params_t & rp,
        std::unique_ptr< char[] > path,
        std::shared_ptr< const std::string > names_buffer,
        string_view_t whole_match,
        route_params_t::named_parameters_container_t named_parameters,
        route_params_t::indexed_parameters_container_t indexed_parameters )
    {
        rp.m_path = std::move( path );
        rp.m_names_buffer = std::move( names_buffer );
        rp.m_match = whole_match;
        rp.m_named_parameters = std::move( named_parameters );
        rp.m_indexed_parameters = std::move( indexed_parameters );
    }

    static const auto & named_parameters( const route_params_t & rp ) noexcept
    {
        return rp.m_named_parameters;
    }

    static const auto & indexed_parameters( const route_params_t & rp ) noexcept
    {
        return rp.m_indexed_parameters;
    }
};

// The request's path, normalised once per request and tried against every route; the route
// that matches takes the buffer into its route_params_t.
class target_path_holder_t
{
public:
    explicit target_path_holder_t( string_view_t path )
        : m_size{ utils::uri_normalization::unreserved_chars::estimate_required_capacity( path ) }
        , m_data{ new char[ m_size ] }
    {
        if( m_size == path.size() )
            std::copy( path.begin(), path.end(), m_data.get() );
        else
            utils::uri_normalization::unreserved_chars::normalize_to( path, m_data.get() );
    }

    [[nodiscard]] string_view_t view() const noexcept { return { m_data.get(), m_size }; }

    // Empties the holder; call view() no more.
    [[nodiscard]] std::unique_ptr< char[] > giveout_data() noexcept { return std::move( m_data ); }

private:
    std::size_t m_size;
    std::unique_ptr< char[] > m_data;
};

// A route's method matcher and compiled path pattern.
template< typename Regex_Engine >
class route_matcher_t
{
public:
    route_matcher_t(
        std::unique_ptr< method_matcher_t > method_matcher,
        path2regex::route_regex_matcher_data_t< Regex_Engine > data )
        : m_method_matcher{ std::move( method_matcher ) }
        , m_data{ std::move( data ) }
    {}

    // On a match fills params (taking the path buffer) and returns true.
    [[nodiscard]] bool operator()(
        const http_request_header_t & h,
        target_path_holder_t & target_path,
        route_params_t & params ) const
    {
        return m_method_matcher->match( h.method() ) && match_route( target_path, params );
    }

private:
    bool match_route( target_path_holder_t & target_path, route_params_t & params ) const
    {
        typename Regex_Engine::match_results_t matches;
        if( !Regex_Engine::try_match( target_path.view(), m_data.m_regex, matches ) )
            return false;

        auto path = target_path.giveout_data();
        const auto view_of = [base = path.get()]( const auto & item ) noexcept {
            const std::size_t begin = Regex_Engine::submatch_begin_pos( item );
            return string_view_t{ base + begin, Regex_Engine::submatch_end_pos( item ) - begin };
        };

        route_params_t::named_parameters_container_t named;
        route_params_t::indexed_parameters_container_t indexed;
        const auto & slots = m_data.m_param_slots;
        for( std::size_t i = 0; i != slots.size(); ++i )
        {
            // Some engines leave out trailing groups that took no part; those are empty.
            const string_view_t value =
                i + 1 < matches.size() ? view_of( matches[ i + 1 ] ) : string_view_t{};
            if( slots[ i ].named )
                named.emplace_back( slots[ i ].name, value );
            else
                indexed.push_back( value );
        }

        const string_view_t whole = view_of( matches[ 0 ] );
        route_params_accessor_t::match( params, std::move( path ), m_data.m_names_buffer, whole,
            std::move( named ), std::move( indexed ) );
        return true;
    }

    std::unique_ptr< method_matcher_t > m_method_matcher;
    path2regex::route_regex_matcher_data_t< Regex_Engine > m_data;
};

} // namespace impl

//
// generic_express_route_entry_t
//

// One route: method matcher, path pattern and handler. Usable alone when only one route is
// needed. Move-only.
template< typename Regex_Engine, typename Extra_Data_Factory = no_extra_data_factory_t >
class generic_express_route_entry_t
{
public:
    using actual_request_handle_t = generic_request_handle_t< typename Extra_Data_Factory::data_t >;
    using actual_request_handler_t =
        generic_express_request_handler_t< typename Extra_Data_Factory::data_t >;

    // Throws exception_t for a malformed route.
    template< typename Method_Matcher >
    generic_express_route_entry_t(
        Method_Matcher && method_matcher,
        string_view_t route_path,
        const path2regex::options_t & options,
        actual_request_handler_t handler )
        : m_matcher{ impl::make_method_matcher( std::forward< Method_Matcher >( method_matcher ) ),
                     path2regex::path2regex< Regex_Engine >( route_path, options ) }
        , m_handler{ std::move( handler ) }
    {}

    template< typename Method_Matcher >
    generic_express_route_entry_t(
        Method_Matcher && method_matcher,
        string_view_t route_path,
        actual_request_handler_t handler )
        : generic_express_route_entry_t{ std::forward< Method_Matcher >( method_matcher ),
                                         route_path, path2regex::options_t{}, std::move( handler ) }
    {}

    generic_express_route_entry_t( generic_express_route_entry_t && ) = default;
    generic_express_route_entry_t & operator=( generic_express_route_entry_t && ) = default;
    generic_express_route_entry_t( const generic_express_route_entry_t & ) = delete;
    generic_express_route_entry_t & operator=( const generic_express_route_entry_t & ) = delete;

    // True if the request's method and path fit; then params holds the parameters.
    [[nodiscard]] bool match(
        const http_request_header_t & h,
        impl::target_path_holder_t & target_path,
        route_params_t & params ) const
    {
        return m_matcher( h, target_path, params );
    }

    [[nodiscard]] request_handling_status_t handle(
        actual_request_handle_t req, route_params_t params ) const
    {
        return m_handler( std::move( req ), std::move( params ) );
    }

private:
    impl::route_matcher_t< Regex_Engine > m_matcher;
    actual_request_handler_t m_handler;
};

template< typename Regex_Engine = linear_regex_engine_t >
using express_route_entry_t = generic_express_route_entry_t< Regex_Engine, no_extra_data_factory_t >;

//
// generic_express_router_t
//

// The router, as a request handler for the server. Routes are added before the server runs;
// operator() is const and may then be called from several threads at once.
template< typename Regex_Engine, typename Extra_Data_Factory = no_extra_data_factory_t >
class generic_express_router_t
{
public:
    using actual_request_handle_t = generic_request_handle_t< typename Extra_Data_Factory::data_t >;
    using actual_request_handler_t =
        generic_express_request_handler_t< typename Extra_Data_Factory::data_t >;
    using non_matched_handler_t =
        generic_non_matched_request_handler_t< typename Extra_Data_Factory::data_t >;

    generic_express_router_t() = default;
    generic_express_router_t( generic_express_router_t && ) = default;
    generic_express_router_t & operator=( generic_express_router_t && ) = default;

    [[nodiscard]] request_handling_status_t operator()( actual_request_handle_t req ) const
    {
        impl::target_path_holder_t target_path{ req->header().path() };
        route_params_t params;
        for( const auto & entry : m_handlers )
            if( entry.match( req->header(), target_path, params ) )
                return entry.handle( std::move( req ), std::move( params ) );

        if( m_non_matched_request_handler )
            return m_non_matched_request_handler( std::move( req ) );
        return request_not_handled();
    }

    // Method_Matcher: an http_method_id_t, any_of_methods(...), none_of_methods(...), or a
    // method_matcher_t subclass. Throws exception_t for a malformed route.
    template< typename Method_Matcher >
    void add_handler(
        Method_Matcher && method_matcher,
        string_view_t route_path,
        actual_request_handler_t handler )
    {
        add_handler( std::forward< Method_Matcher >( method_matcher ), route_path,
            path2regex::options_t{}, std::move( handler ) );
    }

    template< typename Method_Matcher >
    void add_handler(
        Method_Matcher && method_matcher,
        string_view_t route_path,
        const path2regex::options_t & options,
        actual_request_handler_t handler )
    {
        m_handlers.emplace_back( std::forward< Method_Matcher >( method_matcher ), route_path,
            options, std::move( handler ) );
    }

    void http_delete( string_view_t route_path, actual_request_handler_t handler )
    {
        add_handler( http_method_delete(), route_path, std::move( handler ) );
    }
    void http_delete( string_view_t route_path, const path2regex::options_t & options,
        actual_request_handler_t handler )
    {
        add_handler( http_method_delete(), route_path, options, std::move( handler ) );
    }

    void http_get( string_view_t route_path, actual_request_handler_t handler )
    {
        add_handler( http_method_get(), route_path, std::move( handler ) );
    }
    void http_get( string_view_t route_path, const path2regex::options_t & options,
        actual_request_handler_t handler )
    {
        add_handler( http_method_get(), route_path, options, std::move( handler ) );
    }

    void http_head( string_view_t route_path, actual_request_handler_t handler )
    {
        add_handler( http_method_head(), route_path, std::move( handler ) );
    }
    void http_head( string_view_t route_path, const path2regex::options_t & options,
        actual_request_handler_t handler )
    {
        add_handler( http_method_head(), route_path, options, std::move( handler ) );
    }

    void http_post( string_view_t route_path, actual_request_handler_t handler )
    {
        add_handler( http_method_post(), route_path, std::move( handler ) );
    }
    void http_post( string_view_t route_path, const path2regex::options_t & options,
        actual_request_handler_t handler )
    {
        add_handler( http_method_post(), route_path, options, std::move( handler ) );
    }

    void http_put( string_view_t route_path, actual_request_handler_t handler )
    {
        add_handler( http_method_put(), route_path, std::move( handler ) );
    }
    void http_put( string_view_t route_path, const path2regex::options_t & options,
        actual_request_handler_t handler )
    {
        add_handler( http_method_put(), route_path, options, std::move( handler ) );
    }

    void non_matched_request_handler( non_matched_handler_t nmrh )
    {
        m_non_matched_request_handler = std::move( nmrh );
    }

private:
    std::vector< generic_express_route_entry_t< Regex_Engine, Extra_Data_Factory > > m_handlers;
    non_matched_handler_t m_non_matched_request_handler;
};

// The router the seed sample names as `rr::express_router_t`: a class, not an alias template.
class express_router_t
    : public generic_express_router_t< linear_regex_engine_t, no_extra_data_factory_t >
{
public:
    using generic_express_router_t::generic_express_router_t;
};

} // namespace router

//
// get<T>( route_params_t, key | index )
//

// A route parameter converted with cast_to<T>; throws exception_t for a missing parameter or a
// bad value. (RESTinio declares these, but its bodies do not compile.) They live beside
// `using std::get` in namespace restinio, and only take route_params_t, so std::get<0>( tuple )
// is unaffected.
template< typename Value_Type >
[[nodiscard]] Value_Type get( const router::route_params_t & params, string_view_t key )
{
    return cast_to< Value_Type >( params[ key ] );
}

template< typename Value_Type >
[[nodiscard]] Value_Type get( const router::route_params_t & params, std::size_t index )
{
    return cast_to< Value_Type >( params[ index ] );
}

} // namespace restinio
