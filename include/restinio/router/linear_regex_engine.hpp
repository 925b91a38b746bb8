// linear_regex_engine_t: the express router's default regex engine. It matches in time linear
// in the path's length (times the pattern's size), with no recursion and bounded memory. The
// path comes from the network, and std::regex (std_regex_engine_t, still available) recurses
// per repeated character - a long path overflows the stack - and backtracks exponentially on
// routes such as "/:a-:b-:c" (a deliberate difference from RESTinio, see README.md).
//
// It runs the ECMAScript subset routes use (impl/regex_parser.hpp lists it), with the same
// matches and captures as std::regex, and refuses the rest with exception_t when the route is
// added. Case-insensitive routes fold ASCII letters only, as std::regex does in the "C" locale.
// The static interface is std_regex_engine_t's (see its header).
#pragma once

#include <restinio/router/impl/offset_match_results.hpp>
#include <restinio/router/impl/pike_vm.hpp>
#include <restinio/router/impl/regex_parser.hpp>
#include <restinio/router/impl/regex_program.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace restinio
{

namespace router
{

struct linear_regex_engine_t : impl::offset_match_results_t
{
    using compiled_regex_t = impl::regex::program_t;

    // At most; a pattern with many groups may also meet the program size limit.
    static constexpr std::size_t max_capture_groups() noexcept
    {
        return impl::regex::parser_t::max_capture_groups;
    }

    // Throws exception_t naming the pattern for syntax it does not run, a malformed pattern
    // or one whose program would be too large.
    static compiled_regex_t compile_regex( const std::string & regex, bool is_case_sensitive )
    {
        const auto ast = impl::regex::parser_t{ regex, is_case_sensitive }.parse();
        return impl::regex::compiler_t{ ast, regex }.compile();
    }

    // Matches at the start of target only. The VM's scratch is per thread, since the router
    // may run on many threads at once; it grows to the largest route's needs (at most about
    // 4 MiB, by the program size limit) and is then reused, so a match allocates nothing but
    // the results.
    static bool try_match(
        string_view_t target, const compiled_regex_t & regex, match_results_t & results )
    {
        thread_local impl::regex::vm_scratch_t scratch;
        impl::regex::pike_vm_t vm{ regex, target, scratch };
        if( !vm.run() )
            return false;

        const std::size_t * slots = vm.slots();
        results.clear();
        results.reserve( regex.slots / 2 );
        for( std::size_t i = 0; i != regex.slots; i += 2 )
        {
            if( slots[ i ] != impl::regex::no_position && slots[ i + 1 ] != impl::regex::no_position )
                results.emplace_back( slots[ i ], slots[ i + 1 ] );
            else
                results.emplace_back( 0u, 0u );
        }
        return true;
    }
};

} // namespace router

} // namespace restinio
