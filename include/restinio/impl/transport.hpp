// What a connection does with the traits' socket type: which transport it reads and writes
// through (plain_transport.hpp for a TCP socket), how an accepted TCP socket becomes one, and
// what the connection-state listener's accepted notice carries. tls.hpp adds the same for
// tls_socket_t (tls_socket_kind.hpp), so that the connections and the acceptor need nothing
// of OpenSSL unless the traits name a TLS socket.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/connection_state_listener.hpp>
#include <restinio/impl/plain_transport.hpp>

#include <utility>

namespace restinio
{
namespace impl
{

template< typename Socket >
struct socket_kind_t
{
    template< typename Traits, typename Owner >
    using transport_t = plain_transport_t< Traits, Owner >;

    // What a connection holds: the TCP socket itself, on the io_context's executor.
    using socket_t = tcp_socket_t;

    // Made from the server's settings, once per server.
    class maker_t
    {
    public:
        template< typename Settings >
        explicit maker_t( Settings & ) noexcept {}

        [[nodiscard]] tcp_socket_t make( tcp_socket_t socket ) const noexcept { return socket; }
    };

    [[nodiscard]] static connection_state::accepted_t accepted_notice( tcp_socket_t & ) noexcept { return {}; }
};

template< typename Traits, typename Owner = void >
using transport_t = typename socket_kind_t< typename Traits::stream_socket_t >::template transport_t< Traits, Owner >;

// The socket a connection of these traits holds (and an upgrade hands over).
template< typename Traits >
using connection_socket_t = typename socket_kind_t< typename Traits::stream_socket_t >::socket_t;

} // namespace impl
} // namespace restinio
