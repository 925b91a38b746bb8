// asio_timer_manager_t: a scheduled guard calls check_timeout() once, one period later, unless it
// is cancelled, rescheduled or destroyed first; guards share one timer per io_context and period,
// so schedule() and cancel() post nothing; guards may outlive their io_context; and guards used
// from the threads of a pool, each on its own strand, agree (ThreadSanitizer runs this file).

#include <restinio/asio_timer_manager.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace asio_ns = restinio::asio_ns;
using restinio::asio_timer_manager_t;
using clock_type_t = std::chrono::steady_clock;
using timer_guard_t = asio_timer_manager_t::timer_guard_t;

namespace
{

constexpr auto period = 30ms;
// Only an upper bound that no loaded or sanitized run should reach; timings are never tight.
constexpr auto long_enough = 5s;

// Counts the checks and remembers when the last one came. on_check runs inside the check,
// on the thread of the tick, as a connection with a plain-executor strand would.
class probe_t final : public restinio::tcp_connection_ctx_base_t
{
public:
    probe_t() : restinio::tcp_connection_ctx_base_t{ 0 } {}

    void check_timeout( restinio::tcp_connection_ctx_handle_t & ) override
    {
        ++m_calls;
        m_last_call = clock_type_t::now();
        if( m_on_check )
            m_on_check();
    }

    int m_calls{ 0 };
    clock_type_t::time_point m_last_call;
    std::function< void() > m_on_check;
};

// Runs the io_context until it runs out of work: once nothing is scheduled the shared timer
// fires at most once more and is not re-armed.
void run_until_idle( asio_ns::io_context & io_context )
{
    const auto started = clock_type_t::now();
    io_context.run_for( long_enough );
    REQUIRE( clock_type_t::now() - started < long_enough );
}

} // namespace

TEST_CASE( "a scheduled guard checks once, one period later", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    auto probe = std::make_shared< probe_t >();
    auto guard = manager.create_timer_guard();

    const auto scheduled_at = clock_type_t::now();
    guard.schedule( probe );
    run_until_idle( io_context );

    REQUIRE( probe->m_calls == 1 );
    CHECK( probe->m_last_call - scheduled_at >= period );
}

TEST_CASE( "cancel() and destroying a guard each prevent the check", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    auto cancelled = std::make_shared< probe_t >();
    auto destroyed = std::make_shared< probe_t >();
    auto witness = std::make_shared< probe_t >();

    auto cancelled_guard = manager.create_timer_guard();
    cancelled_guard.schedule( cancelled );
    std::optional< timer_guard_t > destroyed_guard{ manager.create_timer_guard() };
    destroyed_guard->schedule( destroyed );
    // Scheduled last, so the tick that checks it has passed the others' deadlines too.
    auto witness_guard = manager.create_timer_guard();
    witness_guard.schedule( witness );

    cancelled_guard.cancel();
    destroyed_guard.reset();
    run_until_idle( io_context );

    CHECK( cancelled->m_calls == 0 );
    CHECK( destroyed->m_calls == 0 );
    CHECK( witness->m_calls == 1 );
}

TEST_CASE( "scheduling again replaces the previous schedule", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    auto probe = std::make_shared< probe_t >();
    auto guard = manager.create_timer_guard();

    guard.schedule( probe );
    std::this_thread::sleep_for( period / 2 );
    const auto rescheduled_at = clock_type_t::now();
    guard.schedule( probe );
    run_until_idle( io_context );

    REQUIRE( probe->m_calls == 1 );
    CHECK( probe->m_last_call - rescheduled_at >= period );
}

TEST_CASE( "a connection that is gone is skipped", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    int calls_of_gone = 0;
    auto gone = std::make_shared< probe_t >();
    gone->m_on_check = [ & ] { ++calls_of_gone; };
    auto witness = std::make_shared< probe_t >();

    auto gone_guard = manager.create_timer_guard();
    gone_guard.schedule( gone );
    auto witness_guard = manager.create_timer_guard();
    witness_guard.schedule( witness );
    gone.reset();
    run_until_idle( io_context );

    CHECK( calls_of_gone == 0 );
    CHECK( witness->m_calls == 1 );
}

TEST_CASE( "a check may reschedule its own guard", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    auto probe = std::make_shared< probe_t >();
    auto guard = manager.create_timer_guard();
    probe->m_on_check = [ & ] {
        if( probe->m_calls < 3 )
            guard.schedule( probe );
    };

    const auto scheduled_at = clock_type_t::now();
    guard.schedule( probe );
    run_until_idle( io_context );

    REQUIRE( probe->m_calls == 3 );
    CHECK( probe->m_last_call - scheduled_at >= 3 * period );
}

TEST_CASE( "a thousand guards each check once", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    std::vector< std::shared_ptr< probe_t > > probes;
    std::vector< timer_guard_t > guards;
    for( int i = 0; i != 1000; ++i )
    {
        probes.push_back( std::make_shared< probe_t >() );
        guards.push_back( manager.create_timer_guard() );
    }

    const auto scheduled_at = clock_type_t::now();
    for( std::size_t i = 0; i != guards.size(); ++i )
        guards[ i ].schedule( probes[ i ] );
    run_until_idle( io_context );

    for( const auto & probe : probes )
    {
        REQUIRE( probe->m_calls == 1 );
        REQUIRE( probe->m_last_call - scheduled_at >= period );
    }
}

TEST_CASE( "schedule() and cancel() post no completions", "[timer]" )
{
    asio_ns::io_context io_context;
    // Long enough that nothing falls due during the test.
    asio_timer_manager_t manager{ io_context, 1h };
    auto probe = std::make_shared< probe_t >();
    auto guard = manager.create_timer_guard();
    std::vector< timer_guard_t > others;
    for( int i = 0; i != 100; ++i )
        others.push_back( manager.create_timer_guard() );

    for( int i = 0; i != 100; ++i )
    {
        guard.schedule( probe );
        guard.cancel();
    }
    for( auto & other : others )
        other.schedule( probe );
    for( auto & other : others )
        other.cancel();

    // A timer per guard would have posted an operation_aborted completion per cancel() here.
    CHECK( io_context.poll() == 0 );
    CHECK( probe->m_calls == 0 );
}

TEST_CASE( "guards of two periods on one io_context keep their own periods", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t short_manager{ io_context, period };
    asio_timer_manager_t long_manager{ io_context, 3 * period };
    // A guard made without a manager finds the same lists.
    timer_guard_t short_guard{ io_context, period };
    auto long_guard = long_manager.create_timer_guard();
    auto short_probe = std::make_shared< probe_t >();
    auto long_probe = std::make_shared< probe_t >();

    const auto scheduled_at = clock_type_t::now();
    long_guard.schedule( long_probe );
    short_guard.schedule( short_probe );
    run_until_idle( io_context );

    REQUIRE( short_probe->m_calls == 1 );
    REQUIRE( long_probe->m_calls == 1 );
    CHECK( short_probe->m_last_call - scheduled_at >= period );
    CHECK( long_probe->m_last_call - scheduled_at >= 3 * period );
}

TEST_CASE( "a moved guard takes its schedule along", "[timer]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, period };
    auto first = std::make_shared< probe_t >();
    auto second = std::make_shared< probe_t >();
    auto cancelled = std::make_shared< probe_t >();

    std::optional< timer_guard_t > original{ manager.create_timer_guard() };
    original->schedule( first );
    auto moved = std::make_unique< timer_guard_t >( std::move( *original ) );
    // The moved-from guard holds no schedule, so destroying it cancels nothing...
    original.reset();

    // ...and a moved-from guard can be scheduled again, independently.
    auto source = manager.create_timer_guard();
    source.schedule( cancelled );
    timer_guard_t target{ std::move( source ) };
    source.schedule( second );
    target.cancel();

    run_until_idle( io_context );

    CHECK( first->m_calls == 1 );
    CHECK( second->m_calls == 1 );
    CHECK( cancelled->m_calls == 0 );
}

TEST_CASE( "guards, scheduled or not, may outlive their io_context", "[timer]" )
{
    auto probe = std::make_shared< probe_t >();
    std::shared_ptr< asio_timer_manager_t > manager;
    std::optional< timer_guard_t > outliving;
    std::optional< timer_guard_t > outliving_unscheduled;
    {
        asio_ns::io_context io_context;
        manager = asio_timer_manager_t::factory_t{ period }.create( io_context );
        std::vector< timer_guard_t > guards;
        for( int i = 0; i != 10; ++i )
        {
            guards.push_back( manager->create_timer_guard() );
            guards.back().schedule( probe );
        }
        outliving.emplace( manager->create_timer_guard() );
        outliving->schedule( probe );
        outliving_unscheduled.emplace( io_context, 1h );

        // Due, but never run: the io_context goes with its shared timer expired.
        std::this_thread::sleep_for( 2 * period );
        guards.pop_back();
        // The guards in the vector go first, then the io_context, with the others scheduled.
    }

    outliving->schedule( probe );
    outliving->cancel();
    outliving->schedule( probe );
    auto moved = std::move( *outliving );
    outliving.reset();
    outliving_unscheduled.reset();
    auto late = manager->create_timer_guard();
    late.schedule( probe );
    manager.reset();

    CHECK( probe->m_calls == 0 );
}

// Connections schedule and cancel on their own strands, from the threads of a pool, while the
// shared list's tick unlinks them from whichever thread runs it.
class stranded_probe_t final : public restinio::tcp_connection_ctx_base_t
{
public:
    stranded_probe_t( asio_ns::io_context & io_context, asio_timer_manager_t & manager,
                      int wanted_checks, std::atomic< int > & finished )
        : restinio::tcp_connection_ctx_base_t{ 0 }
        , m_strand{ io_context.get_executor() }
        , m_guard{ std::make_unique< timer_guard_t >( manager.create_timer_guard() ) }
        , m_wanted_checks{ wanted_checks }
        , m_finished{ finished }
    {}

    // Keeps rescheduling until it has been checked m_wanted_checks times.
    void start_checks()
    {
        asio_ns::post( m_strand, [ this, self = shared_from_this() ] { m_guard->schedule( self ); } );
    }

    // Schedules and cancels over and over, in separate handlers so that ticks fall in between,
    // then ends with its guard destroyed while scheduled.
    void churn( int rounds )
    {
        for( int i = 0; i != rounds; ++i )
        {
            asio_ns::post( m_strand, [ this, self = shared_from_this() ] { m_guard->schedule( self ); } );
            asio_ns::post( m_strand, [ this ] { m_guard->cancel(); } );
        }
        asio_ns::post( m_strand, [ this, self = shared_from_this() ] {
            m_guard->schedule( self );
            m_guard.reset();
            ++m_finished;
        } );
    }

    void check_timeout( restinio::tcp_connection_ctx_handle_t & self ) override
    {
        asio_ns::dispatch( m_strand, [ this, self ] {
            if( !m_guard )
                return;
            if( ++m_checks < m_wanted_checks )
                m_guard->schedule( self );
            else if( m_checks == m_wanted_checks )
                ++m_finished;
        } );
    }

    [[nodiscard]] int checks() const noexcept { return m_checks; }

private:
    asio_ns::strand< asio_ns::io_context::executor_type > m_strand;
    std::unique_ptr< timer_guard_t > m_guard;
    int m_checks{ 0 };
    const int m_wanted_checks;
    std::atomic< int > & m_finished;
};

TEST_CASE( "connections on a pool of four threads schedule and cancel concurrently", "[timer][threads]" )
{
    asio_ns::io_context io_context;
    asio_timer_manager_t manager{ io_context, 5ms };
    auto work = asio_ns::make_work_guard( io_context );
    std::vector< std::thread > pool;
    for( int i = 0; i != 4; ++i )
        pool.emplace_back( [ & ] { io_context.run(); } );

    constexpr int checked_count = 200;
    constexpr int churning_count = 100;
    constexpr int wanted_checks = 5;
    std::atomic< int > finished{ 0 };
    std::vector< std::shared_ptr< stranded_probe_t > > checked;
    std::vector< std::shared_ptr< stranded_probe_t > > churning;
    for( int i = 0; i != checked_count; ++i )
        checked.push_back( std::make_shared< stranded_probe_t >( io_context, manager, wanted_checks, finished ) );
    for( int i = 0; i != churning_count; ++i )
        churning.push_back( std::make_shared< stranded_probe_t >( io_context, manager, 0, finished ) );
    for( auto & probe : checked )
        probe->start_checks();
    for( auto & probe : churning )
        probe->churn( 20 );

    const auto deadline = clock_type_t::now() + 4 * long_enough;
    while( finished < checked_count + churning_count && clock_type_t::now() < deadline )
        std::this_thread::sleep_for( 1ms );
    work.reset();
    io_context.stop();
    for( auto & thread : pool )
        thread.join();

    REQUIRE( finished == checked_count + churning_count );
    for( const auto & probe : checked )
        REQUIRE( probe->checks() == wanted_checks );
}
