// restinio::run(): run a server on this thread or on a thread pool until SIGINT/SIGTERM, and
// run_async()/on_pool_runner_t for servers that run in the background.
#pragma once

#include <restinio/http_server.hpp>

#include <algorithm>
#include <csignal>
#include <exception>
#include <future>
#include <optional>
#include <mutex>
#include <thread>
#include <vector>

namespace restinio
{

template< typename Traits >
class run_on_this_thread_settings_t final
    : public basic_server_settings_t< run_on_this_thread_settings_t< Traits >, Traits >
{
    using base_type_t = basic_server_settings_t< run_on_this_thread_settings_t< Traits >, Traits >;

public:
    using base_type_t::base_type_t;
};

template< typename Traits = default_single_thread_traits_t >
[[nodiscard]] run_on_this_thread_settings_t< Traits > on_this_thread()
{
    return run_on_this_thread_settings_t< Traits >{};
}

template< typename Traits >
class run_on_thread_pool_settings_t final
    : public basic_server_settings_t< run_on_thread_pool_settings_t< Traits >, Traits >
{
    using base_type_t = basic_server_settings_t< run_on_thread_pool_settings_t< Traits >, Traits >;

public:
    explicit run_on_thread_pool_settings_t( std::size_t pool_size ) : m_pool_size{ pool_size } {}

    [[nodiscard]] std::size_t pool_size() const { return m_pool_size; }

private:
    std::size_t m_pool_size;
};

template< typename Traits = default_traits_t >
[[nodiscard]] run_on_thread_pool_settings_t< Traits > on_thread_pool( std::size_t pool_size )
{
    return run_on_thread_pool_settings_t< Traits >{ pool_size };
}

enum class break_signal_handling_t { used, skipped };

[[nodiscard]] constexpr break_signal_handling_t use_break_signal_handling() noexcept
{
    return break_signal_handling_t::used;
}

[[nodiscard]] constexpr break_signal_handling_t skip_break_signal_handling() noexcept
{
    return break_signal_handling_t::skipped;
}

namespace impl
{

// Runs an io_context on N threads (the calling thread is not one of them).
class ioctx_on_thread_pool_t
{
public:
    ioctx_on_thread_pool_t( std::size_t pool_size, asio_ns::io_context & ioctx )
        : m_pool_size{ pool_size == 0 ? 1 : pool_size }, m_ioctx{ ioctx }
    {}

    ioctx_on_thread_pool_t( const ioctx_on_thread_pool_t & ) = delete;

    ~ioctx_on_thread_pool_t()
    {
        if( started() )
        {
            stop();
            wait();
        }
    }

    void start()
    {
        m_work.emplace( asio_ns::make_work_guard( m_ioctx ) );
        m_threads.reserve( m_pool_size );
        for( std::size_t i = 0; i != m_pool_size; ++i )
            m_threads.emplace_back( [ this ] { m_ioctx.run(); } );
    }

    [[nodiscard]] bool started() const noexcept { return !m_threads.empty(); }

    void stop() noexcept
    {
        m_work.reset();
        m_ioctx.stop();
    }

    void wait() noexcept
    {
        for( auto & t : m_threads )
            if( t.joinable() )
                t.join();
        m_threads.clear();
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_pool_size; }

private:
    const std::size_t m_pool_size;
    asio_ns::io_context & m_ioctx;
    std::optional< asio_ns::executor_work_guard< asio_ns::io_context::executor_type > > m_work;
    std::vector< std::thread > m_threads;
};

// Opens `server`, closes it on SIGINT/SIGTERM (then stops the io_context), and keeps the
// first failure to rethrow once the io_context has stopped.
template< typename Traits >
class signal_driven_run_t
{
public:
    signal_driven_run_t( http_server_t< Traits > & server, break_signal_handling_t break_handling )
        : m_server{ server }, m_signals{ server.io_context() }
    {
        if( break_signal_handling_t::used == break_handling )
        {
            m_signals.add( SIGINT );
            m_signals.add( SIGTERM );
            m_signals.async_wait( [ this ]( const asio_ns::error_code & ec, int ) {
                if( !ec )
                    close_and_stop();
            } );
        }
    }

    void open()
    {
        m_server.open_async(
            [] {},
            [ this ]( std::exception_ptr ex ) {
                remember( ex );
                stop();
            } );
    }

    void close_and_stop()
    {
        m_server.close_async(
            [ this ] { stop(); },
            [ this ]( std::exception_ptr ex ) {
                remember( ex );
                stop();
            } );
    }

    void rethrow_if_failed()
    {
        if( m_failure )
            std::rethrow_exception( m_failure );
    }

private:
    void remember( std::exception_ptr ex )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        if( !m_failure )
            m_failure = ex;
    }

    void stop()
    {
        asio_ns::error_code ignored;
        m_signals.cancel( ignored );
        m_server.io_context().stop();
    }

    http_server_t< Traits > & m_server;
    asio_ns::signal_set m_signals;
    std::mutex m_lock;
    std::exception_ptr m_failure;
};

// Opens `server`, runs its io_context on this thread (pool_size 0) or on a pool until the
// server is closed by a signal or fails to open, and rethrows that failure.
template< typename Traits >
void run_until_stopped( http_server_t< Traits > & server, break_signal_handling_t break_handling,
                        std::size_t pool_size )
{
    signal_driven_run_t< Traits > runner{ server, break_handling };
    runner.open();
    if( 0 == pool_size )
        server.io_context().run();
    else
    {
        ioctx_on_thread_pool_t pool{ pool_size, server.io_context() };
        pool.start();
        pool.wait();
    }
    runner.rethrow_if_failed();
}

} // namespace impl

template< typename Traits >
inline void run( asio_ns::io_context & ioctx, run_on_this_thread_settings_t< Traits > && settings )
{
    http_server_t< Traits > server{ external_io_context( ioctx ), std::move( settings ) };
    impl::run_until_stopped( server, break_signal_handling_t::used, 0 );
}

template< typename Traits >
inline void run( run_on_this_thread_settings_t< Traits > && settings )
{
    asio_ns::io_context ioctx;
    run( ioctx, std::move( settings ) );
}

template< typename Traits >
inline void run( asio_ns::io_context & ioctx, run_on_thread_pool_settings_t< Traits > && settings )
{
    const std::size_t pool_size = std::max< std::size_t >( 1, settings.pool_size() );
    http_server_t< Traits > server{ external_io_context( ioctx ), std::move( settings ) };
    impl::run_until_stopped( server, break_signal_handling_t::used, pool_size );
}

template< typename Traits >
inline void run( run_on_thread_pool_settings_t< Traits > && settings )
{
    asio_ns::io_context ioctx;
    run( ioctx, std::move( settings ) );
}

template< typename Traits >
class run_existing_server_on_thread_pool_t
{
public:
    run_existing_server_on_thread_pool_t( std::size_t pool_size, break_signal_handling_t break_handling,
                                          http_server_t< Traits > & server )
        : m_pool_size{ pool_size }, m_break_handling{ break_handling }, m_server{ &server }
    {}

    [[nodiscard]] std::size_t pool_size() const noexcept { return m_pool_size; }
    [[nodiscard]] break_signal_handling_t break_handling() const noexcept { return m_break_handling; }
    [[nodiscard]] http_server_t< Traits > & server() const noexcept { return *m_server; }

private:
    std::size_t m_pool_size;
    break_signal_handling_t m_break_handling;
    http_server_t< Traits > * m_server;
};

template< typename Traits >
[[nodiscard]] run_existing_server_on_thread_pool_t< Traits >
on_thread_pool( std::size_t pool_size, break_signal_handling_t break_handling, http_server_t< Traits > & server )
{
    return { pool_size, break_handling, server };
}

template< typename Traits >
inline void run( run_existing_server_on_thread_pool_t< Traits > && params )
{
    impl::run_until_stopped( params.server(), params.break_handling(),
                             std::max< std::size_t >( 1, params.pool_size() ) );
}

// Closes the server (its WebSocket connections going away first) and stops its io_context, from
// any thread.
template< typename Traits >
void initiate_shutdown( http_server_t< Traits > & server )
{
    const auto stop = [ &server ]( auto &&... ) { server.io_context().stop(); };
    server.close_async( stop, stop );
}

struct abort_app_in_error_callback_t
{
    [[noreturn]] void operator()( std::exception_ptr ) const noexcept { std::abort(); }
};

// Runs a server on a pool of threads in the background.
template< typename Http_Server >
class on_pool_runner_t
{
public:
    on_pool_runner_t( const on_pool_runner_t & ) = delete;
    on_pool_runner_t( on_pool_runner_t && ) = delete;

    on_pool_runner_t( std::size_t pool_size, Http_Server & server )
        : m_server{ server }, m_pool{ pool_size, server.io_context() }
    {}

    template< typename On_Ok_Callback, typename On_Error_Callback >
    void start( On_Ok_Callback && on_ok, On_Error_Callback && on_error )
    {
        static_assert( noexcept( on_ok() ), "on_ok callback must be noexcept" );
        static_assert( noexcept( on_error( std::declval< std::exception_ptr >() ) ),
                       "on_error callback must be noexcept" );
        m_server.open_async(
            [ cb = std::forward< On_Ok_Callback >( on_ok ) ]() noexcept { cb(); },
            [ this, cb = std::forward< On_Error_Callback >( on_error ) ]( std::exception_ptr ex ) noexcept {
                m_pool.stop();
                cb( ex );
            } );
        m_pool.start();
    }

    // Starts and waits until the server is open; rethrows an opening failure.
    void start()
    {
        std::promise< void > opened;
        auto result = opened.get_future();
        start( [ &opened ]() noexcept { opened.set_value(); },
               [ &opened ]( std::exception_ptr ex ) noexcept { opened.set_exception( ex ); } );
        result.get();
    }

    [[nodiscard]] bool started() const noexcept { return m_pool.started(); }

    template< typename Error_CB = abort_app_in_error_callback_t >
    void stop( Error_CB error_cb = Error_CB{} ) noexcept
    {
        m_server.close_async(
            [ this ]() noexcept { m_pool.stop(); },
            [ this, error_cb ]( std::exception_ptr ex ) noexcept {
                m_pool.stop();
                error_cb( ex );
            } );
    }

    void wait() noexcept { m_pool.wait(); }

private:
    Http_Server & m_server;
    impl::ioctx_on_thread_pool_t m_pool;
};

// What run_async() returns: destroying it stops the server and joins its threads.
template< typename Http_Server >
class running_server_instance_t
{
    template< typename Traits >
    friend std::unique_ptr< running_server_instance_t< http_server_t< Traits > > >
    run_async( io_context_holder_t, server_settings_t< Traits > &&, std::size_t );

public:
    ~running_server_instance_t()
    {
        stop();
        wait();
    }

    void stop() noexcept { m_runner.stop(); }
    void wait() noexcept { m_runner.wait(); }

private:
    running_server_instance_t( io_context_holder_t io_context,
                               server_settings_t< typename Http_Server::traits_t > && settings,
                               std::size_t thread_pool_size )
        : m_server{ std::move( io_context ), std::move( settings ) }
        , m_runner{ thread_pool_size, m_server }
    {}

    void start() { m_runner.start(); }

    Http_Server m_server;
    on_pool_runner_t< Http_Server > m_runner;
};

template< typename Traits >
using running_server_handle_t = std::unique_ptr< running_server_instance_t< http_server_t< Traits > > >;

template< typename Traits = default_traits_t >
[[nodiscard]] running_server_handle_t< Traits >
run_async( io_context_holder_t io_context, server_settings_t< Traits > && settings, std::size_t thread_pool_size )
{
    running_server_handle_t< Traits > handle{ new running_server_instance_t< http_server_t< Traits > >{
            std::move( io_context ), std::move( settings ), thread_pool_size } };
    handle->start();
    return handle;
}

} // namespace restinio
