// The forms of a request target (RFC 9112 3.2) and the Host field's syntax, as the request parser
// needs them: an absolute-form target ("http://example.com/a?b") is split into its authority and
// the origin-form ("/a?b") a handler and a router expect, and a Host value is checked to be a
// uri-host with an optional port. Pure functions on string views; no allocation.
#pragma once

#include <restinio/string_view.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>

namespace restinio
{
namespace impl
{

// unreserved / sub-delims of RFC 3986 2.2 and 2.3: what a reg-name holds besides pct-encoded.
[[nodiscard]] constexpr bool is_reg_name_char( char c ) noexcept
{
    if( ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' ) )
        return true;
    switch( c )
    {
    case '-': case '.': case '_': case '~':
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',':
    case ';': case '=':
        return true;
    default:
        return false;
    }
}

[[nodiscard]] constexpr bool is_hex_digit( char c ) noexcept
{
    return ( c >= '0' && c <= '9' ) || ( c >= 'a' && c <= 'f' ) || ( c >= 'A' && c <= 'F' );
}

// uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2): a reg-name or IPv4 address, or an IP
// literal in brackets, then an optional port of digits. Empty is valid: a Host field may be
// empty when the target has no authority.
[[nodiscard]] inline bool is_valid_host( string_view_t host ) noexcept
{
    std::size_t i = 0;
    if( !host.empty() && '[' == host[ 0 ] )
    {
        const auto close = host.find( ']' );
        if( close == string_view_t::npos || close == 1 )
            return false;
        for( i = 1; i != close; ++i )
            if( !is_reg_name_char( host[ i ] ) && ':' != host[ i ] )
                return false;
        ++i;
    }
    else
    {
        for( ; i != host.size() && ':' != host[ i ]; ++i )
        {
            if( '%' == host[ i ] )
            {
                if( host.size() - i < 3 || !is_hex_digit( host[ i + 1 ] ) || !is_hex_digit( host[ i + 2 ] ) )
                    return false;
                i += 2;
            }
            else if( !is_reg_name_char( host[ i ] ) )
                return false;
        }
    }
    if( i == host.size() )
        return true;
    if( ':' != host[ i ] )
        return false;
    for( ++i; i != host.size(); ++i )
        if( host[ i ] < '0' || host[ i ] > '9' )
            return false;
    return true;
}

struct absolute_form_target_t
{
    string_view_t m_authority;          // "example.com:8080"
    string_view_t m_path_and_query;     // "/a?b", or "?b" or "" when the path is empty
};

// Splits an absolute-form target of the http or https scheme (the scheme ignoring case).
// nullopt for any other scheme, for an empty host (RFC 9110 4.2.1: such a URI is invalid), for
// userinfo (RFC 9110 4.2.4: to be treated as an error) and for an authority that is not a valid
// host and port.
[[nodiscard]] inline std::optional< absolute_form_target_t > split_absolute_form(
    string_view_t target ) noexcept
{
    const auto scheme_end = target.find( "://" );
    if( scheme_end == string_view_t::npos )
        return std::nullopt;
    const auto scheme = target.substr( 0, scheme_end );
    const auto is_scheme = [scheme]( string_view_t lower_case_name ) noexcept {
        if( scheme.size() != lower_case_name.size() )
            return false;
        for( std::size_t i = 0; i != scheme.size(); ++i )
            if( ( scheme[ i ] | 0x20 ) != lower_case_name[ i ] )
                return false;
        return true;
    };
    if( !is_scheme( "http" ) && !is_scheme( "https" ) )
        return std::nullopt;

    const auto rest = target.substr( scheme_end + 3 );
    const auto authority_end = std::min( rest.find_first_of( "/?#" ), rest.size() );
    const auto authority = rest.substr( 0, authority_end );
    // is_valid_host() refuses the '@' of userinfo.
    if( authority.empty() || ':' == authority[ 0 ] || !is_valid_host( authority ) )
        return std::nullopt;
    return absolute_form_target_t{ authority, rest.substr( authority_end ) };
}

} // namespace impl
} // namespace restinio
