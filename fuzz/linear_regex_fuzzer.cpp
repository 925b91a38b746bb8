// libFuzzer target for linear_regex_engine_t (router/linear_regex_engine.hpp), differential
// against std::regex.
//
// Input layout: a flags byte (bit 0 ignore case, bit 1 raw mode), then, in grammar mode,
// bytes that choose a pattern from the small grammar below, a 0xFF byte, and a subject of at
// most max_subject bytes. The grammar covers the syntax the engine claims (literals, escapes,
// `.`, classes, groups, alternation, greedy and lazy quantifiers, anchors, \b, lookaheads of
// characters and `$`); an unbounded quantifier only follows something that cannot match empty
// (the engine refuses the others).
// Subjects are short so that std::regex's backtracking and recursion stay cheap.
//
// Checks:
//   - grammar mode: both engines accept the pattern, and agree on whether the subject matches
//     and on the whole match and every capture group;
//   - raw mode: the rest of the input is a pattern, taken as it is: the engine compiles it or
//     throws exception_t, and a compiled one matches a subject without crashing (no
//     comparison: std::regex itself overflows on some raw patterns).
#include <restinio/router/linear_regex_engine.hpp>
#include <restinio/router/std_regex_engine.hpp>

#include "fuzz_support.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace
{

namespace rr = restinio::router;

constexpr std::size_t max_subject = 12;
constexpr int max_depth = 3;

class generator_t
{
public:
    explicit generator_t( fuzz_support::input_reader_t & in ) : m_in{ in } {}

    // Appends an alternation to out; returns whether it can match the empty string.
    bool alternation( std::string & out, int depth )
    {
        const int count = 1 + pick( depth == 0 ? 3 : 2 );
        bool nullable = false;
        for( int i = 0; i != count; ++i )
        {
            if( i != 0 )
                out += '|';
            nullable = concat( out, depth ) || nullable;
        }
        return nullable;
    }

private:
    int pick( int n ) { return m_in.byte() % n; }

    bool concat( std::string & out, int depth )
    {
        const int count = pick( 4 ) + ( depth == 0 ? 1 : 0 );
        bool nullable = true;
        for( int i = 0; i != count; ++i )
            nullable = term( out, depth ) && nullable;
        return nullable;
    }

    bool term( std::string & out, int depth )
    {
        bool quantifiable = true;
        const bool nullable = atom( out, depth, quantifiable );
        if( !quantifiable || pick( 3 ) != 0 )
            return nullable;
        // The first three are unbounded: the engine refuses them after something nullable.
        static const char * const quantifiers[] = {
            "*", "+", "{1,}", "?", "{2}", "{0,1}", "{1,3}", "{0}", "{2,3}" };
        const int q = nullable ? 3 + pick( 6 ) : pick( 9 );
        out += quantifiers[ q ];
        m_quantified = true;
        if( pick( 3 ) == 0 )
            out += '?';
        return nullable || q == 0 || q == 3 || q == 5 || q == 7;
    }

    bool atom( std::string & out, int depth, bool & quantifiable )
    {
        static const char * const chars[] = {
            "a", "b", "A", "-", "\\/", "\\-", "1", ".", "[ab]", "[^a]", "[a-c]", "[\\d-]",
            "\\d", "\\w", "\\W", "\\s", "\\D", "[^\\/]", "\\.", "[A-Z]", "\\x61", "[\\w.]" };
        static const char * const zero_width[] = {
            "^", "$", "\\b", "\\B", "(?=$)", "(?=\\/|$)", "(?=a|-|$)", "(?!a)", "(?=[ab]a|$)",
            "(?!-|$)" };
        const int kind = depth >= max_depth ? pick( 2 ) : pick( 6 );
        if( kind <= 1 || kind == 5 )
        {
            out += chars[ pick( sizeof( chars ) / sizeof( *chars ) ) ];
            return false;
        }
        if( kind == 2 )
        {
            quantifiable = false;
            out += zero_width[ pick( sizeof( zero_width ) / sizeof( *zero_width ) ) ];
            return true;
        }
        // A quantified group holds no quantifier: std::regex, the reference, backtracks for
        // minutes on some nested repeats even over a 6-byte subject.
        const bool quantified_outside = std::exchange( m_quantified, false );
        out += kind == 3 ? "(" : "(?:";
        const bool nullable = alternation( out, depth + 1 );
        out += ')';
        quantifiable = !m_quantified;
        m_quantified = m_quantified || quantified_outside;
        return nullable;
    }

    fuzz_support::input_reader_t & m_in;
    bool m_quantified{ false };
};

template< typename Engine >
std::pair< bool, typename Engine::match_results_t > run(
    const typename Engine::compiled_regex_t & re, std::string_view subject )
{
    typename Engine::match_results_t m;
    const bool matched = Engine::try_match( subject, re, m );
    return { matched, matched ? m : typename Engine::match_results_t{} };
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    fuzz_support::input_reader_t input{ data, size };
    const std::uint8_t flags = input.byte();
    const bool sensitive = 0 == ( flags & 1 );

    if( flags & 2 )
    {
        const std::string pattern{ input.rest() };
        try
        {
            const auto re = rr::linear_regex_engine_t::compile_regex( pattern, sensitive );
            rr::linear_regex_engine_t::match_results_t m;
            if( rr::linear_regex_engine_t::try_match( pattern, re, m ) )
                for( const auto & [ begin, end ] : m )
                    FUZZ_REQUIRE( begin <= end && end <= pattern.size() );
        }
        catch( const restinio::exception_t & ) {}
        return 0;
    }

    std::string pattern;
    generator_t{ input }.alternation( pattern, 0 );
    while( input.rest().size() != 0 && input.byte() != 0xFF ) {}
    const std::string_view subject = input.rest().substr( 0, max_subject );

    const auto ours = rr::linear_regex_engine_t::compile_regex( pattern, sensitive );
    const auto theirs = rr::std_regex_engine_t::compile_regex( pattern, sensitive );
    FUZZ_REQUIRE( ours.slots / 2 == theirs.mark_count() + 1 );
    const auto a = run< rr::linear_regex_engine_t >( ours, subject );
    const auto b = run< rr::std_regex_engine_t >( theirs, subject );
    if( a != b )
        std::fprintf( stderr, "pattern '%s' on '%.*s'\n", pattern.c_str(),
            static_cast< int >( subject.size() ), subject.data() );
    FUZZ_REQUIRE( a == b );
    return 0;
}
