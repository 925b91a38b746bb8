// libFuzzer target for the express router (router/express.hpp) and path2regex, with both the
// routes and the request target taken from the input.
//
// Input layout: an options byte (bit 0 sensitive, bit 1 strict, bit 2 not ending, bits 4-7:
// route i takes POST instead of GET), then lines: up to four routes and, last, the request
// target of a GET request. Inside a route's own regex patterns "(...)" the fuzzer drops
// quantifiers, alternation and back-references ('*', '+', '{', '|', '?' but in "(?", "\1"):
// routes are written by the application, and std::regex backtracks exponentially on patterns
// such as "(a|a)*", which is no finding about this code. Routes keep at most six parameters,
// and std::regex, the reference, only judges a path when backtracking over it is cheap (see
// reference_affordable); the router's own engine is linear, and is checked on every path.
//
// Checks:
//   - a route is accepted or refused (exception_t, nothing else) alike by make_route_regex()
//     with std::regex and by add_handler(), except that the router's engine may refuse syntax
//     it does not run ("unsupported route regex"); an accepted route's regex has one capture
//     group per key;
//   - the router runs the first route whose method fits and whose regex, compiled here on its
//     own, matches the path normalised by a reference written here; the handler gets that
//     match and those groups as parameters (names from the keys, unnamed ones by index), as
//     views into the match; with ending() the match is the whole path;
//   - without sensitive(), the path in upper or lower case takes the same route.
#include <restinio/router/express.hpp>

#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace
{

namespace rr = restinio::router;
namespace p2r = restinio::path2regex;

constexpr std::size_t max_routes = 4;

constexpr std::size_t max_params = 6;

bool
is_name_char( char c )
{
    return ( 'a' <= c && c <= 'z' ) || ( 'A' <= c && c <= 'Z' ) || ( '0' <= c && c <= '9' ) || '_' == c;
}

// The index just past the group that opens at `open`, escapes skipped.
std::size_t
past_group( std::string_view route, std::size_t open )
{
    std::size_t depth = 0;
    for( std::size_t i = open; i < route.size(); ++i )
    {
        if( '\\' == route[ i ] )
            ++i;
        else if( '(' == route[ i ] )
            ++depth;
        else if( ')' == route[ i ] && 0 == --depth )
            return i + 1;
    }
    return route.size();
}

std::string
tame_route( std::string_view route )
{
    std::string out;
    std::size_t depth = 0;
    std::size_t params = 0;
    bool after_name = false;    // just after a parameter's name: a '(' is its pattern
    for( std::size_t i = 0; i < route.size(); ++i )
    {
        const char c = route[ i ];
        const bool name_char = is_name_char( c );
        if( !name_char )
            after_name = after_name && '(' == c;
        if( '\\' == c && i + 1 < route.size() )
        {
            // A back-reference: a long one overflows inside libstdc++'s regex compiler.
            if( 0 != depth && '0' <= route[ i + 1 ] && route[ i + 1 ] <= '9' )
            {
                ++i;
                continue;
            }
            out += c;
            out += route[ ++i ];
            continue;
        }
        if( 0 == depth && ':' == c && i + 1 < route.size() && is_name_char( route[ i + 1 ] ) )
        {
            after_name = params != max_params;
            out += after_name ? ':' : '_';
            params += after_name ? 1 : 0;
            continue;
        }
        if( 0 == depth && '(' == c && !after_name && params++ == max_params )
        {
            --params;
            i = past_group( route, i ) - 1;
            continue;
        }
        if( '(' == c )
            ++depth;
        else if( ')' == c && 0 != depth )
            --depth;
        else if( 0 != depth && ( std::string_view{ "*+{|" }.find( c ) != std::string_view::npos ||
                ( '?' == c && ( out.empty() || '(' != out.back() ) ) ) )
            continue;
        out += c;
    }
    return out;
}

bool
is_hex( char c )
{
    return ( '0' <= c && c <= '9' ) || ( 'a' <= c && c <= 'f' ) || ( 'A' <= c && c <= 'F' );
}

// RFC 3986 6.2.2.2: "%XX" of an unreserved character is that character; nothing else changes.
std::string
reference_normalized( std::string_view path )
{
    std::string out;
    for( std::size_t i = 0; i < path.size(); ++i )
    {
        if( '%' == path[ i ] && i + 2 < path.size() && is_hex( path[ i + 1 ] ) && is_hex( path[ i + 2 ] ) )
        {
            const char c = static_cast< char >( std::stoi( std::string{ path.substr( i + 1, 2 ) }, nullptr, 16 ) );
            const bool unreserved = ( 'a' <= c && c <= 'z' ) || ( 'A' <= c && c <= 'Z' ) ||
                    ( '0' <= c && c <= '9' ) || std::string_view{ "-._~" }.find( c ) != std::string_view::npos;
            if( unreserved )
            {
                out += c;
                i += 2;
                continue;
            }
        }
        out += path[ i ];
    }
    return out;
}

struct route_t
{
    std::string text;
    restinio::http_method_id_t method;
    p2r::route_regex_t regex;
    std::regex compiled;
};

struct routed_t
{
    int route = -1;
    std::string match;
    std::vector< std::pair< std::string, std::string > > named;
    std::vector< std::string > indexed;
};

// With k unbounded repeats in a route, a path of n bytes that almost matches makes std::regex
// try about C(n, k - 1) ways to split it ("/:a:b:c:d:e", "/:a-:b-:c-:d": the class of
// path-to-regexp's CVE-2024-45296). The reference runs only where that stays small.
bool
reference_affordable( const std::vector< route_t > & routes, std::size_t path_size )
{
    constexpr double max_splits = 20000;
    for( const auto & route : routes )
    {
        std::size_t repeats = 0;
        bool in_class = false;
        const std::string & re = route.regex.regex;
        for( std::size_t i = 0; i < re.size(); ++i )
        {
            if( '\\' == re[ i ] )
                ++i;
            else if( in_class )
                in_class = ']' != re[ i ];
            else if( '[' == re[ i ] )
                in_class = true;
            else if( '+' == re[ i ] || '*' == re[ i ] )
                ++repeats;
        }
        double splits = 1;
        for( std::size_t k = 1; k < repeats && splits <= max_splits; ++k )
            splits = splits * static_cast< double >( path_size + 1 - std::min( path_size, k - 1 ) ) / k;
        if( splits > max_splits )
            return false;
    }
    return true;
}

restinio::request_handle_t
make_get( std::string_view target )
{
    restinio::no_extra_data_factory_t factory;
    return std::make_shared< restinio::request_t >( restinio::request_id_t{ 1 },
            restinio::http_request_header_t{ restinio::http_method_get(), std::string{ target } },
            std::string{}, restinio::impl::connection_handle_t{}, restinio::endpoint_t{}, factory );
}

// Routes the target and returns what the handler saw.
routed_t
route_target( const rr::express_router_t & router, routed_t & seen, std::string_view target )
{
    seen = routed_t{};
    const auto status = router( make_get( target ) );
    FUZZ_REQUIRE( ( -1 == seen.route ) == ( restinio::request_not_handled() == status ) );
    return seen;
}

routed_t
expected_routing( const std::vector< route_t > & routes, const std::string & path )
{
    routed_t expected;
    for( std::size_t i = 0; i != routes.size(); ++i )
    {
        std::smatch m;
        if( restinio::http_method_get() != routes[ i ].method ||
                !std::regex_search( path, m, routes[ i ].compiled, std::regex_constants::match_continuous ) )
            continue;
        expected.route = static_cast< int >( i );
        expected.match = m[ 0 ].str();
        for( std::size_t k = 0; k != routes[ i ].regex.keys.size(); ++k )
        {
            const auto & key = routes[ i ].regex.keys[ k ];
            if( key.is_named() )
                expected.named.emplace_back( key.name, m[ k + 1 ].str() );
            else
                expected.indexed.push_back( m[ k + 1 ].str() );
        }
        break;
    }
    return expected;
}

bool
operator==( const routed_t & a, const routed_t & b )
{
    return a.route == b.route && a.match == b.match && a.named == b.named && a.indexed == b.indexed;
}

std::string
with_case( std::string_view s, bool upper )
{
    std::string out{ s };
    for( auto & c : out )
        if( upper && 'a' <= c && c <= 'z' )
            c = static_cast< char >( c - 32 );
        else if( !upper && 'A' <= c && c <= 'Z' )
            c = static_cast< char >( c + 32 );
    return out;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    fuzz_support::input_reader_t input{ data, size };
    const std::uint8_t flags = input.byte();
    p2r::options_t options;
    options.sensitive( 0 != ( flags & 1 ) ).strict( 0 != ( flags & 2 ) ).ending( 0 == ( flags & 4 ) );

    std::vector< std::string_view > lines;
    std::string_view text = input.rest();
    while( lines.size() != max_routes )
    {
        const auto nl = text.find( '\n' );
        if( nl == std::string_view::npos )
            break;
        lines.push_back( text.substr( 0, nl ) );
        text.remove_prefix( nl + 1 );
    }
    const std::string_view target = text;

    rr::express_router_t router;
    routed_t seen;
    std::vector< route_t > routes;
    for( std::size_t i = 0; i != lines.size(); ++i )
    {
        route_t route;
        route.text = tame_route( lines[ i ] );
        route.method = 0 != ( flags & ( 0x10 << i ) ) ? restinio::http_method_post() : restinio::http_method_get();

        bool accepted = true;
        try
        {
            route.regex = p2r::make_route_regex( route.text, options );
            route.compiled = std::regex{ route.regex.regex, options.sensitive()
                    ? std::regex::ECMAScript : std::regex::ECMAScript | std::regex::icase };
        }
        catch( const restinio::exception_t & ) { accepted = false; }
        catch( const std::regex_error & ) { accepted = false; }

        bool added = true;
        bool unsupported = false;
        const int index = static_cast< int >( routes.size() );
        try
        {
            router.add_handler( route.method, route.text, options,
                [ &seen, index ]( restinio::request_handle_t, rr::route_params_t params ) {
                    seen.route = index;
                    seen.match = std::string{ params.match() };
                    const auto inside_match = [ &params ]( std::string_view v ) {
                        return v.empty() || ( v.data() >= params.match().data() &&
                                v.data() + v.size() <= params.match().data() + params.match().size() );
                    };
                    for( const auto & [ name, value ] : rr::impl::route_params_accessor_t::named_parameters( params ) )
                    {
                        FUZZ_REQUIRE( inside_match( value ) );
                        seen.named.emplace_back( std::string{ name }, std::string{ value } );
                    }
                    // A name used twice in a route reads as its first value.
                    for( const auto & [ name, value ] : seen.named )
                        FUZZ_REQUIRE( params[ name ] == std::find_if( seen.named.begin(), seen.named.end(),
                                [ &n = name ]( const auto & p ) { return p.first == n; } )->second );
                    for( std::size_t k = 0; k != params.indexed_parameters_size(); ++k )
                    {
                        FUZZ_REQUIRE( inside_match( params[ k ] ) );
                        seen.indexed.emplace_back( params[ k ] );
                    }
                    return restinio::request_accepted();
                } );
        }
        catch( const restinio::exception_t & ex )
        {
            added = false;
            unsupported = std::string_view{ ex.what() }.rfind( "unsupported route regex", 0 ) == 0;
        }

        // The router's engine may refuse, by name, syntax std::regex takes ("a**", "\\0").
        FUZZ_REQUIRE( accepted == added || ( accepted && unsupported ) );
        if( !added )
            continue;
        FUZZ_REQUIRE( route.compiled.mark_count() == route.regex.keys.size() );
        routes.push_back( std::move( route ) );
    }

    const routed_t routed = route_target( router, seen, target );
    const std::string path = reference_normalized( make_get( target )->header().path() );
    if( reference_affordable( routes, path.size() ) )
        FUZZ_REQUIRE( routed == expected_routing( routes, path ) );
    if( -1 != routed.route && options.ending() )
        FUZZ_REQUIRE( routed.match == path );

    if( !options.sensitive() )
        for( const bool upper : { false, true } )
            FUZZ_REQUIRE( route_target( router, seen, with_case( target, upper ) ).route == routed.route );
    return 0;
}
