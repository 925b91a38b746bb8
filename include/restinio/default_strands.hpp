// The two ways a connection serialises its work: a real strand for servers run on several
// threads, and the plain executor (no cost at all) for single-threaded servers.
#pragma once

#include <restinio/common_types.hpp>

namespace restinio
{

using default_strand_t = asio_ns::strand< default_asio_executor >;
using noop_strand_t = default_asio_executor;

} // namespace restinio
