// https:// and wss://: a server whose traits name tls_socket_t (tls_traits_t and the aliases
// below) speaks TLS on every connection it accepts, with the OpenSSL context given in its
// settings. The only header of the library that needs OpenSSL (link OpenSSL::SSL, or the
// restinio::tls CMake target).
//
//   restinio::run( restinio::on_this_thread< restinio::default_tls_traits_t >()
//           .port( 443 ).request_handler( ... )
//           .tls_context( std::move( context ) )         // an asio::ssl::context
//           .tls_handshake_timelimit( std::chrono::seconds{ 10 } ) );
//
// The TLS handshake runs when the connection is accepted, before any HTTP; a client that has
// not finished it within tls_handshake_timelimit() (10 seconds unless set) is disconnected, and
// a failed one is closed at once; either is logged as a warning.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/exception.hpp>
#include <restinio/impl/tls_socket.hpp>
#include <restinio/impl/tls_transport.hpp>
#include <restinio/impl/transport.hpp>
#include <restinio/settings.hpp>
#include <restinio/traits.hpp>

#include <asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace restinio
{

namespace connection_state
{

// What a connection-state listener may look at of a TLS connection, during the notice.
class tls_accessor_t
{
public:
    explicit tls_accessor_t( tls_socket_t & tls_socket ) noexcept : m_tls_socket{ tls_socket } {}

    // OpenSSL's connection: SSL_get_peer_certificate( native_handle() ) and the like. Null
    // once a TLS 1.3 connection has left OpenSSL after its handshake (see tls_socket.hpp); the
    // accepted notice comes before the handshake.
    [[nodiscard]] SSL * native_handle() const noexcept { return m_tls_socket.native_handle(); }

private:
    tls_socket_t & m_tls_socket;
};

template< typename Lambda >
void accepted_t::try_inspect_tls( Lambda && lambda ) const
{
    if( m_tls_socket )
        std::forward< Lambda >( lambda )( tls_accessor_t{ *m_tls_socket } );
}

template< typename Lambda >
decltype( auto ) accepted_t::inspect_tls_or_throw( Lambda && lambda ) const
{
    if( !m_tls_socket )
        throw exception_t{ "an attempt to call inspect_tls for non-TLS-connection" };
    return std::forward< Lambda >( lambda )( tls_accessor_t{ *m_tls_socket } );
}

template< typename Lambda, typename T >
T accepted_t::inspect_tls_or_default( Lambda && lambda, T && default_value ) const
{
    if( m_tls_socket )
        return std::forward< Lambda >( lambda )( tls_accessor_t{ *m_tls_socket } );
    return std::forward< T >( default_value );
}

} // namespace connection_state

template<
    typename Timer_Manager,
    typename Logger,
    typename Request_Handler = details::autodetect_request_handler_type,
    typename Strand = default_strand_t >
using tls_traits_t = traits_t< Timer_Manager, Logger, Request_Handler, Strand, tls_socket_t >;

template<
    typename Timer_Manager,
    typename Logger,
    typename Request_Handler = details::autodetect_request_handler_type >
using single_thread_tls_traits_t = tls_traits_t< Timer_Manager, Logger, Request_Handler, noop_strand_t >;

using default_tls_traits_t = tls_traits_t< asio_timer_manager_t, null_logger_t >;

// The settings of a server with TLS traits.
template< typename Settings >
class socket_type_dependent_settings_t< Settings, tls_socket_t >
{
public:
    socket_type_dependent_settings_t() = default;
    socket_type_dependent_settings_t( socket_type_dependent_settings_t && ) noexcept = default;
    socket_type_dependent_settings_t & operator=( socket_type_dependent_settings_t && ) noexcept = default;

    Settings & tls_context( asio_ns::ssl::context context ) &
    {
        return tls_context( std::make_shared< asio_ns::ssl::context >( std::move( context ) ) );
    }
    Settings && tls_context( asio_ns::ssl::context context ) &&
    {
        return std::move( tls_context( std::move( context ) ) );
    }

    // A context shared with other servers (or anything else).
    Settings & tls_context( std::shared_ptr< asio_ns::ssl::context > context ) &
    {
        m_tls_context = std::move( context );
        return static_cast< Settings & >( *this );
    }
    Settings && tls_context( std::shared_ptr< asio_ns::ssl::context > context ) &&
    {
        return std::move( tls_context( std::move( context ) ) );
    }

    [[nodiscard]] std::shared_ptr< asio_ns::ssl::context > giveaway_tls_context() { return std::move( m_tls_context ); }

    // Not in RESTinio: how long a client may take over the TLS handshake after it connected.
    Settings & tls_handshake_timelimit( std::chrono::steady_clock::duration limit ) &
    {
        m_tls_handshake_timelimit = limit;
        return static_cast< Settings & >( *this );
    }
    Settings && tls_handshake_timelimit( std::chrono::steady_clock::duration limit ) &&
    {
        return std::move( tls_handshake_timelimit( limit ) );
    }
    [[nodiscard]] std::chrono::steady_clock::duration tls_handshake_timelimit() const noexcept
    {
        return m_tls_handshake_timelimit;
    }

protected:
    ~socket_type_dependent_settings_t() = default;

private:
    std::shared_ptr< asio_ns::ssl::context > m_tls_context;
    std::chrono::steady_clock::duration m_tls_handshake_timelimit{ std::chrono::seconds{ 10 } };
};

namespace impl
{

template<>
struct socket_kind_t< tls_socket_t >
{
    template< typename Traits, typename Owner >
    using transport_t = tls_transport_t< Traits, Owner >;

    using socket_t = tls_socket_t;

    class maker_t
    {
    public:
        template< typename Settings >
        explicit maker_t( Settings & settings )
            : m_context{ settings.giveaway_tls_context() }
            , m_handshake_timelimit{ settings.tls_handshake_timelimit() }
        {
            if( !m_context )
                throw exception_t{ "TLS traits need a tls_context() in the server settings" };
            tls_socket_t::prepare_context( m_context->native_handle() );
        }

        [[nodiscard]] tls_socket_t make( tcp_socket_t socket ) const
        {
            return tls_socket_t{ std::move( socket ), m_context->native_handle(),
                                 std::chrono::steady_clock::now() + m_handshake_timelimit };
        }

    private:
        std::shared_ptr< asio_ns::ssl::context > m_context;
        std::chrono::steady_clock::duration m_handshake_timelimit;
    };

    [[nodiscard]] static connection_state::accepted_t accepted_notice( tls_socket_t & socket ) noexcept
    {
        return connection_state::accepted_t{ &socket };
    }
};

} // namespace impl

} // namespace restinio
