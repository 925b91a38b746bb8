// asio_timer_manager_t: timeouts checked by polling. A connection with a deadline arms its guard;
// one check period later the guard calls the connection's check_timeout(), which compares the
// clock with the deadline and re-arms if it has not passed. A timeout thus fires between the
// limit and the limit plus one period (1 s by default), as in RESTinio.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/tcp_connection_ctx_base.hpp>

#include <chrono>
#include <memory>

namespace restinio
{

class asio_timer_manager_t final : public std::enable_shared_from_this< asio_timer_manager_t >
{
public:
    asio_timer_manager_t( asio_ns::io_context & io_context,
                          std::chrono::steady_clock::duration check_period )
        : m_io_context{ io_context }, m_check_period{ check_period }
    {}

    // One per connection. Not thread-safe by itself: a connection uses it on its own strand.
    class timer_guard_t final
    {
    public:
        timer_guard_t( asio_ns::io_context & io_context,
                       std::chrono::steady_clock::duration check_period ) noexcept
            : m_operation_timer{ io_context }, m_check_period{ check_period }
        {}

        void schedule( tcp_connection_ctx_weak_handle_t weak_handle )
        {
            m_operation_timer.expires_after( m_check_period );
            m_operation_timer.async_wait(
                [ weak_handle = std::move( weak_handle ) ]( const asio_ns::error_code & ec ) {
                    if( ec )
                        return;
                    if( auto h = weak_handle.lock() )
                        h->check_timeout( h );
                } );
        }

        void cancel() noexcept
        {
            asio_ns::error_code ignored;
            m_operation_timer.cancel( ignored );
        }

    private:
        asio_ns::steady_timer m_operation_timer;
        const std::chrono::steady_clock::duration m_check_period;
    };

    [[nodiscard]] timer_guard_t create_timer_guard() const
    {
        return timer_guard_t{ m_io_context, m_check_period };
    }

    void start() const noexcept {}
    void stop() const noexcept {}

    struct factory_t final
    {
        const std::chrono::steady_clock::duration m_check_period{ std::chrono::seconds{ 1 } };

        factory_t() noexcept = default;
        factory_t( std::chrono::steady_clock::duration check_period ) noexcept
            : m_check_period{ check_period }
        {}

        [[nodiscard]] auto create( asio_ns::io_context & io_context ) const
        {
            return std::make_shared< asio_timer_manager_t >( io_context, m_check_period );
        }
    };

private:
    asio_ns::io_context & m_io_context;
    const std::chrono::steady_clock::duration m_check_period;
};

} // namespace restinio
