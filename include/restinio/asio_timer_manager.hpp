// asio_timer_manager_t: timeouts checked by polling. A connection with a deadline arms its guard;
// one check period later the guard calls the connection's check_timeout(), which compares the
// clock with the deadline and re-arms if it has not passed. A timeout thus fires between the
// limit and the limit plus one period (1 s by default), as in RESTinio.
//
// Guards are cheap because they share: every guard of one io_context and one period fires exactly
// one period after its schedule(), so guards in schedule order are also in deadline order. They
// sit in one list per (io_context, period) with one asio timer, armed for the head of the list
// only when the list stops being empty or when the timer fires. Otherwise schedule(), cancel()
// and a guard's destruction are O(1) list edits under a mutex, with no system call, allocation or
// posted completion: a timer per guard cost a timer-queue update (often a timerfd_settime) per
// schedule and an operation_aborted completion per cancel, for every connection.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/tcp_connection_ctx_base.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace restinio
{

namespace impl
{

// A guard's place in its timer list. Every field belongs to the list's mutex: the list's tick
// unlinks nodes from whichever thread runs it, while their guards' owners schedule and cancel
// from theirs.
struct timer_list_node_t
{
    timer_list_node_t * m_prev{ nullptr };
    timer_list_node_t * m_next{ nullptr };
    std::chrono::steady_clock::time_point m_deadline;
    tcp_connection_ctx_weak_handle_t m_connection;
};

// The scheduled guards of one io_context and one check period, earliest deadline first, and the
// one timer that wakes up for the earliest. Invariant, under the mutex: while the list is not
// empty, a wait is pending that ends no later than the head's deadline.
class timer_list_t final : public std::enable_shared_from_this< timer_list_t >
{
public:
    timer_list_t( asio_ns::io_context & io_context, std::chrono::steady_clock::duration check_period )
        : m_check_period{ check_period }, m_timer{ std::in_place, io_context }
    {}

    [[nodiscard]] std::chrono::steady_clock::duration check_period() const noexcept
    {
        return m_check_period;
    }

    void schedule( timer_list_node_t & node, tcp_connection_ctx_weak_handle_t connection )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        // Shut down with its io_context: nothing would ever run the check.
        if( !m_timer )
            return;
        if( is_linked( node ) )
            unlink( node );
        // The clock is read under the lock so that appending keeps the list sorted even when
        // threads race to schedule.
        node.m_deadline = std::chrono::steady_clock::now() + m_check_period;
        node.m_connection = std::move( connection );
        link_at_tail( node );
        // A pending wait ends no later than any earlier deadline, so no later than this one.
        if( !m_armed )
            arm();
    }

    // The timer stays armed even if the list empties: it fires once for nothing, which is
    // cheaper than cancelling it (a system call and a completion) on every cancel().
    void cancel( timer_list_node_t & node ) noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        if( is_linked( node ) )
            unlink( node );
    }

    // A guard is moving from `from` to `to`: `to` takes over its place and its deadline.
    void move_node( timer_list_node_t & from, timer_list_node_t & to ) noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        if( !is_linked( from ) )
            return;
        to.m_prev = std::exchange( from.m_prev, nullptr );
        to.m_next = std::exchange( from.m_next, nullptr );
        ( to.m_prev ? to.m_prev->m_next : m_head ) = &to;
        ( to.m_next ? to.m_next->m_prev : m_tail ) = &to;
        to.m_deadline = from.m_deadline;
        to.m_connection = std::move( from.m_connection );
    }

    // The io_context is going away. Guards may outlive it (they hold this list), so they are
    // unlinked, and the timer is destroyed now, while the timer service it belongs to still
    // exists. The pending wait's handler holds only a weak_ptr, so nothing keeps this list alive.
    void shutdown() noexcept
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        while( m_head )
            unlink( *m_head );
        m_timer.reset();
        m_armed = false;
    }

private:
    [[nodiscard]] bool is_linked( const timer_list_node_t & node ) const noexcept
    {
        // A lone node has no neighbours, but it is the head.
        return node.m_prev || m_head == &node;
    }

    void link_at_tail( timer_list_node_t & node ) noexcept
    {
        node.m_prev = m_tail;
        node.m_next = nullptr;
        ( m_tail ? m_tail->m_next : m_head ) = &node;
        m_tail = &node;
    }

    void unlink( timer_list_node_t & node ) noexcept
    {
        ( node.m_prev ? node.m_prev->m_next : m_head ) = node.m_next;
        ( node.m_next ? node.m_next->m_prev : m_tail ) = node.m_prev;
        node.m_prev = nullptr;
        node.m_next = nullptr;
    }

    // Only while no wait is pending, so expires_at() never cancels one (no aborted completion).
    void arm()
    {
        m_timer->expires_at( m_head->m_deadline );
        // Weak: the list owns the timer and the timer owns this handler until it runs.
        m_timer->async_wait( [ list = weak_from_this() ]( const asio_ns::error_code & ec ) {
            if( ec )
                return;
            if( auto self = list.lock() )
                self->on_tick();
        } );
        m_armed = true;
    }

    void on_tick()
    {
        std::vector< tcp_connection_ctx_weak_handle_t > due;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            m_armed = false;
            const auto now = std::chrono::steady_clock::now();
            while( m_head && m_head->m_deadline <= now )
            {
                due.push_back( std::move( m_head->m_connection ) );
                unlink( *m_head );
            }
            if( m_head )
                arm();
        }

        // Outside the lock, and without touching a node again: check_timeout() may reschedule
        // its own guard right here (a connection whose strand is a plain executor dispatches
        // inline), and another thread may destroy any of the unlinked guards meanwhile.
        // One failing check must not cost the others theirs: they are unlinked already.
        std::exception_ptr first_failure;
        for( const auto & connection : due )
        {
            if( auto handle = connection.lock() )
            {
                try
                {
                    handle->check_timeout( handle );
                }
                catch( ... )
                {
                    if( !first_failure )
                        first_failure = std::current_exception();
                }
            }
        }
        if( first_failure )
            std::rethrow_exception( first_failure );
    }

    const std::chrono::steady_clock::duration m_check_period;
    std::mutex m_lock;
    timer_list_node_t * m_head{ nullptr };
    timer_list_node_t * m_tail{ nullptr };
    std::optional< asio_ns::steady_timer > m_timer;
    bool m_armed{ false };
};

// Finds the timer list of an io_context for a check period. A server has one period, but two
// servers with different periods may share an io_context, so there is a list per period.
class timer_list_service_t final : public asio_ns::execution_context::service
{
public:
    inline static asio_ns::execution_context::id id;

    explicit timer_list_service_t( asio_ns::io_context & io_context )
        : asio_ns::execution_context::service{ io_context }, m_io_context{ io_context }
    {}

    [[nodiscard]] std::shared_ptr< timer_list_t > list_for(
        std::chrono::steady_clock::duration check_period )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        for( const auto & list : m_lists )
            if( list->check_period() == check_period )
                return list;
        return m_lists.emplace_back( std::make_shared< timer_list_t >( m_io_context, check_period ) );
    }

private:
    void shutdown() override
    {
        std::vector< std::shared_ptr< timer_list_t > > lists;
        {
            std::lock_guard< std::mutex > lock{ m_lock };
            lists.swap( m_lists );
        }
        for( const auto & list : lists )
            list->shutdown();
    }

    asio_ns::io_context & m_io_context;
    std::mutex m_lock;
    std::vector< std::shared_ptr< timer_list_t > > m_lists;
};

} // namespace impl

class asio_timer_manager_t final : public std::enable_shared_from_this< asio_timer_manager_t >
{
public:
    asio_timer_manager_t( asio_ns::io_context & io_context,
                          std::chrono::steady_clock::duration check_period )
        : m_list{ asio_ns::use_service< impl::timer_list_service_t >( io_context ).list_for( check_period ) }
    {}

    // One per connection; used by one connection at a time (on its strand), while other
    // connections use theirs from other threads. cancel() stops a call that has not started:
    // one already under way on another thread still happens, as with an asio timer whose wait
    // had completed.
    class timer_guard_t final
    {
    public:
        // Only creating the shared list (once per io_context and period) allocates, and running
        // out of memory then ends the program, as it did in the steady_timer this replaced.
        timer_guard_t( asio_ns::io_context & io_context,
                       std::chrono::steady_clock::duration check_period ) noexcept
            : m_list{ asio_ns::use_service< impl::timer_list_service_t >( io_context ).list_for( check_period ) }
        {}

        // Like a moved asio timer, the new guard takes over a pending schedule; the moved-from
        // guard is left unscheduled and can be scheduled again.
        timer_guard_t( timer_guard_t && other ) noexcept : m_list{ other.m_list }
        {
            m_list->move_node( other.m_node, m_node );
        }

        timer_guard_t( const timer_guard_t & ) = delete;
        timer_guard_t & operator=( const timer_guard_t & ) = delete;

        ~timer_guard_t() { m_list->cancel( m_node ); }

        void schedule( tcp_connection_ctx_weak_handle_t weak_handle )
        {
            m_list->schedule( m_node, std::move( weak_handle ) );
        }

        void cancel() noexcept { m_list->cancel( m_node ); }

    private:
        friend class asio_timer_manager_t;

        explicit timer_guard_t( std::shared_ptr< impl::timer_list_t > list ) noexcept
            : m_list{ std::move( list ) }
        {}

        std::shared_ptr< impl::timer_list_t > m_list;
        impl::timer_list_node_t m_node;
    };

    [[nodiscard]] timer_guard_t create_timer_guard() const { return timer_guard_t{ m_list }; }

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
    const std::shared_ptr< impl::timer_list_t > m_list;
};

} // namespace restinio
