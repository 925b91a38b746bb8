// Notices about a connection's life a user listener can receive: accepted, closed, upgraded.
// Every connection gets `accepted_t` and, once its TCP connection has ended, one `closed_t`; an
// upgraded one gets `upgraded_to_websocket_t` in between. RESTinio never reports an upgraded
// connection closed.
#pragma once

#include <restinio/common_types.hpp>
#include <restinio/tls_fwd.hpp>

#include <variant>

namespace restinio
{
namespace connection_state
{

// For a TLS connection it gives the listener the connection's TLS state (the `SSL *`) during
// the notice; the inspect_tls helpers are defined in tls.hpp. The handshake has not run yet.
class accepted_t final
{
public:
    accepted_t() noexcept = default;
    explicit accepted_t( tls_socket_t * tls_socket ) noexcept : m_tls_socket{ tls_socket } {}

    [[nodiscard]] bool is_tls_connection() const noexcept { return nullptr != m_tls_socket; }

    // Calls `lambda( tls_accessor_t )` for a TLS connection only.
    template< typename Lambda >
    void try_inspect_tls( Lambda && lambda ) const;

    // `lambda( tls_accessor_t )`'s result; throws exception_t for a connection without TLS.
    template< typename Lambda >
    decltype( auto ) inspect_tls_or_throw( Lambda && lambda ) const;

    // `lambda( tls_accessor_t )`'s result, or `default_value` for a connection without TLS.
    template< typename Lambda, typename T >
    T inspect_tls_or_default( Lambda && lambda, T && default_value ) const;

private:
    tls_socket_t * m_tls_socket{ nullptr };
};

class closed_t final {};

class upgraded_to_websocket_t final {};

using cause_t = std::variant< accepted_t, closed_t, upgraded_to_websocket_t >;

class notice_t
{
public:
    notice_t( connection_id_t conn_id, endpoint_t remote_endpoint, cause_t cause )
        : m_conn_id{ conn_id }, m_remote_endpoint{ remote_endpoint }, m_cause{ cause }
    {}

    [[nodiscard]] connection_id_t connection_id() const noexcept { return m_conn_id; }
    [[nodiscard]] endpoint_t remote_endpoint() const noexcept { return m_remote_endpoint; }
    [[nodiscard]] cause_t cause() const noexcept { return m_cause; }

private:
    connection_id_t m_conn_id;
    endpoint_t m_remote_endpoint;
    cause_t m_cause;
};

struct noop_listener_t {};

} // namespace connection_state

namespace impl
{

// Calls the listener if the traits name one; compiles to nothing for noop_listener_t.
template< typename Listener >
class connection_state_notifier_t
{
public:
    explicit connection_state_notifier_t( std::shared_ptr< Listener > listener )
        : m_listener{ std::move( listener ) }
    {}

    void notify( connection_id_t id, const endpoint_t & ep, connection_state::cause_t cause ) const
    {
        m_listener->state_changed( connection_state::notice_t{ id, ep, cause } );
    }

    // Sent from destructors: a listener is to be noexcept, and one that throws loses this
    // notice, not the server.
    void notify_closed( connection_id_t id, const endpoint_t & ep ) const noexcept
    {
        try
        {
            notify( id, ep, connection_state::closed_t{} );
        }
        catch( ... )
        {
        }
    }

private:
    std::shared_ptr< Listener > m_listener;
};

template<>
class connection_state_notifier_t< connection_state::noop_listener_t >
{
public:
    explicit connection_state_notifier_t( std::shared_ptr< connection_state::noop_listener_t > ) {}
    void notify( connection_id_t, const endpoint_t &, const connection_state::cause_t & ) const noexcept {}
    void notify_closed( connection_id_t, const endpoint_t & ) const noexcept {}
};

// The remote endpoint a connection keeps for its closed notice alone: nothing where no
// listener would hear of it (a WebSocket connection costs 32 bytes less).
template< typename Listener >
class notice_endpoint_t
{
public:
    explicit notice_endpoint_t( const endpoint_t & ep ) : m_endpoint{ ep } {}
    [[nodiscard]] const endpoint_t & get() const noexcept { return m_endpoint; }

private:
    endpoint_t m_endpoint;
};

template<>
class notice_endpoint_t< connection_state::noop_listener_t >
{
public:
    explicit notice_endpoint_t( const endpoint_t & ) noexcept {}
    [[nodiscard]] endpoint_t get() const noexcept { return {}; }
};

} // namespace impl

} // namespace restinio
