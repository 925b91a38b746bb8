// Tests for restinio/uri_helpers.hpp and restinio/utils/percent_encoding.hpp: escaping and
// unescaping under each traits type, path normalisation, and query-string parsing with
// parse_query / try_parse_query under the four parse_query_traits.
#include <restinio/uri_helpers.hpp>
#include <restinio/utils/percent_encoding.hpp>
#include <restinio/value_or.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace restinio;
namespace pqt = restinio::parse_query_traits;

namespace
{

using pairs_t = std::vector< std::string >;

// "name=value" per parameter, in order.
pairs_t pairs_of( const query_string_params_t & params )
{
    pairs_t result;
    for( const auto & p : params )
        result.push_back( std::string{ p.first } + "=" + std::string{ p.second } );
    return result;
}

template< typename Traits >
std::optional< pairs_t > try_pairs( string_view_t query )
{
    const auto r = try_parse_query< Traits >( query );
    if( !r )
        return std::nullopt;
    return pairs_of( *r );
}

const std::optional< pairs_t > fails;

} // namespace

namespace Catch
{

template<>
struct StringMaker< std::optional< pairs_t > >
{
    static std::string convert( const std::optional< pairs_t > & v )
    {
        if( !v )
            return "fails";
        std::string r = "{";
        for( const auto & p : *v )
            r += " '" + p + "'";
        return r + " }";
    }
};

} // namespace Catch

TEST_CASE( "escape_percent_encoding per traits", "[percent]" )
{
    using namespace restinio::utils;
    CHECK( escape_percent_encoding( "a-b._~Z9" ) == "a-b._~Z9" );
    CHECK( escape_percent_encoding( "a b/c?d" ) == "a%20b%2Fc%3Fd" );
    CHECK( escape_percent_encoding( "*!'()" ) == "%2A%21%27%28%29" );
    CHECK( escape_percent_encoding< javascript_compatible_unescape_traits >( "*!'()~" ) == "*!'()~" );
    CHECK( escape_percent_encoding< x_www_form_urlencoded_unescape_traits >( "*~ " ) == "*%7E%20" );
    CHECK( escape_percent_encoding( "\xC3\xA9" ) == "%C3%A9" );
    CHECK( escape_percent_encoding( std::string( 1, '\0' ) ) == "%00" );
    CHECK( escape_percent_encoding( "" ).empty() );
}

TEST_CASE( "unescape_percent_encoding per traits", "[percent]" )
{
    using namespace restinio::utils;
    CHECK( unescape_percent_encoding( "a%20b+c%2f%2F" ) == "a b c//" );
    CHECK( unescape_percent_encoding( "%C3%A9" ) == "\xC3\xA9" );
    CHECK( unescape_percent_encoding( "" ).empty() );
    CHECK_THROWS_WITH( unescape_percent_encoding( "a*" ), "invalid non-escaped char at pos 1" );
    CHECK_THROWS_WITH( unescape_percent_encoding( "ab%2" ), "invalid escape sequence at pos 2" );
    CHECK_THROWS_AS( unescape_percent_encoding( "%G0" ), exception_t );
    CHECK_THROWS_AS( unescape_percent_encoding( "%" ), exception_t );
    CHECK( unescape_percent_encoding< javascript_compatible_unescape_traits >( "a*(b)!" ) == "a*(b)!" );
    CHECK_THROWS_AS( unescape_percent_encoding< javascript_compatible_unescape_traits >( "a;" ),
        exception_t );
    CHECK( unescape_percent_encoding< x_www_form_urlencoded_unescape_traits >( "a*b+c" ) == "a*b c" );
    CHECK_THROWS_AS( unescape_percent_encoding< x_www_form_urlencoded_unescape_traits >( "~" ),
        exception_t );
    CHECK( unescape_percent_encoding< relaxed_unescape_traits >( "a b;c/?=:@[]" ) == "a b;c/?=:@[]" );
    CHECK_THROWS_AS( unescape_percent_encoding< relaxed_unescape_traits >( "%zz" ), exception_t );

    CHECK( try_unescape_percent_encoding( "x%41" ) == std::string{ "xA" } );
    CHECK_FALSE( try_unescape_percent_encoding( "x%4" ).has_value() );

    std::string buffer{ "%7Eab%20c+" };
    buffer.resize( inplace_unescape_percent_encoding( buffer.data(), buffer.size() ) );
    CHECK( buffer == "~ab c " );

    // Every byte survives a round trip.
    std::string all;
    for( int c = 0; c != 256; ++c )
        all += static_cast< char >( c );
    CHECK( unescape_percent_encoding( escape_percent_encoding( all ) ) == all );
    CHECK( unescape_percent_encoding< relaxed_unescape_traits >(
               escape_percent_encoding< relaxed_unescape_traits >( all ) ) == all );
}

TEST_CASE( "path normalisation decodes unreserved characters only", "[percent][normalize]" )
{
    namespace un = restinio::utils::uri_normalization::unreserved_chars;
    struct row_t { const char * in; const char * out; };
    const row_t rows[] = {
        { "",                 "" },
        { "/plain",           "/plain" },
        { "/%7Euser",         "/~user" },
        { "/%7e%41%2D%5f%2E", "/~A-_." },
        { "/a%2Fb",           "/a%2Fb" },
        { "/a%20b",           "/a%20b" },
        { "/%C3%A9",          "/%C3%A9" },
        { "/%G1%",            "/%G1%" },
        { "/%4",              "/%4" },
        { "%%41",             "%A" },
    };
    for( const auto & row : rows )
    {
        INFO( row.in );
        const string_view_t in{ row.in };
        const auto size = un::estimate_required_capacity( in );
        std::string out( size, '?' );
        un::normalize_to( in, out.data() );
        CHECK( out == row.out );
    }
}

TEST_CASE( "parse_query with the default traits", "[query]" )
{
    using d = pqt::restinio_defaults;
    CHECK( try_pairs< d >( "" ) == pairs_t{} );
    CHECK( try_pairs< d >( "a=1" ) == pairs_t{ "a=1" } );
    CHECK( try_pairs< d >( "a=1&b=x%20y+z" ) == pairs_t{ "a=1", "b=x y z" } );
    CHECK( try_pairs< d >( "a=1;b=2" ) == pairs_t{ "a=1", "b=2" } );
    CHECK( try_pairs< d >( "a=&=b" ) == pairs_t{ "a=", "=b" } );
    CHECK( try_pairs< d >( "a=1&" ) == pairs_t{ "a=1" } );          // trailing separator
    CHECK( try_pairs< d >( "k%3D=v%26" ) == pairs_t{ "k==v&" } );
    CHECK( try_pairs< d >( "a=1&&b=2" ) == fails );
    CHECK( try_pairs< d >( "&a=1" ) == fails );
    CHECK( try_pairs< d >( "a=1&b" ) == fails );
    CHECK( try_pairs< d >( "a=b=c" ) == fails );
    CHECK( try_pairs< d >( "a=*" ) == fails );
    CHECK( try_pairs< d >( "a=%2" ) == fails );

    const auto params = parse_query( "x=1&name=bob&x=2" );
    CHECK( params.size() == 3u );
    CHECK_FALSE( params.empty() );
    CHECK( params[ "x" ] == "1" );                                  // the first one
    CHECK( params.has( "name" ) );
    CHECK_FALSE( params.has( "Name" ) );
    CHECK( params.get_param( "name" ) == string_view_t{ "bob" } );
    CHECK_FALSE( params.get_param( "nope" ).has_value() );
    CHECK_FALSE( params.tag().has_value() );
    CHECK_THROWS_WITH( params[ "nope" ], "unable to find parameter \"nope\"" );

    CHECK_THROWS_AS( parse_query( "a=1&b" ), exception_t );
    CHECK_THROWS_WITH( parse_query( "a=1&b" ),
        "invalid query string 'a=1&b': no '=' in a parameter at position 4" );
    CHECK_THROWS_WITH( parse_query( "a=1&b=%zz" ),
        "invalid query string 'a=1&b=%zz': invalid escape sequence at position 6" );
}

TEST_CASE( "a lone tag (web beacon)", "[query]" )
{
    const auto params = parse_query( "beacon%7E1" );
    CHECK( params.empty() );
    REQUIRE( params.tag().has_value() );
    CHECK( *params.tag() == "beacon~1" );
    CHECK_FALSE( try_parse_query( "tag&a=1" ).has_value() );
}

TEST_CASE( "parse_query with the other traits", "[query]" )
{
    using js = pqt::javascript_compatible;
    CHECK( try_pairs< js >( "q=a*b(c)!'" ) == pairs_t{ "q=a*b(c)!'" } );
    CHECK( try_pairs< js >( "q=a;b=1" ) == pairs_t{ "q=a", "b=1" } );
    CHECK( try_pairs< js >( "q=a&b" ) == fails );

    using form = pqt::x_www_form_urlencoded;
    CHECK( try_pairs< form >( "a=1&b=x+y*" ) == pairs_t{ "a=1", "b=x y*" } );
    CHECK( try_pairs< form >( "a=1&&b=2&" ) == pairs_t{ "a=1", "b=2" } );
    CHECK( try_pairs< form >( "flag&a=1" ) == pairs_t{ "flag=", "a=1" } );
    CHECK( try_pairs< form >( "a=1;b=2" ) == fails );               // ';' is no separator here
    CHECK( try_pairs< form >( "a=~" ) == fails );

    using rx = pqt::relaxed;
    CHECK( try_pairs< rx >( "a=b=c&d=[x]/y?z" ) == pairs_t{ "a=b=c", "d=[x]/y?z" } );
    CHECK( try_pairs< rx >( ";;a=1;flag;;" ) == pairs_t{ "a=1", "flag=" } );
    CHECK( try_pairs< rx >( "a=%41+b" ) == pairs_t{ "a=A b" } );
    CHECK( try_pairs< rx >( "a=%4" ) == fails );
}

TEST_CASE( "try_parse_query's result type", "[query]" )
{
    auto good = try_parse_query( "a=1" );
    REQUIRE( good );
    CHECK( good.has_value() );
    CHECK( good->size() == 1u );
    CHECK( ( *good )[ "a" ] == "1" );
    CHECK( good.value()[ "a" ] == "1" );
    query_string_params_t taken = std::move( good ).value();
    CHECK( taken[ "a" ] == "1" );

    auto bad = try_parse_query( "a" "=1&&" );
    REQUIRE_FALSE( bad );
    CHECK( bad.error().description() == "invalid query string 'a=1&&': empty parameter at position 4" );
    CHECK_THROWS_WITH( bad.value(), bad.error().description() );
    CHECK( bad.error().giveout_description().size() > 0u );
}

TEST_CASE( "query parameters outlive the parsed text; get, value_or and opt_value", "[query]" )
{
    std::optional< query_string_params_t > kept;
    {
        std::string query{ "page=3&name=a%20b&ratio=0.5" };
        kept.emplace( parse_query( query ) );
        query.assign( query.size(), 'x' );
    }
    const query_string_params_t params = std::move( *kept );
    CHECK( params[ "name" ] == "a b" );
    CHECK( restinio::get< int >( params, "page" ) == 3 );
    CHECK( restinio::get< double >( params, "ratio" ) == 0.5 );
    CHECK_THROWS_AS( restinio::get< int >( params, "name" ), exception_t );
    CHECK( value_or( params, "page", 1 ) == 3 );
    CHECK( value_or( params, "size", 10u ) == 10u );
    CHECK( value_or< std::string >( params, "name", "x" ) == "a b" );
    CHECK( opt_value< int >( params, "page" ) == 3 );
    CHECK_FALSE( opt_value< int >( params, "size" ).has_value() );
    CHECK_THROWS_AS( opt_value< int >( params, "name" ), exception_t );

    static_assert( !std::is_copy_constructible_v< query_string_params_t > );
    static_assert( std::is_move_constructible_v< query_string_params_t > );
}
