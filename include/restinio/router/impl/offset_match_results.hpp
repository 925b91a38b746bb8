// What both regex engines give the router for a match: the whole match, then one (begin, end)
// offset pair in the target per capture group; a group that took no part is [0, 0).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace restinio
{
namespace router
{
namespace impl
{

struct offset_match_results_t
{
    using matched_item_descriptor_t = std::pair< std::size_t, std::size_t >;
    using match_results_t = std::vector< matched_item_descriptor_t >;

    static std::size_t submatch_begin_pos( const matched_item_descriptor_t & m ) noexcept
    {
        return m.first;
    }

    static std::size_t submatch_end_pos( const matched_item_descriptor_t & m ) noexcept
    {
        return m.second;
    }
};

} // namespace impl
} // namespace router
} // namespace restinio
