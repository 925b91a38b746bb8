// null_timer_manager_t: no timeout ever fires, neither HTTP nor WebSocket.
#pragma once

#include <restinio/asio_include.hpp>

#include <memory>

namespace restinio
{

struct null_timer_manager_t final
{
    struct timer_guard_t
    {
        template< typename... Args >
        constexpr void schedule( Args &&... ) const noexcept {}
        constexpr void cancel() const noexcept {}
    };

    [[nodiscard]] constexpr timer_guard_t create_timer_guard() const noexcept { return {}; }
    constexpr void start() const noexcept {}
    constexpr void stop() const noexcept {}

    struct factory_t final
    {
        [[nodiscard]] auto create( asio_ns::io_context & ) const
        {
            return std::make_shared< null_timer_manager_t >();
        }
    };
};

} // namespace restinio
