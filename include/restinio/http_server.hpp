// http_server_t: a server on an io_context, opened and closed synchronously (on the io_context's
// thread) or asynchronously (posted to it, with callbacks). Closing stops accepting and tells
// every open WebSocket connection that the server is going away (RFC 6455 7.4.1: 1001);
// close_async() then waits up to websocket_going_away_timelimit for their closing handshakes and
// closes those left before it runs the cleanup function and its callback.
#pragma once

#include <restinio/impl/acceptor.hpp>
#include <restinio/impl/connection_settings.hpp>
#include <restinio/settings.hpp>

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace restinio
{

using io_context_shared_ptr_t = std::shared_ptr< asio_ns::io_context >;

class io_context_holder_t
{
public:
    explicit io_context_holder_t( io_context_shared_ptr_t context ) : m_context{ std::move( context ) } {}
    [[nodiscard]] io_context_shared_ptr_t giveaway_context() { return std::move( m_context ); }

private:
    io_context_shared_ptr_t m_context;
};

// The server makes and owns a new io_context.
[[nodiscard]] inline io_context_holder_t own_io_context()
{
    return io_context_holder_t{ std::make_shared< asio_ns::io_context >() };
}

// The server uses the caller's io_context, which must outlive it.
[[nodiscard]] inline io_context_holder_t external_io_context( asio_ns::io_context & ctx )
{
    return io_context_holder_t{ std::shared_ptr< asio_ns::io_context >( &ctx, []( asio_ns::io_context * ) {} ) };
}

template< typename Traits = default_traits_t >
class http_server_t
{
public:
    using traits_t = Traits;
    using timer_manager_t = typename Traits::timer_manager_t;
    using timer_manager_handle_t = std::shared_ptr< timer_manager_t >;

    http_server_t( const http_server_t & ) = delete;
    http_server_t( http_server_t && ) = delete;

    template< typename D >
    http_server_t( io_context_holder_t io_context, basic_server_settings_t< D, Traits > && settings )
        : m_io_context{ io_context.giveaway_context() }
        , m_cleanup_functor{ settings.giveaway_cleanup_func() }
    {
        settings.ensure_valid_connection_state_listener();
        settings.ensure_valid_ip_blocker();
        m_timer_manager = settings.timer_factory()->create( *m_io_context );
        m_connection_settings = std::make_shared< impl::connection_settings_t< Traits > >(
                settings, m_timer_manager );
        m_acceptor = std::make_shared< impl::acceptor_t< Traits > >(
                settings, *m_io_context, m_connection_settings );
    }

    template< typename Configurator,
              typename = decltype( std::declval< Configurator >()(
                    std::declval< server_settings_t< Traits > & >() ) ) >
    http_server_t( io_context_holder_t io_context, Configurator && configurator )
        : http_server_t{ std::move( io_context ), make_settings( std::forward< Configurator >( configurator ) ) }
    {}

    virtual ~http_server_t()
    {
        try { close_sync(); } catch( ... ) {}
    }

    [[nodiscard]] asio_ns::io_context & io_context() noexcept { return *m_io_context; }

    template< typename Server_Open_Ok_CB, typename Server_Open_Error_CB >
    void open_async( Server_Open_Ok_CB open_ok_cb, Server_Open_Error_CB open_err_cb )
    {
        asio_ns::post( *m_io_context,
            [ this, ok = std::move( open_ok_cb ), err = std::move( open_err_cb ) ]() mutable {
                try
                {
                    open_sync();
                }
                catch( ... )
                {
                    err( std::current_exception() );
                    return;
                }
                ok();
            } );
    }

    // Must run on the io_context's thread. A second call does nothing.
    void open_sync()
    {
        if( m_running )
            return;
        m_timer_manager->start();
        m_acceptor->open();
        m_connection_settings->m_websocket_connections.resume();
        m_running = true;
    }

    // A call while a close is under way (a second signal, say) does not wait: its callback runs
    // at once.
    template< typename Server_Close_Ok_CB, typename Server_Close_Error_CB >
    void close_async( Server_Close_Ok_CB close_ok_cb, Server_Close_Error_CB close_err_cb )
    {
        asio_ns::post( *m_io_context,
            [ this, ok = std::move( close_ok_cb ), err = std::move( close_err_cb ) ]() mutable {
                auto finish = [ this, ok = std::move( ok ), err = std::move( err ) ]() mutable {
                    try
                    {
                        finish_close();
                    }
                    catch( ... )
                    {
                        err( std::current_exception() );
                        return;
                    }
                    ok();
                };
                if( !std::exchange( m_running, false ) )
                    return finish();
                m_acceptor->close();
                m_going_away = std::make_shared< websocket::basic::impl::ws_going_away_t >( *m_io_context,
                        std::shared_ptr< websocket::basic::impl::ws_registry_t >{
                                m_connection_settings, &m_connection_settings->m_websocket_connections } );
                // Shared: std::function wants a copyable callable, and the callbacks may not be.
                m_going_away->start( m_connection_settings->m_websocket_going_away_timelimit,
                        [ f = std::make_shared< decltype( finish ) >( std::move( finish ) ) ] { ( *f )(); } );
            } );
    }

    // Stops accepting, tells every open WebSocket connection to go away (its 1001 leaves now if
    // its socket takes it; it then has the close-handshake time limit), and runs the cleanup
    // function once. It does not wait: open connections finish as the io_context runs.
    void close_sync()
    {
        if( !std::exchange( m_running, false ) )
            return;
        m_acceptor->close();
        websocket::basic::impl::ws_going_away_t::tell_all( m_connection_settings->m_websocket_connections );
        finish_close();
    }

private:
    void finish_close()
    {
        m_timer_manager->stop();
        if( m_cleanup_functor )
        {
            auto cleanup = std::move( m_cleanup_functor );
            m_cleanup_functor = nullptr;
            cleanup();
        }
    }

    template< typename Configurator >
    static server_settings_t< Traits > make_settings( Configurator && configurator )
    {
        server_settings_t< Traits > settings;
        configurator( settings );
        return settings;
    }

    io_context_shared_ptr_t m_io_context;
    cleanup_functor_t m_cleanup_functor;
    timer_manager_handle_t m_timer_manager;
    impl::connection_settings_handle_t< Traits > m_connection_settings;
    std::shared_ptr< impl::acceptor_t< Traits > > m_acceptor;
    std::shared_ptr< websocket::basic::impl::ws_going_away_t > m_going_away;
    bool m_running{ false };
};

} // namespace restinio
