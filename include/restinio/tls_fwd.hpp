// The name of the TLS socket type, for headers that must mention it without needing OpenSSL
// (connection_state::accepted_t keeps a pointer to one). Its definition is in tls.hpp.
#pragma once

namespace restinio
{
namespace impl
{

class tls_socket_t;

} // namespace impl

using tls_socket_t = impl::tls_socket_t;

} // namespace restinio
