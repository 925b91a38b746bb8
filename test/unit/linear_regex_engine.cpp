// Tests for router/linear_regex_engine.hpp: a table of patterns, inputs, matches and every
// capture, checked against std_regex_engine_t too wherever std::regex is safe on the input;
// inputs std::regex cannot survive (a megabyte of digits, a backtracking route on 100,000
// dashes); the syntax it refuses; and concurrent use from several threads.
#include <restinio/path2regex/path2regex.hpp>
#include <restinio/router/linear_regex_engine.hpp>
#include <restinio/router/std_regex_engine.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using restinio::exception_t;
using restinio::router::linear_regex_engine_t;
using restinio::router::std_regex_engine_t;
namespace p2r = restinio::path2regex;

namespace
{

using spans_t = std::vector< std::pair< std::size_t, std::size_t > >;

template< typename Engine >
std::optional< spans_t > run( const std::string & pattern, const std::string & input, bool sensitive )
{
    const auto re = Engine::compile_regex( pattern, sensitive );
    typename Engine::match_results_t m;
    if( !Engine::try_match( input, re, m ) )
        return std::nullopt;
    spans_t spans;
    for( const auto & item : m )
        spans.emplace_back( Engine::submatch_begin_pos( item ), Engine::submatch_end_pos( item ) );
    return spans;
}

struct row_t
{
    const char * pattern;
    const char * input;
    std::optional< spans_t > expected;  // whole match, then each group; [0,0) if it took no part
    bool sensitive = true;
};

const std::optional< spans_t > no_match;

void check_rows( const std::vector< row_t > & rows )
{
    for( const auto & row : rows )
    {
        INFO( "pattern '" << row.pattern << "', input '" << row.input << "'"
            << ( row.sensitive ? "" : ", ignoring case" ) );
        CHECK( run< linear_regex_engine_t >( row.pattern, row.input, row.sensitive ) == row.expected );
        CHECK( run< std_regex_engine_t >( row.pattern, row.input, row.sensitive ) == row.expected );
    }
}

} // namespace

TEST_CASE( "literals, escapes, dot and classes", "[regex]" )
{
    check_rows( {
        { "^abc", "abcd", spans_t{ { 0, 3 } } },
        { "^abc", "abd", no_match },
        { "abc", "xabc", no_match },                    // anchored at the start, like the router
        { "^\\/chat\\.json", "/chat.json", spans_t{ { 0, 10 } } },
        { "^\\/chat\\.json", "/chatxjson", no_match },
        { "^a\\-b\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\", "a-b*+?()[]{}|^$\\", spans_t{ { 0, 16 } } },
        { "^\\d\\D\\w\\W\\s\\S", "1x_- \t", no_match },
        { "^\\d\\D\\w\\W\\s\\S", "1x_ \tq", spans_t{ { 0, 6 } } },
        { "^\\x41\\u0042\\t", "AB\t", spans_t{ { 0, 3 } } },
        { "^.", "\n", no_match },
        { "^.", "\r", no_match },
        { "^.+", "a\x01\xff", spans_t{ { 0, 3 } } },
        { "^[a-c]+", "abcd", spans_t{ { 0, 3 } } },
        { "^[^a-c]+", "xyzab", spans_t{ { 0, 3 } } },
        { "^[\\d_-]+", "1_-2a", spans_t{ { 0, 4 } } },
        { "^[-a]+", "-a-b", spans_t{ { 0, 3 } } },
        { "^[^\\/]+", "ab/c", spans_t{ { 0, 2 } } },
        { "^[\\]\\\\]+", "]\\x", spans_t{ { 0, 2 } } },
        { "^[\\w.]+", "a.b!", spans_t{ { 0, 3 } } },
        { "^[\\b]", "\b", spans_t{ { 0, 1 } } },
        { "^\\z\\_", "z_", spans_t{ { 0, 2 } } },        // an unknown escape is the character
        { "^]}", "]}", spans_t{ { 0, 2 } } },
        { "^[]", "a", no_match },
        { "^[^]", "\n", spans_t{ { 0, 1 } } },
    } );
}

TEST_CASE( "groups, alternation and priority", "[regex]" )
{
    check_rows( {
        { "^(a|ab)(c|bcd)(d*)", "abcd", spans_t{ { 0, 4 }, { 0, 1 }, { 1, 4 }, { 4, 4 } } },
        { "^(?:a|b)+(c)?", "abab", spans_t{ { 0, 4 }, { 0, 0 } } },
        { "^(a)|(b)", "b", spans_t{ { 0, 1 }, { 0, 0 }, { 0, 1 } } },
        { "^((a)(b))", "ab", spans_t{ { 0, 2 }, { 0, 2 }, { 0, 1 }, { 1, 2 } } },
        { "^(?:(a)|b)+", "ab", spans_t{ { 0, 2 }, { 0, 1 } } },
        { "^(a*)(a*)", "aaa", spans_t{ { 0, 3 }, { 0, 3 }, { 3, 3 } } },
        { "^(a*?)(a*)", "aaa", spans_t{ { 0, 3 }, { 0, 0 }, { 0, 3 } } },
        { "^(a+?)(a*)", "aaa", spans_t{ { 0, 3 }, { 0, 1 }, { 1, 3 } } },
        { "^(a?" "?)(a)", "aa", spans_t{ { 0, 1 }, { 0, 0 }, { 0, 1 } } },
        { "^(a|)b", "b", spans_t{ { 0, 1 }, { 0, 0 } } },
        { "^()", "x", spans_t{ { 0, 0 }, { 0, 0 } } },
        { "^(.*)-(.*)", "a-b-c", spans_t{ { 0, 5 }, { 0, 3 }, { 4, 5 } } },
        { "^(.*?)-(.*)", "a-b-c", spans_t{ { 0, 5 }, { 0, 1 }, { 2, 5 } } },
    } );
}

TEST_CASE( "counted repeats", "[regex]" )
{
    check_rows( {
        { "^a{3}", "aaaa", spans_t{ { 0, 3 } } },
        { "^a{3}", "aa", no_match },
        { "^a{2,}", "aaaa", spans_t{ { 0, 4 } } },
        { "^a{2,3}", "aaaa", spans_t{ { 0, 3 } } },
        { "^a{2,3}?", "aaaa", spans_t{ { 0, 2 } } },
        { "^(ab){1,2}(b)?", "ababb", spans_t{ { 0, 5 }, { 2, 4 }, { 4, 5 } } },
        { "^a{0}b", "b", spans_t{ { 0, 1 } } },
        { "^(?:a|b){0,2}c", "abc", spans_t{ { 0, 3 } } },
        { "^\\d{4}-\\d{2}", "2024-05x", spans_t{ { 0, 7 } } },
        // A bounded repeat of something that can match empty is run, as std::regex runs it.
        { "^x(a?){1,2}", "xa", spans_t{ { 0, 2 }, { 2, 2 } } },
        { "^x(a?)?", "x", spans_t{ { 0, 1 }, { 1, 1 } } },
        { "^x(?:(a*)){0,2}", "xa", spans_t{ { 0, 2 }, { 2, 2 } } },
    } );
}

TEST_CASE( "anchors, word boundaries and lookaheads", "[regex]" )
{
    check_rows( {
        { "^a$", "a", spans_t{ { 0, 1 } } },
        { "^a$", "ab", no_match },
        { "^a^", "a", no_match },
        { "^(?:a$|ab)", "ab", spans_t{ { 0, 2 } } },
        { "^a\\b", "a-", spans_t{ { 0, 1 } } },
        { "^a\\b", "ab", no_match },
        { "^a\\B", "ab", spans_t{ { 0, 1 } } },
        { "^\\/chat(?=$)", "/chat", spans_t{ { 0, 5 } } },
        { "^\\/chat(?=\\/|$)", "/chat/1", spans_t{ { 0, 5 } } },
        { "^\\/chat(?=\\/|$)", "/chats", no_match },
        { "^\\/chat(?=#|\\.json|$)", "/chat.json", spans_t{ { 0, 5 } } },
        { "^\\/chat(?=#|\\.json|$)", "/chat.js", no_match },
        { "^\\/chat(?![a-z])", "/chat1", spans_t{ { 0, 5 } } },
        { "^\\/chat(?![a-z]|$)", "/chat", no_match },
        { "^a(?=b$)", "ab", spans_t{ { 0, 1 } } },
        { "^a(?=b$)", "abc", no_match },
        { "^a(?=)", "a", spans_t{ { 0, 1 } } },
    } );
}

TEST_CASE( "ignoring case folds ASCII letters", "[regex]" )
{
    check_rows( {
        { "^\\/chat", "/CHAT", spans_t{ { 0, 5 } }, false },
        { "^\\/chat", "/CHAT", no_match, true },
        { "^[a-c]+", "AbC", spans_t{ { 0, 3 } }, false },
        { "^[^a]", "A", no_match, false },
        { "^[^a]", "B", spans_t{ { 0, 1 } }, false },
        { "^\\/x(?=Y|$)", "/Xy", spans_t{ { 0, 2 } }, false },
        { "^\\xe9", "\xc9", no_match, false },           // not an ASCII letter: not folded
    } );
}

TEST_CASE( "routes from path2regex match as on std::regex", "[regex][path2regex]" )
{
    const auto run_route = []( auto engine, const char * route, const std::string & path ) {
        using engine_t = decltype( engine );
        const auto data = p2r::path2regex< engine_t >( route, {} );
        typename engine_t::match_results_t m;
        std::optional< spans_t > spans;
        if( engine_t::try_match( path, data.m_regex, m ) )
        {
            spans.emplace();
            for( const auto & item : m )
                spans->emplace_back( item.first, item.second );
        }
        return spans;
    };
    const std::vector< std::pair< const char *, const char * > > rows{
        { "/chat/:id(\\d+)", "/chat/42" }, { "/chat/:id(\\d+)", "/chat/4x" },
        { "/:a-:b-:c", "/x-y-z" }, { "/:a-:b-:c", "/x--y-z-" }, { "/:a-:b-:c", "/---" },
        { "/a/:b?/:c*", "/a/1/2/3" }, { "/a/:b?/:c*", "/a" }, { "/a/:b+", "/A/1/2/" },
        { "/:x.:ext", "/file.tar.gz" }, { "/(\\d+)/:n([a-z]{2,3})?", "/12/abc/" },
    };
    for( const auto & [route, path] : rows )
    {
        INFO( route << " on " << path );
        CHECK( run_route( linear_regex_engine_t{}, route, path )
            == run_route( std_regex_engine_t{}, route, path ) );
    }
}

TEST_CASE( "inputs std::regex does not survive", "[regex][linear]" )
{
    const auto started = std::chrono::steady_clock::now();
    SECTION( "a megabyte of digits" )
    {
        const std::string path = "/chat/" + std::string( 1024 * 1024, '7' );
        const auto data = p2r::path2regex< linear_regex_engine_t >( "/chat/:id(\\d+)", {} );
        linear_regex_engine_t::match_results_t m;
        REQUIRE( linear_regex_engine_t::try_match( path, data.m_regex, m ) );
        CHECK( m[ 1 ] == std::make_pair( std::size_t{ 6 }, path.size() ) );
        CHECK_FALSE( linear_regex_engine_t::try_match( path + "x", data.m_regex, m ) );
    }
    SECTION( "three parameters in one segment on 100,000 dashes" )
    {
        const auto data = p2r::path2regex< linear_regex_engine_t >( "/:a-:b-:c", {} );
        linear_regex_engine_t::match_results_t m;
        const std::string dashes = "/" + std::string( 100000, '-' );
        CHECK_FALSE( linear_regex_engine_t::try_match( dashes + "/x", data.m_regex, m ) );
        REQUIRE( linear_regex_engine_t::try_match( dashes, data.m_regex, m ) );
        // Lazy parameters: a and b take one dash each, c the rest.
        CHECK( m[ 1 ] == std::make_pair( std::size_t{ 1 }, std::size_t{ 2 } ) );
        CHECK( m[ 2 ] == std::make_pair( std::size_t{ 3 }, std::size_t{ 4 } ) );
        CHECK( m[ 3 ] == std::make_pair( std::size_t{ 5 }, dashes.size() ) );
    }
    // A sanity bound, far above the few milliseconds each takes.
    CHECK( std::chrono::steady_clock::now() - started < std::chrono::seconds{ 20 } );
}

TEST_CASE( "unsupported or malformed syntax is refused when compiled", "[regex][refused]" )
{
    const char * refused[] = {
        "^(a)\\1", "^\\0", "^(?<n>a)", "^(?<=a)b", "^(?<!a)b", "^(?=a+)", "^(?=(a))",
        "^(?=a)*", "^(?=a$b)", "^a**", "^*", "^a{2,1}", "^a{1001}", "^a{", "^a{x}", "^{",
        "^[z-a]", "^[\\d-z]", "^[a", "^(a", "^a)", "^\\", "^\\c", "^\\cA", "^\\u00e9", "^\\xg1",
        "^$*", "^\\b+", "^(?:(?:(?:a{1000}){1000}))", "^(a*)*", "^(?:a|)+", "^(?:a?b?){2,}",
        "^(?:(?=a))*", "^()*",
    };
    for( const char * pattern : refused )
    {
        INFO( pattern );
        CHECK_THROWS_AS( linear_regex_engine_t::compile_regex( pattern, true ), exception_t );
    }
    CHECK_THROWS_WITH( linear_regex_engine_t::compile_regex( "^(a)\\1", true ),
        "unsupported route regex '^(a)\\1' at position 4: "
        "backreferences and octal escapes are not supported" );
    CHECK_THROWS_WITH( linear_regex_engine_t::compile_regex( "^(?:a{1000}){100}", true ),
        Catch::Contains( "'^(?:a{1000}){100}'" ) && Catch::Contains( "too large" ) );
    // A route of 100 parameters compiles; a 101st group is refused.
    std::string groups{ "^" };
    for( int i = 0; i != 100; ++i )
        groups += "\\/([^\\/]+?)";
    CHECK_NOTHROW( linear_regex_engine_t::compile_regex( groups + "(?:\\/)?$", false ) );
    CHECK_THROWS_WITH( linear_regex_engine_t::compile_regex( groups + "(a)", true ),
        Catch::Contains( "more than 100 capture groups" ) );
    std::string deep( 100, '(' );
    deep += std::string( 100, ')' );
    CHECK_THROWS_WITH( linear_regex_engine_t::compile_regex( deep, true ),
        Catch::Contains( "nested too deeply" ) );
}

TEST_CASE( "one compiled regex on several threads at once", "[regex][threads]" )
{
    const auto data = p2r::path2regex< linear_regex_engine_t >( "/u/:id(\\d+)/:name", {} );
    const auto work = [&data]( int seed, bool & ok ) {
        linear_regex_engine_t::match_results_t m;
        for( int i = 0; i != 2000; ++i )
        {
            const std::string id = std::to_string( seed * 100000 + i );
            const std::string path = "/u/" + id + "/n" + id;
            ok = ok && linear_regex_engine_t::try_match( path, data.m_regex, m )
                && path.substr( m[ 1 ].first, m[ 1 ].second - m[ 1 ].first ) == id
                && path.substr( m[ 2 ].first, m[ 2 ].second - m[ 2 ].first ) == "n" + id;
        }
    };
    bool ok[ 4 ] = { true, true, true, true };
    std::vector< std::thread > threads;
    for( int t = 0; t != 4; ++t )
        threads.emplace_back( work, t, std::ref( ok[ t ] ) );
    for( auto & t : threads )
        t.join();
    CHECK( ( ok[ 0 ] && ok[ 1 ] && ok[ 2 ] && ok[ 3 ] ) );
}
