// Query strings: parse_query() splits "a=1&b=x%20y" into decoded name/value pairs, and
// query_string_params_t holds them (server.md 10).
//
// The traits say which characters may appear unescaped and how strict the structure is:
//   restinio_defaults      RFC 3986 unreserved characters; '&' or ';' between items; an item
//                          without '=' only as the whole query (a "tag" or web beacon, "?tag").
//   javascript_compatible  the same, plus what encodeURIComponent leaves alone: ! ' ( ) *
//   x_www_form_urlencoded  the form serializer's set (ALPHA DIGIT * - . _); '&' only; empty
//                          items are skipped and "name" alone means an empty value.
//   relaxed                any character but '%' and '+' unescaped; '&' or ';'; empty items
//                          skipped; "name" alone means an empty value.
// All of them decode %XX and turn '+' into a space. parse_query() throws exception_t on bad
// input. try_parse_query() does not throw for bad input: it returns parse_query_result_t, a
// small expected-like type (has_value(), operator bool, *, ->, value(), error()), because
// expected-lite is not available here; error() is a parse_query_failure_t with description(),
// as RESTinio's. Values are views into a buffer the params object owns, so it is move-only.
#pragma once

#include <restinio/cast_to.hpp>
#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>
#include <restinio/utils/percent_encoding.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace restinio
{

//
// query_string_params_t
//

class query_string_params_t final
{
public:
    using parameters_container_t = std::vector< std::pair< string_view_t, string_view_t > >;

    // Name/value pairs (possibly none).
    query_string_params_t( std::unique_ptr< char[] > data_buffer, parameters_container_t parameters )
        : m_data_buffer{ std::move( data_buffer ) }
        , m_parameters{ std::move( parameters ) }
    {}

    // A query that is a lone tag, "?tag".
    query_string_params_t( std::unique_ptr< char[] > data_buffer, std::optional< string_view_t > tag )
        : m_data_buffer{ std::move( data_buffer ) }
        , m_tag{ tag }
    {}

    query_string_params_t( query_string_params_t && ) = default;
    query_string_params_t & operator=( query_string_params_t && ) = default;
    query_string_params_t( const query_string_params_t & ) = delete;
    query_string_params_t & operator=( const query_string_params_t & ) = delete;

    // The value of the first parameter with that name; throws exception_t
    // "unable to find parameter \"<key>\"".
    [[nodiscard]] string_view_t operator[]( string_view_t key ) const
    {
        const auto it = find( key );
        if( it == m_parameters.end() )
            throw exception_t{ "unable to find parameter \"" + std::string{ key } + "\"" };
        return it->second;
    }

    [[nodiscard]] bool has( string_view_t key ) const noexcept { return find( key ) != m_parameters.end(); }

    [[nodiscard]] std::optional< string_view_t > get_param( string_view_t key ) const noexcept
    {
        const auto it = find( key );
        return it != m_parameters.end() ? std::optional< string_view_t >{ it->second } : std::nullopt;
    }

    [[nodiscard]] auto size() const noexcept { return m_parameters.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_parameters.empty(); }

    [[nodiscard]] parameters_container_t::const_iterator begin() const noexcept
    {
        return m_parameters.begin();
    }
    [[nodiscard]] parameters_container_t::const_iterator end() const noexcept
    {
        return m_parameters.end();
    }

    // The tag of a query such as "?tag"; empty for any other query.
    [[nodiscard]] std::optional< string_view_t > tag() const noexcept { return m_tag; }

private:
    parameters_container_t::const_iterator find( string_view_t key ) const noexcept
    {
        return std::find_if( m_parameters.begin(), m_parameters.end(),
            [key]( const auto & p ) noexcept { return p.first == key; } );
    }

    std::unique_ptr< char[] > m_data_buffer;
    parameters_container_t m_parameters;
    std::optional< string_view_t > m_tag;
};

// A query parameter converted with cast_to<T>; throws exception_t if missing or malformed.
template< typename Value_Type >
[[nodiscard]] Value_Type get( const query_string_params_t & params, string_view_t key )
{
    return cast_to< Value_Type >( params[ key ] );
}

//
// parse_query_traits
//

namespace parse_query_traits
{

struct restinio_defaults : public utils::restinio_default_unescape_traits
{
    static constexpr string_view_t separators{ "&;" };
    static constexpr bool skip_empty_items = false;
    static constexpr bool names_without_values = false;
};

struct javascript_compatible : public utils::javascript_compatible_unescape_traits
{
    static constexpr string_view_t separators{ "&;" };
    static constexpr bool skip_empty_items = false;
    static constexpr bool names_without_values = false;
};

struct x_www_form_urlencoded : public utils::x_www_form_urlencoded_unescape_traits
{
    static constexpr string_view_t separators{ "&" };
    static constexpr bool skip_empty_items = true;
    static constexpr bool names_without_values = true;
};

struct relaxed : public utils::relaxed_unescape_traits
{
    static constexpr string_view_t separators{ "&;" };
    static constexpr bool skip_empty_items = true;
    static constexpr bool names_without_values = true;
};

} // namespace parse_query_traits

//
// parse_query_failure_t, parse_query_result_t
//

// Why a query string could not be parsed.
class parse_query_failure_t
{
public:
    explicit parse_query_failure_t( std::string description )
        : m_description{ std::move( description ) }
    {}

    [[nodiscard]] const std::string & description() const noexcept { return m_description; }
    [[nodiscard]] std::string giveout_description() noexcept { return std::move( m_description ); }

private:
    std::string m_description;
};

// Either the parameters or the failure; the part of expected<T, E> that callers use.
class parse_query_result_t
{
public:
    parse_query_result_t( query_string_params_t params ) : m_value{ std::move( params ) } {}
    parse_query_result_t( parse_query_failure_t failure ) : m_value{ std::move( failure ) } {}

    [[nodiscard]] bool has_value() const noexcept { return m_value.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    // Throws exception_t with the failure's description if there is no value.
    [[nodiscard]] query_string_params_t & value() &
    {
        throw_if_failed();
        return std::get< 0 >( m_value );
    }
    [[nodiscard]] const query_string_params_t & value() const &
    {
        throw_if_failed();
        return std::get< 0 >( m_value );
    }
    [[nodiscard]] query_string_params_t && value() &&
    {
        throw_if_failed();
        return std::get< 0 >( std::move( m_value ) );
    }

    [[nodiscard]] query_string_params_t & operator*() & noexcept { return *std::get_if< 0 >( &m_value ); }
    [[nodiscard]] const query_string_params_t & operator*() const & noexcept
    {
        return *std::get_if< 0 >( &m_value );
    }
    [[nodiscard]] query_string_params_t && operator*() && noexcept
    {
        return std::move( *std::get_if< 0 >( &m_value ) );
    }
    [[nodiscard]] query_string_params_t * operator->() noexcept { return std::get_if< 0 >( &m_value ); }
    [[nodiscard]] const query_string_params_t * operator->() const noexcept
    {
        return std::get_if< 0 >( &m_value );
    }

    // Only when has_value() is false.
    [[nodiscard]] const parse_query_failure_t & error() const & noexcept
    {
        return *std::get_if< 1 >( &m_value );
    }
    [[nodiscard]] parse_query_failure_t & error() & noexcept { return *std::get_if< 1 >( &m_value ); }

private:
    void throw_if_failed() const
    {
        if( !has_value() )
            throw exception_t{ std::get< 1 >( m_value ).description() };
    }

    std::variant< query_string_params_t, parse_query_failure_t > m_value;
};

namespace impl
{

[[nodiscard]] inline parse_query_failure_t make_query_failure(
    string_view_t query, std::size_t pos, const char * what )
{
    std::string text{ "invalid query string '" };
    text.append( query.data(), query.size() );
    text += "': ";
    text += what;
    text += " at position ";
    text += std::to_string( pos );
    return parse_query_failure_t{ text };
}

} // namespace impl

//
// try_parse_query, parse_query
//

// Parses the query part of a request target (without the '?'). Never throws for bad input.
template< typename Traits = parse_query_traits::restinio_defaults >
[[nodiscard]] parse_query_result_t try_parse_query( string_view_t original_query_string )
{
    query_string_params_t::parameters_container_t parameters;
    if( original_query_string.empty() )
        return query_string_params_t{ std::unique_ptr< char[] >{}, std::move( parameters ) };

    // Decoding only ever shrinks text, so it is done in place in one copy of the query.
    const std::size_t size = original_query_string.size();
    std::unique_ptr< char[] > buffer{ new char[ size ] };
    std::memcpy( buffer.get(), original_query_string.data(), size );
    char * const data = buffer.get();

    // Decodes [from, to) in place; nullopt and `failure` set if it is malformed.
    std::optional< parse_query_failure_t > failure;
    const auto decode = [&]( std::size_t from, std::size_t to ) -> std::optional< string_view_t > {
        const auto r = utils::impl::unescape_to< Traits >( data + from, to - from, data + from );
        if( r.error )
        {
            failure = impl::make_query_failure( original_query_string, from + r.error_pos, r.error );
            return std::nullopt;
        }
        return string_view_t{ data + from, r.size };
    };

    const string_view_t query{ data, size };
    std::size_t pos = 0;
    while( pos < size )     // a trailing separator ends the query, as in RESTinio
    {
        std::size_t item_end = query.find_first_of( Traits::separators, pos );
        if( item_end == string_view_t::npos )
            item_end = size;

        if( item_end == pos )
        {
            if( !Traits::skip_empty_items )
                return impl::make_query_failure( original_query_string, pos, "empty parameter" );
            pos = item_end + 1;
            continue;
        }

        const std::size_t eq = query.substr( 0, item_end ).find( '=', pos );
        if( eq == string_view_t::npos )
        {
            if constexpr( Traits::names_without_values )
            {
                const auto name = decode( pos, item_end );
                if( !name )
                    return std::move( *failure );
                parameters.emplace_back( *name, string_view_t{} );
            }
            else
            {
                if( pos != 0 || item_end != size )
                    return impl::make_query_failure(
                        original_query_string, pos, "no '=' in a parameter" );
                const auto tag = decode( pos, item_end );
                if( !tag )
                    return std::move( *failure );
                return query_string_params_t{ std::move( buffer ), tag };
            }
        }
        else
        {
            const auto name = decode( pos, eq );
            if( !name )
                return std::move( *failure );
            const auto value = decode( eq + 1, item_end );
            if( !value )
                return std::move( *failure );
            parameters.emplace_back( *name, *value );
        }
        pos = item_end + 1;
    }
    return query_string_params_t{ std::move( buffer ), std::move( parameters ) };
}

// As try_parse_query, but throws exception_t with the failure's description.
template< typename Traits = parse_query_traits::restinio_defaults >
[[nodiscard]] query_string_params_t parse_query( string_view_t original_query_string )
{
    auto result = try_parse_query< Traits >( original_query_string );
    return std::move( result ).value();
}

} // namespace restinio
