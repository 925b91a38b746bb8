// connection_timer_t: a connection's place in its timer manager's list, for HTTP and WebSocket
// connections alike. At most one check is scheduled at a time (the manager then calls the
// connection's check_timeout(), which calls fired()), and the guard is made only when first
// needed: most WebSocket connections never wait for a deadline, so they hold no guard.
#pragma once

#include <restinio/tcp_connection_ctx_base.hpp>

#include <memory>
#include <utility>

namespace restinio
{
namespace impl
{

template< typename Timer_Guard >
class connection_timer_t
{
public:
    // `settings` has create_timer_guard() (connection_settings_t).
    template< typename Settings >
    void schedule( const Settings & settings, tcp_connection_ctx_weak_handle_t connection )
    {
        if( m_scheduled )
            return;
        if( !m_guard )
            m_guard = std::make_unique< Timer_Guard >( settings.create_timer_guard() );
        m_scheduled = true;
        m_guard->schedule( std::move( connection ) );
    }

    [[nodiscard]] bool scheduled() const noexcept { return m_scheduled; }

    // The manager has called check_timeout(): nothing is scheduled any more.
    void fired() noexcept { m_scheduled = false; }

    void cancel() noexcept
    {
        if( m_guard )
            m_guard->cancel();
        m_scheduled = false;
    }

private:
    std::unique_ptr< Timer_Guard > m_guard;
    bool m_scheduled{ false };
};

} // namespace impl
} // namespace restinio
