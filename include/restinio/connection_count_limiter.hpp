// max_parallel_connections: accepting pauses while the server holds that many connections
// (WebSocket connections included) and resumes when one of them goes away.
#pragma once

#include <restinio/asio_include.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace restinio
{
namespace impl
{

// Shared by the acceptor and every connection's lifetime monitor.
class connection_counter_t
{
public:
    explicit connection_counter_t( std::size_t max_parallel_connections ) noexcept
        : m_max{ max_parallel_connections }
    {}

    // Counts a new connection if there is room; otherwise remembers `resume` to call when
    // one is released, and returns false.
    [[nodiscard]] bool try_acquire( std::function< void () > resume )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        if( m_count < m_max )
        {
            ++m_count;
            return true;
        }
        m_paused_accepts.push_back( std::move( resume ) );
        return false;
    }

    void release() noexcept
    {
        std::vector< std::function< void () > > to_resume;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            --m_count;
            to_resume.swap( m_paused_accepts );
        }
        for( auto & resume : to_resume )
            resume();
    }

    [[nodiscard]] std::size_t count() const
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        return m_count;
    }

private:
    mutable std::mutex m_lock;
    const std::size_t m_max;
    std::size_t m_count{ 0 };
    std::vector< std::function< void () > > m_paused_accepts;
};

// Held by a connection (and moved into its WebSocket successor): releases its slot when gone.
// The counter belongs to the connection settings, which every connection keeps alive, so a
// plain pointer is enough. Without a limiter (`Counted` false) it holds nothing: a connection
// keeps it beside its flags, where it takes no room.
template< bool Counted >
class connection_lifetime_monitor_t
{
public:
    explicit connection_lifetime_monitor_t( connection_counter_t * counter ) noexcept
        : m_counter{ counter }
    {}

    connection_lifetime_monitor_t( connection_lifetime_monitor_t && other ) noexcept
        : m_counter{ std::exchange( other.m_counter, nullptr ) }
    {}

    connection_lifetime_monitor_t & operator=( connection_lifetime_monitor_t && other ) noexcept
    {
        connection_lifetime_monitor_t tmp{ std::move( other ) };
        std::swap( m_counter, tmp.m_counter );
        return *this;
    }

    ~connection_lifetime_monitor_t()
    {
        if( m_counter )
            m_counter->release();
    }

private:
    connection_counter_t * m_counter;
};

template<>
class connection_lifetime_monitor_t< false >
{
public:
    explicit connection_lifetime_monitor_t( connection_counter_t * ) noexcept {}
};

template< typename Traits >
using lifetime_monitor_for_t = connection_lifetime_monitor_t< Traits::use_connection_count_limiter >;

} // namespace impl
} // namespace restinio
