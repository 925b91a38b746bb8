// restinio::string_view_t: the one string view type used across the public API.
//
// RESTinio 0.6 aliased a string-view-lite type here; in C++17 it is std::string_view.
#pragma once

#include <string_view>

namespace restinio
{

using string_view_t = std::string_view;

} // namespace restinio
