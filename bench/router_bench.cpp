// router_bench: the cost of routing a typical path through ten express routes, on
// linear_regex_engine_t (the router's default) and on std_regex_engine_t, in one run. Each
// path is tried against the routes in order until one matches, as the router does; the time
// is per path routed, and the ratio is std::regex's time over the linear engine's.
//
//   router_bench [--rounds 200000]
#include <restinio/path2regex/path2regex.hpp>
#include <restinio/router/linear_regex_engine.hpp>
#include <restinio/router/std_regex_engine.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace
{

namespace p2r = restinio::path2regex;

const char * const routes[] = {
    "/", "/health", "/api/v1/users", "/api/v1/users/:id(\\d+)", "/api/v1/users/:id(\\d+)/posts/:post",
    "/chat/:room", "/static/:path+", "/files/:name.:ext", "/api/v1/search", "/admin/:section?",
};

const char * const paths[] = {
    "/api/v1/users/12345", "/chat/lobby", "/static/css/site.css", "/health",
    "/api/v1/users/42/posts/7", "/files/report.pdf", "/nope/not/here",
};

template< typename Engine >
double ns_per_path( std::size_t rounds, std::size_t & matched )
{
    std::vector< typename Engine::compiled_regex_t > compiled;
    for( const char * r : routes )
        compiled.push_back( p2r::path2regex< Engine >( r, {} ).m_regex );
    typename Engine::match_results_t m;
    matched = 0;
    const auto start = std::chrono::steady_clock::now();
    for( std::size_t i = 0; i != rounds; ++i )
        for( const char * p : paths )
            for( const auto & re : compiled )
                if( Engine::try_match( p, re, m ) )
                {
                    matched += m.size();
                    break;
                }
    const std::chrono::duration< double, std::nano > elapsed = std::chrono::steady_clock::now() - start;
    return elapsed.count() / static_cast< double >( rounds * ( sizeof( paths ) / sizeof( *paths ) ) );
}

} // namespace

int main( int argc, char ** argv )
{
    std::size_t rounds = 200000;
    if( argc == 3 && std::strcmp( argv[ 1 ], "--rounds" ) == 0 )
        rounds = std::strtoul( argv[ 2 ], nullptr, 10 );

    std::size_t linear_groups = 0;
    std::size_t std_groups = 0;
    ns_per_path< restinio::router::linear_regex_engine_t >( rounds / 10 + 1, linear_groups );
    const double linear = ns_per_path< restinio::router::linear_regex_engine_t >( rounds, linear_groups );
    const double standard = ns_per_path< restinio::router::std_regex_engine_t >( rounds, std_groups );
    if( linear_groups != std_groups )
    {
        std::printf( "the engines disagree: %zu vs %zu groups\n", linear_groups, std_groups );
        return 1;
    }
    std::printf( "10 routes, %zu paths x %zu rounds\n", sizeof( paths ) / sizeof( *paths ), rounds );
    std::printf( "linear_regex_engine_t  %8.1f ns per path\n", linear );
    std::printf( "std_regex_engine_t     %8.1f ns per path\n", standard );
    std::printf( "std / linear           %8.2f\n", standard / linear );
    return 0;
}
