// ws_registry_t: the open WebSocket connections of one server, so that a stopping server can
// tell each of them to go away (RFC 6455 7.4.1: a close frame with 1001) and close what is left
// after a time limit. An intrusive list: two pointers in each connection and no allocation,
// under a mutex taken when a connection opens or closes, never per frame.
//
// ws_going_away_t is that stop: every open connection gets its 1001 (after the frames its
// handlers queued before), the closing handshakes get the time limit, the connections left are
// then closed, and `done` runs once none is open. One steady_timer per server, on a strand of
// its own, whatever the thread pool.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

class ws_registry_t
{
public:
    // A connection whose socket is open. False once the server is stopping: the caller makes
    // the connection go away itself (it was not there to be told).
    [[nodiscard]] bool add( ws_connection_base_t & connection )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        connection.m_registry_prev = m_tail;
        connection.m_registry_next = nullptr;
        ( m_tail ? m_tail->m_registry_next : m_head ) = &connection;
        m_tail = &connection;
        return !m_stopping;
    }

    // The connection's socket is closed (or the connection is destroyed). Idempotent. When the
    // last one goes during a stop, `on_empty` runs, here, outside the lock.
    void remove( ws_connection_base_t & connection ) noexcept
    {
        std::function< void() > on_empty;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            if( !connection.m_registry_prev && m_head != &connection )
                return;
            ( connection.m_registry_prev ? connection.m_registry_prev->m_registry_next : m_head )
                    = connection.m_registry_next;
            ( connection.m_registry_next ? connection.m_registry_next->m_registry_prev : m_tail )
                    = connection.m_registry_prev;
            connection.m_registry_prev = nullptr;
            connection.m_registry_next = nullptr;
            if( !m_head )
                on_empty.swap( m_on_empty );
        }
        if( on_empty )
            on_empty();
    }

    // The server is stopping: from now on add() says so. `on_empty` runs once no connection is
    // open (at once, here, if none is). Returns the connections open now.
    [[nodiscard]] std::vector< ws_connection_handle_t > stop( std::function< void() > on_empty )
    {
        std::vector< ws_connection_handle_t > open;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            m_stopping = true;
            open = open_connections_locked();
            if( m_head )
                m_on_empty = std::move( on_empty );
        }
        if( open.empty() && on_empty )
            on_empty();
        return open;
    }

    // The server is open (again): add() no longer says it is stopping.
    void resume() noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        m_stopping = false;
    }

    [[nodiscard]] std::vector< ws_connection_handle_t > open_connections()
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return open_connections_locked();
    }

private:
    // A connection being destroyed is still listed until its destructor removes it, but can no
    // longer be locked: it is skipped.
    [[nodiscard]] std::vector< ws_connection_handle_t > open_connections_locked() const
    {
        std::vector< ws_connection_handle_t > open;
        for( auto * c = m_head; c; c = c->m_registry_next )
            if( auto handle = c->weak_from_this().lock() )
                open.push_back( std::static_pointer_cast< ws_connection_base_t >( std::move( handle ) ) );
        return open;
    }

    std::mutex m_lock;
    ws_connection_base_t * m_head{ nullptr };
    ws_connection_base_t * m_tail{ nullptr };
    bool m_stopping{ false };
    std::function< void() > m_on_empty;
};

class ws_going_away_t final : public std::enable_shared_from_this< ws_going_away_t >
{
public:
    ws_going_away_t( asio_ns::io_context & io_context, std::shared_ptr< ws_registry_t > registry )
        : m_strand{ io_context.get_executor() }, m_timer{ io_context }, m_registry{ std::move( registry ) }
    {}

    // Starts the stop; `done` runs on the io_context once no connection is open.
    void start( std::chrono::steady_clock::duration limit, std::function< void() > done )
    {
        m_done = std::move( done );
        const auto open = m_registry->stop( [ weak = weak_from_this() ] {
            if( auto self = weak.lock() )
                asio_ns::post( self->m_strand, [ self ] { self->finish(); } );
        } );
        for( const auto & connection : open )
            connection->go_away();
        asio_ns::dispatch( m_strand, [ self = shared_from_this(), limit ] {
            if( !self->m_done )
                return;
            self->m_timer.expires_after( limit );
            self->m_timer.async_wait( asio_ns::bind_executor( self->m_strand,
                [ self ]( const asio_ns::error_code & ec ) {
                    if( ec || !self->m_done )
                        return;
                    // Closing them is quick: each is then removed, and the last runs finish().
                    for( const auto & connection : self->m_registry->open_connections() )
                        connection->kill();
                } ) );
        } );
    }

    // Only a stop that is under way waits: without one, close_sync() tells every connection to
    // go away and returns (each then has the close-handshake time limit).
    static void tell_all( ws_registry_t & registry )
    {
        for( const auto & connection : registry.stop( {} ) )
            connection->go_away();
    }

private:
    void finish()
    {
        if( !m_done )
            return;
        asio_ns::error_code ignored;
        m_timer.cancel( ignored );
        std::exchange( m_done, nullptr )();
    }

    asio_ns::strand< asio_ns::io_context::executor_type > m_strand;
    asio_ns::steady_timer m_timer;
    const std::shared_ptr< ws_registry_t > m_registry;
    std::function< void() > m_done;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
