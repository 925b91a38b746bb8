// std_regex_engine_t: the express router's default regex engine, on std::regex.
//
// A regex engine is a type with static members the router calls, so another engine (PCRE,
// Boost) can be plugged into generic_express_router_t without virtual calls:
//   compiled_regex_t, match_results_t, matched_item_descriptor_t,
//   compile_regex( const std::string & regex, bool is_case_sensitive ) -> compiled_regex_t,
//   try_match( string_view_t target, const compiled_regex_t &, match_results_t & ) -> bool,
//   submatch_begin_pos( item ), submatch_end_pos( item ) -> std::size_t offsets in target.
// match_results_t holds the whole match first, then one item per capture group; a group that
// took no part in the match is the empty range [0, 0).
#pragma once

#include <restinio/exception.hpp>
#include <restinio/router/impl/offset_match_results.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <limits>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace restinio
{

namespace router
{

struct std_regex_engine_t : impl::offset_match_results_t
{
    using compiled_regex_t = std::regex;

    // std::match_results grows as needed, so there is no limit to announce.
    static constexpr std::size_t max_capture_groups() noexcept
    {
        return std::numeric_limits< std::size_t >::max();
    }

    // ECMAScript syntax, ignoring case unless asked not to. A malformed pattern becomes an
    // exception_t, like every other route error.
    static compiled_regex_t compile_regex( const std::string & regex, bool is_case_sensitive )
    {
        auto flags = std::regex::ECMAScript;
        if( !is_case_sensitive )
            flags |= std::regex::icase;
        try
        {
            return compiled_regex_t{ regex, flags };
        }
        catch( const std::regex_error & ex )
        {
            throw exception_t{ "invalid route regex '" + regex + "': " + ex.what() };
        }
    }

    // Matches at the start of target only (the route regexes begin with '^' anyway);
    // match_continuous spares regex_search from trying every later start position.
    static bool try_match(
        string_view_t target, const compiled_regex_t & regex, match_results_t & results )
    {
        std::cmatch matches;
        const char * const begin = target.data();
        if( !std::regex_search( begin, begin + target.size(), matches, regex,
                std::regex_constants::match_continuous ) )
            return false;

        results.clear();
        results.reserve( matches.size() );
        for( const auto & m : matches )
        {
            if( m.matched )
                results.emplace_back( static_cast< std::size_t >( m.first - begin ),
                    static_cast< std::size_t >( m.second - begin ) );
            else
                results.emplace_back( 0u, 0u );
        }
        return true;
    }
};

} // namespace router

} // namespace restinio
