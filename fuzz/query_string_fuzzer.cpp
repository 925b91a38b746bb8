// libFuzzer target for query strings and percent-encoding (uri_helpers.hpp,
// utils/percent_encoding.hpp): the input is one query string, or path, run through all four
// parse_query traits.
//
// For each traits type:
//   - unescaping agrees with a reference decoder written here, and its throwing, try_ and
//     in-place forms agree with each other; escaping anything and unescaping it gives it back;
//   - try_parse_query() agrees with a reference parser written here from the rules in
//     uri_helpers.hpp (names, values and tag, or failure), parse_query() throws exception_t
//     with the same description exactly when it fails, and the parameters, escaped and joined
//     again, parse back to the same parameters (the tag to the same tag).
// And for path normalisation (what the router matches against): the size estimate is exact,
// only escapes of unreserved characters are decoded, and for a path whose escapes are all
// well formed, normalising changes neither its fully decoded form nor itself a second time.
#include <restinio/uri_helpers.hpp>

#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace
{

namespace pqt = restinio::parse_query_traits;
namespace ru = restinio::utils;

int
hex_digit( char c )
{
    if( '0' <= c && c <= '9' )
        return c - '0';
    if( 'a' <= c && c <= 'f' )
        return c - 'a' + 10;
    if( 'A' <= c && c <= 'F' )
        return c - 'A' + 10;
    return -1;
}

bool
is_unreserved( char c )
{
    return ( 'a' <= c && c <= 'z' ) || ( 'A' <= c && c <= 'Z' ) || ( '0' <= c && c <= '9' ) ||
            std::string_view{ "-._~" }.find( c ) != std::string_view::npos;
}

// The escape at i, if there is a well-formed one.
std::optional< char >
escape_at( std::string_view s, std::size_t i )
{
    if( '%' != s[ i ] || s.size() - i < 3 || hex_digit( s[ i + 1 ] ) < 0 || hex_digit( s[ i + 2 ] ) < 0 )
        return std::nullopt;
    return static_cast< char >( hex_digit( s[ i + 1 ] ) * 16 + hex_digit( s[ i + 2 ] ) );
}

template< typename Traits >
std::optional< std::string >
reference_unescape( std::string_view s )
{
    std::string out;
    for( std::size_t i = 0; i < s.size(); ++i )
    {
        if( const auto e = escape_at( s, i ) )
        {
            out += *e;
            i += 2;
        }
        else if( '+' == s[ i ] )
            out += ' ';
        else if( '%' != s[ i ] && Traits::ordinary_char( s[ i ] ) )
            out += s[ i ];
        else
            return std::nullopt;
    }
    return out;
}

// What every traits type leaves unescaped.
struct alnum_only_traits_t
{
    static constexpr bool ordinary_char( char c ) noexcept
    {
        return ( 'a' <= c && c <= 'z' ) || ( 'A' <= c && c <= 'Z' ) || ( '0' <= c && c <= '9' );
    }
};

struct parsed_query_t
{
    bool ok = false;
    std::vector< std::pair< std::string, std::string > > params;
    std::optional< std::string > tag;

    bool operator==( const parsed_query_t & o ) const
    {
        return ok == o.ok && params == o.params && tag == o.tag;
    }
};

// The rules uri_helpers.hpp states: items between separators; a trailing separator ends the
// query; empty items skipped or refused; "name" alone an empty value, or a tag if it is the
// whole query, or refused; names and values unescaped.
template< typename Traits >
parsed_query_t
reference_parse( std::string_view q )
{
    parsed_query_t r;
    std::vector< std::string_view > items;
    for( std::size_t pos = 0; pos < q.size(); )
    {
        const std::size_t end = std::min( q.find_first_of( Traits::separators, pos ), q.size() );
        items.push_back( q.substr( pos, end - pos ) );
        pos = end + 1;
    }
    for( const auto item : items )
    {
        if( item.empty() )
        {
            if( Traits::skip_empty_items )
                continue;
            return {};
        }
        const auto eq = item.find( '=' );
        const auto name = reference_unescape< Traits >( item.substr( 0, eq ) );
        if( !name )
            return {};
        if( eq != std::string_view::npos )
        {
            const auto value = reference_unescape< Traits >( item.substr( eq + 1 ) );
            if( !value )
                return {};
            r.params.emplace_back( *name, *value );
        }
        else if( Traits::names_without_values )
            r.params.emplace_back( *name, std::string{} );
        else if( item.size() == q.size() )
            r.tag = *name;
        else
            return {};
    }
    r.ok = true;
    return r;
}

template< typename Traits >
parsed_query_t
parse( std::string_view q )
{
    auto result = restinio::try_parse_query< Traits >( q );
    std::optional< std::string > thrown;
    try { (void)restinio::parse_query< Traits >( q ); }
    catch( const restinio::exception_t & e ) { thrown = e.what(); }
    FUZZ_REQUIRE( result.has_value() != thrown.has_value() );
    parsed_query_t r;
    if( !result )
    {
        // what() is a C string: a NUL in the query ends it.
        FUZZ_REQUIRE( *thrown == result.error().description().c_str() );
        return r;
    }
    r.ok = true;
    for( const auto & [ name, value ] : *result )
        r.params.emplace_back( name, value );
    if( const auto tag = result->tag() )
    {
        FUZZ_REQUIRE( result->empty() );
        r.tag = std::string{ *tag };
    }
    return r;
}

template< typename Traits >
void
check_traits( std::string_view s )
{
    // Unescaping, in its three forms.
    const auto expected = reference_unescape< Traits >( s );
    const auto tried = ru::try_unescape_percent_encoding< Traits >( s );
    FUZZ_REQUIRE( tried == expected );
    std::optional< std::string > thrown;
    try { thrown = ru::unescape_percent_encoding< Traits >( s ); }
    catch( const restinio::exception_t & ) {}
    FUZZ_REQUIRE( thrown == expected );
    std::unique_ptr< char[] > buffer{ new char[ s.size() ] };
    std::copy( s.begin(), s.end(), buffer.get() );
    try
    {
        const std::size_t n = ru::inplace_unescape_percent_encoding< Traits >( buffer.get(), s.size() );
        FUZZ_REQUIRE( expected && std::string_view( buffer.get(), n ) == *expected );
    }
    catch( const restinio::exception_t & ) { FUZZ_REQUIRE( !expected ); }

    // Escaping anything is undone by unescaping.
    const std::string escaped = ru::escape_percent_encoding< Traits >( s );
    FUZZ_REQUIRE( ru::try_unescape_percent_encoding< Traits >( escaped ) == std::string{ s } );

    // Query strings.
    const parsed_query_t parsed = parse< Traits >( s );
    FUZZ_REQUIRE( parsed == reference_parse< Traits >( s ) );
    if( !parsed.ok )
        return;
    // Escaped for the strictest traits: the relaxed ones would leave '&', ';' and '=' as they are.
    using strictest_t = alnum_only_traits_t;
    std::string again;
    if( parsed.tag )
        again = ru::escape_percent_encoding< strictest_t >( *parsed.tag );
    for( const auto & [ name, value ] : parsed.params )
        again += ( again.empty() ? "" : "&" ) + ru::escape_percent_encoding< strictest_t >( name ) + "=" +
                ru::escape_percent_encoding< strictest_t >( value );
    FUZZ_REQUIRE( parse< Traits >( again ) == parsed );
}

std::string
normalized( std::string_view s )
{
    namespace un = ru::uri_normalization::unreserved_chars;
    const std::size_t size = un::estimate_required_capacity( s );
    // Exact size on the heap: ASan sees a write past the estimate.
    std::unique_ptr< char[] > out{ new char[ size ] };
    un::normalize_to( s, out.get() );
    return std::string( out.get(), size );
}

void
check_normalization( std::string_view s )
{
    std::string reference;
    bool well_formed = true;
    std::string decoded;
    for( std::size_t i = 0; i < s.size(); ++i )
    {
        const auto e = escape_at( s, i );
        well_formed &= '%' != s[ i ] || e.has_value();
        decoded += e ? *e : s[ i ];
        if( e && is_unreserved( *e ) )
            reference += *e;
        else
            reference.append( s.substr( i, e ? 3 : 1 ) );
        i += e ? 2 : 0;
    }
    const std::string n = normalized( s );
    FUZZ_REQUIRE( n == reference );
    if( !well_formed )
        return;
    FUZZ_REQUIRE( normalized( n ) == n );
    std::string decoded_n;
    for( std::size_t i = 0; i < n.size(); ++i )
    {
        const auto e = escape_at( n, i );
        decoded_n += e ? *e : n[ i ];
        i += e ? 2 : 0;
    }
    FUZZ_REQUIRE( decoded_n == decoded );
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    const std::string_view s{ reinterpret_cast< const char * >( data ), size };
    check_traits< pqt::restinio_defaults >( s );
    check_traits< pqt::javascript_compatible >( s );
    check_traits< pqt::x_www_form_urlencoded >( s );
    check_traits< pqt::relaxed >( s );
    check_normalization( s );
    return 0;
}
