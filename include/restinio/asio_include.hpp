// Standalone Asio, and the restinio::asio_ns alias user code spells it with.
#pragma once

#if !defined( ASIO_STANDALONE )
#define ASIO_STANDALONE
#endif

#include <asio.hpp>

namespace restinio
{

namespace asio_ns = ::asio;

} // namespace restinio
