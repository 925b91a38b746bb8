// Tests for restinio/path2regex/path2regex.hpp, on both regex engines: the route syntax table of
// server.md 9, the options, and malformed routes.
#include <restinio/path2regex/path2regex.hpp>
#include <restinio/router/linear_regex_engine.hpp>
#include <restinio/router/std_regex_engine.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using restinio::exception_t;
using restinio::router::linear_regex_engine_t;
using restinio::router::std_regex_engine_t;
namespace p2r = restinio::path2regex;

namespace
{

// "name=value" for a named parameter, "#index=value" for an unnamed one, in group order.
template< typename Engine >
std::optional< std::vector< std::string > > match_with(
    const std::string & route, const std::string & path, const p2r::options_t & options )
{
    const auto data = p2r::path2regex< Engine >( route, options );
    typename Engine::match_results_t results;
    if( !Engine::try_match( path, data.m_regex, results ) )
        return std::nullopt;
    REQUIRE( results.size() == data.m_param_slots.size() + 1 );
    std::vector< std::string > params;
    std::size_t index = 0;
    for( std::size_t i = 0; i != data.m_param_slots.size(); ++i )
    {
        const auto & slot = data.m_param_slots[ i ];
        const auto & m = results[ i + 1 ];
        const std::string value = path.substr( Engine::submatch_begin_pos( m ),
            Engine::submatch_end_pos( m ) - Engine::submatch_begin_pos( m ) );
        params.push_back( ( slot.named ? std::string{ slot.name } : "#" + std::to_string( index++ ) )
            + "=" + value );
    }
    return params;
}

// Every route runs on both engines, which must agree.
std::optional< std::vector< std::string > > match(
    const std::string & route, const std::string & path, const p2r::options_t & options = {} )
{
    const auto linear = match_with< linear_regex_engine_t >( route, path, options );
    CHECK( linear == match_with< std_regex_engine_t >( route, path, options ) );
    return linear;
}

using params_t = std::vector< std::string >;
const std::optional< params_t > no_match;

struct row_t
{
    const char * route;
    const char * path;
    std::optional< params_t > expected;
};

void check_rows( const std::vector< row_t > & rows, const p2r::options_t & options = {} )
{
    for( const auto & row : rows )
    {
        INFO( "route '" << row.route << "', path '" << row.path << "'" );
        CHECK( match( row.route, row.path, options ) == row.expected );
    }
}

} // namespace

namespace Catch
{

template<>
struct StringMaker< std::optional< params_t > >
{
    static std::string convert( const std::optional< params_t > & v )
    {
        if( !v )
            return "no match";
        std::string r = "{";
        for( const auto & p : *v )
            r += " '" + p + "'";
        return r + " }";
    }
};

} // namespace Catch

TEST_CASE( "literal routes", "[path2regex]" )
{
    check_rows( {
        { "/chat",        "/chat",        params_t{} },
        { "/chat",        "/chat/",       params_t{} },       // not strict
        { "/chat",        "/CHAT",        params_t{} },       // not sensitive
        { "/chat",        "/chat//",      no_match },
        { "/chat",        "/chat/x",      no_match },
        { "/chat",        "/chatx",       no_match },
        { "/chat",        "/cha",         no_match },
        { "/chat",        "x/chat",       no_match },
        { "/",            "/",            params_t{} },
        { "/",            "",             no_match },
        { "",             "",             params_t{} },
        { "",             "/",            params_t{} },
        { "/a.b",         "/a.b",         params_t{} },
        { "/a.b",         "/axb",         no_match },        // '.' is escaped
        { "/a+b*c?",      "/a+b*c?",      params_t{} },
        { "/a[b]{1}$^|",  "/a[b]{1}$^|",  params_t{} },
        { "/a:",          "/a:",          params_t{} },      // ':' without a name is literal
        { "/a\\(b\\)",    "/a(b)",        params_t{} },      // escaped parentheses
        { "/\\:id",       "/:id",         params_t{} },      // escaped ':'
        { "/\\:id",       "/42",          no_match },
    } );
}

TEST_CASE( "named parameters", "[path2regex]" )
{
    check_rows( {
        { "/chat/:id",          "/chat/42",        params_t{ "id=42" } },
        { "/chat/:id",          "/chat/42/",       params_t{ "id=42" } },
        { "/chat/:id",          "/chat",           no_match },
        { "/chat/:id",          "/chat/",          no_match },
        { "/chat/:id",          "/chat/1/2",       no_match },
        { "/chat/:id",          "/CHAT/Ab",        params_t{ "id=Ab" } },
        { "/:a/:b",             "/x/y",            params_t{ "a=x", "b=y" } },
        { "/:a_1/:B2",          "/x/y",            params_t{ "a_1=x", "B2=y" } },
        { "/:from-:to",         "/1-2",            params_t{ "from=1", "to=2" } },
        { "/file.:ext",         "/file.txt",       params_t{ "ext=txt" } },
        { "/file.:ext",         "/file.tar.gz",    no_match },       // the prefix '.' delimits
        { "/:name.:ext",        "/a.b",            params_t{ "name=a", "ext=b" } },
        { "/user/:id/books",    "/user/7/books",   params_t{ "id=7" } },
        { "/user/:id/books",    "/user/7/8/books", no_match },
    } );
}

TEST_CASE( "parameters with their own patterns", "[path2regex]" )
{
    check_rows( {
        { "/chat/:id(\\d+)",          "/chat/42",     params_t{ "id=42" } },
        { "/chat/:id(\\d+)",          "/chat/4a",     no_match },
        { "/chat/:id(\\d+)",          "/chat/42/",    params_t{ "id=42" } },
        { "/:v(a|b)",                 "/b",           params_t{ "v=b" } },
        { "/:v(a|b)",                 "/c",           no_match },
        { "/:v((?:ab)+)",             "/abab",        params_t{ "v=abab" } },
        { "/:v([()]+)",               "/()",          params_t{ "v=()" } },   // a class hides ')'
        { "/:v(\\))",                 "/)",           params_t{ "v=)" } },
        { "/:v(.*)",                  "/a/b/c",       params_t{ "v=a/b/c" } },
        { "/(\\d+)",                  "/123",         params_t{ "#0=123" } },
        { "/(\\d+)",                  "/abc",         no_match },
        { "/:a/(\\d+)/(x|y)/:b",      "/q/12/y/r",    params_t{ "a=q", "#0=12", "#1=y", "b=r" } },
        { "/(.*)",                    "/any/thing",   params_t{ "#0=any/thing" } },
    } );
}

TEST_CASE( "optional and repeated parameters", "[path2regex]" )
{
    check_rows( {
        { "/:foo?",              "/",             params_t{ "foo=" } },
        { "/:foo?",              "",              params_t{ "foo=" } },
        { "/:foo?",              "/x",            params_t{ "foo=x" } },
        { "/:foo?",              "/x/y",          no_match },
        { "/a/:b?/c",            "/a/c",          params_t{ "b=" } },
        { "/a/:b?/c",            "/a/x/c",        params_t{ "b=x" } },
        { "/chat/:id(\\d+)?",    "/chat",         params_t{ "id=" } },
        { "/chat/:id(\\d+)?",    "/chat/5",       params_t{ "id=5" } },
        { "/chat/:id(\\d+)?",    "/chat/x",       no_match },
        { "/files/:path*",       "/files",        params_t{ "path=" } },
        { "/files/:path*",       "/files/",       params_t{ "path=" } },
        { "/files/:path*",       "/files/a",      params_t{ "path=a" } },
        { "/files/:path*",       "/files/a/b/c",  params_t{ "path=a/b/c" } },
        { "/files/:path+",       "/files",        no_match },
        { "/files/:path+",       "/files/a/b",    params_t{ "path=a/b" } },
        { "/files/:path+",       "/files/a/b/",   params_t{ "path=a/b" } },
        { "/n/:v(\\d+)+",        "/n/1/22/333",   params_t{ "v=1/22/333" } },
        { "/n/:v(\\d+)+",        "/n/1/x",        no_match },
        { "/(\\d+)*",            "/1/2",          params_t{ "#0=1/2" } },
        { "/:a-:b?",             "/x-",           params_t{ "a=x", "b=" } },   // partial
        { "/:a-:b?",             "/x-y",          params_t{ "a=x", "b=y" } },
        // Without a prefix the repetitions are still separated by the delimiter, as in
        // path-to-regexp 2.x. Found by the fuzzer: with nothing between them the regex
        // backtracked exponentially (24 'a' took 1.5 s, each two more 4 times as long).
        { "/x-:p+",              "/x-a/b/c",      params_t{ "p=a/b/c" } },
        { "/x-:p+",              "/x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa//", no_match },
        { ":p*",                 "a/b",           params_t{ "p=a/b" } },
    } );
}

TEST_CASE( "options: sensitive, strict, ending, ends_with, delimiter", "[path2regex][options]" )
{
    SECTION( "sensitive" )
    {
        const auto o = p2r::options_t{}.sensitive( true );
        check_rows( {
            { "/Chat/:id", "/Chat/Ab", params_t{ "id=Ab" } },
            { "/Chat/:id", "/chat/Ab", no_match },
            { "/Chat/:id(a+)", "/Chat/A", no_match },
        }, o );
        CHECK( match( "/Chat/:id(a+)", "/chat/A" ) == params_t{ "id=A" } );
    }
    SECTION( "strict" )
    {
        const auto o = p2r::options_t{}.strict( true );
        check_rows( {
            { "/chat",     "/chat",     params_t{} },
            { "/chat",     "/chat/",    no_match },
            { "/chat/",    "/chat/",    params_t{} },
            { "/chat/",    "/chat",     no_match },
            { "/chat/:id", "/chat/1/",  no_match },
        }, o );
    }
    SECTION( "not ending" )
    {
        const auto o = p2r::options_t{}.ending( false );
        check_rows( {
            { "/chat",     "/chat",       params_t{} },
            { "/chat",     "/chat/",      params_t{} },
            { "/chat",     "/chat/42",    params_t{} },
            { "/chat",     "/chatty",     no_match },
            { "/chat/",    "/chat/x",     params_t{} },
            { "/chat/:id", "/chat/42/x",  params_t{ "id=42" } },
        }, o );
        const auto data = p2r::path2regex< linear_regex_engine_t >( "/chat", o );
        linear_regex_engine_t::match_results_t r;
        REQUIRE( linear_regex_engine_t::try_match( "/chat/42", data.m_regex, r ) );
        CHECK( r[ 0 ].second == 5u );      // the match stops before "/42"
    }
    SECTION( "ends_with" )
    {
        const auto o = p2r::options_t{}.ends_with( { "#", "" } );
        check_rows( {
            { "/chat",     "/chat",      params_t{} },
            { "/chat/:id", "/chat/1#x",  params_t{ "id=1" } },
            { "/chat",     "/chat?x",    no_match },
        }, o );
    }
    SECTION( "delimiter and delimiters" )
    {
        check_rows( {
            { "/:a",  "/x-",   params_t{ "a=x" } },         // trailing delimiter is '-' now
            { "/:a",  "/x/",   no_match },                  // and a trailing '/' is not
        }, p2r::options_t{}.delimiter( "-" ) );
        check_rows( {
            { "/file.:ext", "/file.a.b", params_t{ "ext=a.b" } },   // '.' is no prefix now
        }, p2r::options_t{}.delimiters( "/" ) );
    }
    SECTION( "setters chain on temporaries and lvalues; getters" )
    {
        p2r::options_t o;
        CHECK_FALSE( o.sensitive() );
        CHECK_FALSE( o.strict() );
        CHECK( o.ending() );
        CHECK( o.delimiter() == "/" );
        CHECK( o.delimiters() == "./" );
        CHECK( o.ends_with().empty() );
        o.sensitive( true ).strict( true ).ending( false ).delimiter( "|" ).delimiters( "|" )
            .ends_with( { "x" } );
        CHECK( o.sensitive() );
        CHECK( o.strict() );
        CHECK_FALSE( o.ending() );
        CHECK( o.delimiter() == "|" );
        CHECK( o.ends_with() == std::vector< std::string >{ "x" } );
        p2r::options_t t = p2r::options_t{}.strict( true ).sensitive( true );
        CHECK( t.strict() );
    }
}

TEST_CASE( "regex text follows path-to-regexp 2.x", "[path2regex]" )
{
    CHECK( p2r::make_route_regex( "/chat", {} ).regex == R"(^\/chat(?:\/)?$)" );
    CHECK( p2r::make_route_regex( "/chat/:id", {} ).regex == R"(^\/chat\/([^/]+?)(?:\/)?$)" );
    CHECK( p2r::make_route_regex( "/:foo?", {} ).regex == R"(^(?:\/([^/]+?))?(?:\/)?$)" );
    CHECK( p2r::make_route_regex( "/:p*", {} ).regex
        == R"(^(?:\/((?:[^/]+?)(?:\/(?:[^/]+?))*))?(?:\/)?$)" );
    CHECK( p2r::make_route_regex( "/file.:ext", {} ).regex == R"(^\/file\.([^.]+?)(?:\/)?$)" );
    CHECK( p2r::make_route_regex( "/chat", p2r::options_t{}.strict( true ) ).regex == R"(^\/chat$)" );
    CHECK( p2r::make_route_regex( "/chat", p2r::options_t{}.ending( false ) ).regex
        == R"(^\/chat(?:\/(?=$))?(?=\/|$))" );

    const auto r = p2r::make_route_regex( "/:a/(\\d+)/:b", {} );
    REQUIRE( r.keys.size() == 3u );
    CHECK( r.keys[ 0 ].name == "a" );
    CHECK_FALSE( r.keys[ 1 ].is_named() );
    CHECK( r.keys[ 2 ].name == "b" );
    CHECK_FALSE( r.sensitive );
}

TEST_CASE( "malformed routes throw exception_t", "[path2regex]" )
{
    const char * bad[] = {
        "/a(b",             // unbalanced '('
        "/a)b",             // unbalanced ')'
        "/:id(\\d+",        // pattern never closed
        "/:id(\\d+))",      // one ')' too many
        "/:id()",           // empty pattern
        "/()",
        "/(a(b))",          // a capturing group inside a pattern
        "/:id([)",          // ')' hidden in an unclosed class
        "/:id(\\)",         // the only ')' is escaped
        // A pattern that opens with '?' makes its own group non-capturing ("(?:x|y)") or a
        // look-ahead, and the parameters after it would take the wrong groups (found by the
        // fuzzer: "/:a(?:x|y)/:b" on "/x/z" gave a=z and an empty b).
        "/:a(?:x|y)/:b",
        "/(?=a)",
    };
    for( const char * route : bad )
    {
        INFO( route );
        CHECK_THROWS_AS( p2r::make_route_regex( route, {} ), exception_t );
    }
    CHECK_THROWS_WITH( p2r::make_route_regex( "/a(b", {} ),
        "invalid route '/a(b' at position 2: unbalanced '('" );
    CHECK_THROWS_WITH( p2r::make_route_regex( "/x)", {} ),
        "invalid route '/x)' at position 2: unbalanced ')'" );

    // A pattern the regex engine rejects is reported the same way.
    CHECK_THROWS_AS( p2r::path2regex< std_regex_engine_t >( "/:id(a{2,1})", {} ), exception_t );
    CHECK_THROWS_AS( p2r::path2regex< std_regex_engine_t >( "/:id([z-a])", {} ), exception_t );
    CHECK_THROWS_AS( p2r::path2regex< linear_regex_engine_t >( "/:id(a{2,1})", {} ), exception_t );
    CHECK_THROWS_AS( p2r::path2regex< linear_regex_engine_t >( "/:id([z-a])", {} ), exception_t );
}

TEST_CASE( "parameter names outlive their route data", "[path2regex]" )
{
    std::shared_ptr< const std::string > names;
    std::vector< restinio::string_view_t > views;
    {
        const auto data = p2r::path2regex< std_regex_engine_t >( "/:first/:second/(x)", {} );
        names = data.m_names_buffer;
        for( const auto & slot : data.m_param_slots )
            views.push_back( slot.name );
    }
    REQUIRE( views.size() == 3u );
    CHECK( views[ 0 ] == "first" );
    CHECK( views[ 1 ] == "second" );
    CHECK( views[ 2 ].empty() );
    CHECK( *names == "firstsecond" );
}
