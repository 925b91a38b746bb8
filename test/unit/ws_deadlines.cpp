// Tests of ws_deadlines_t: what is due for every combination of the limits in force, the
// connection's state and the time elapsed, including across the wrap of the 32-bit stamps; what
// a pass's activity changes; when a check must stay scheduled; the limits' conversion.
#include <restinio/websocket/impl/ws_deadlines.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace rwi = restinio::websocket::basic::impl;
using ev = rwi::session_event_t;
using rwi::stamp_t;

namespace
{

// The event due, by name, or "nothing".
std::string
due_name( const std::optional< ev > & event )
{
    if( !event )
        return "nothing";
    switch( *event )
    {
    case ev::close_timed_out: return "close_timed_out";
    case ev::idle_timed_out: return "idle_timed_out";
    case ev::pong_timed_out: return "pong_timed_out";
    case ev::ping_due: return "ping_due";
    default: return "(another event)";
    }
}

// close 5 s, ping every 10 s, pong within 3 s, idle after 20 s.
constexpr rwi::deadline_limits_t all_limits{ 5000, 10000, 3000, 20000 };

} // namespace

TEST_CASE( "what is due, by limits, state and time elapsed", "[websocket][deadlines]" )
{
    constexpr rwi::deadline_limits_t no_limits{ 60000, 0, 0, 0 };
    constexpr rwi::deadline_limits_t ping_only{ 60000, 10000, 3000, 0 };
    constexpr rwi::deadline_limits_t idle_only{ 60000, 0, 0, 20000 };

    // Each row: a session opened at `start`, then the given history, then a check at `now`.
    enum class history_t { none, ping_sent_at_10s, close_armed_at_12s, heard_at_8s, data_at_15s };
    struct row_t
    {
        const char * name;
        rwi::deadline_limits_t limits;
        bool open;
        history_t history;
        stamp_t now;      // ms after the start
        const char * expected;
    };
    const row_t rows[] = {
        { "no liveness limits: nothing, ever", no_limits, true, history_t::none, 1000000, "nothing" },
        { "ping interval not reached", ping_only, true, history_t::none, 9999, "nothing" },
        { "ping interval reached: ping", ping_only, true, history_t::none, 10000, "ping_due" },
        { "ping interval passed: ping", ping_only, true, history_t::none, 10500, "ping_due" },
        { "heard at 8 s: no ping at 10 s", ping_only, true, history_t::heard_at_8s, 17999, "nothing" },
        { "heard at 8 s: ping at 18 s", ping_only, true, history_t::heard_at_8s, 18000, "ping_due" },
        { "ping out, within the pong limit", ping_only, true, history_t::ping_sent_at_10s, 12999, "nothing" },
        { "ping out, pong limit reached", ping_only, true, history_t::ping_sent_at_10s, 13000, "pong_timed_out" },
        { "idle limit not reached", idle_only, true, history_t::none, 19999, "nothing" },
        { "idle limit reached", idle_only, true, history_t::none, 20000, "idle_timed_out" },
        { "data at 15 s: not idle at 34 s", idle_only, true, history_t::data_at_15s, 34999, "nothing" },
        { "data at 15 s: idle at 35 s", idle_only, true, history_t::data_at_15s, 35000, "idle_timed_out" },
        { "idle before the ping's answer is due", all_limits, true, history_t::ping_sent_at_10s, 20000,
            "idle_timed_out" },
        { "pong limit before idle", all_limits, true, history_t::ping_sent_at_10s, 13000, "pong_timed_out" },
        { "heard (a pong) but no data: still idle", all_limits, true, history_t::heard_at_8s, 20000,
            "idle_timed_out" },
        { "not open: no liveness deadline", all_limits, false, history_t::none, 1000000, "nothing" },
        { "close armed, within its limit", all_limits, false, history_t::close_armed_at_12s, 16999, "nothing" },
        { "close armed, limit reached", all_limits, false, history_t::close_armed_at_12s, 17000,
            "close_timed_out" },
        { "close armed: the liveness limits no longer count", all_limits, true, history_t::close_armed_at_12s,
            16999, "nothing" },
    };

    // Around zero and around the wrap of the 32-bit stamps: the same answers.
    for( const stamp_t start : { stamp_t{ 0 }, stamp_t{ 123456 }, stamp_t{ 0xFFFFFFFFu - 5000u } } )
    {
        for( const auto & row : rows )
        {
            INFO( row.name << " (start " << start << ")" );
            rwi::ws_deadlines_t deadlines;
            deadlines.opened( start );
            const auto at = [ start ]( stamp_t ms ) { return static_cast< stamp_t >( start + ms ); };
            switch( row.history )
            {
            case history_t::none: break;
            case history_t::ping_sent_at_10s: deadlines.ping_sent( row.limits, at( 10000 ) ); break;
            case history_t::close_armed_at_12s: deadlines.arm_close( at( 12000 ) ); break;
            case history_t::heard_at_8s:
                deadlines.heard();
                deadlines.settle( row.limits, [ & ] { return at( 8000 ); } );
                break;
            case history_t::data_at_15s:
                deadlines.frame( restinio::websocket::basic::opcode_t::binary_frame );
                deadlines.settle( row.limits, [ & ] { return at( 15000 ); } );
                break;
            }
            CHECK( due_name( deadlines.due( row.open, row.limits, at( row.now ) ) ) == row.expected );
        }
    }
}

TEST_CASE( "anything heard answers the ping; only data frames end idleness", "[websocket][deadlines]" )
{
    constexpr rwi::deadline_limits_t limits{ 5000, 10000, 3000, 30000 };
    rwi::ws_deadlines_t deadlines;
    deadlines.opened( 0 );
    deadlines.ping_sent( limits, 10000 );
    CHECK( "nothing" == due_name( deadlines.due( true, limits, 12000 ) ) );
    deadlines.heard();
    deadlines.settle( limits, [] { return stamp_t{ 12000 }; } );
    // The ping is answered: the next one is due a whole interval after what was heard.
    CHECK( "nothing" == due_name( deadlines.due( true, limits, 13000 ) ) );
    CHECK( "nothing" == due_name( deadlines.due( true, limits, 21999 ) ) );
    CHECK( "ping_due" == due_name( deadlines.due( true, limits, 22000 ) ) );
    deadlines.ping_sent( limits, 22000 );
    CHECK( "nothing" == due_name( deadlines.due( true, limits, 24999 ) ) );
    CHECK( "pong_timed_out" == due_name( deadlines.due( true, limits, 25000 ) ) );
    // The pong did not end idleness, which began at the opening.
    deadlines.heard();
    deadlines.settle( limits, [] { return stamp_t{ 24000 }; } );
    CHECK( "idle_timed_out" == due_name( deadlines.due( true, limits, 30000 ) ) );
}

TEST_CASE( "a pass's activity is stamped only where a limit watches, and once", "[websocket][deadlines]" )
{
    constexpr rwi::deadline_limits_t no_liveness{ 5000, 0, 0, 0 };
    rwi::ws_deadlines_t deadlines;
    deadlines.opened( 0 );
    int clock_reads = 0;
    const auto now = [ & ] { ++clock_reads; return stamp_t{ 7000 }; };

    deadlines.settle( all_limits, now );
    CHECK( 0 == clock_reads );              // nothing happened in the pass

    deadlines.heard();
    deadlines.frame( restinio::websocket::basic::opcode_t::binary_frame );
    deadlines.frame( restinio::websocket::basic::opcode_t::binary_frame );
    deadlines.settle( no_liveness, now );
    CHECK( 0 == clock_reads );              // no limit watches: the flags are just cleared
    deadlines.settle( all_limits, now );
    CHECK( 0 == clock_reads );

    deadlines.heard();
    deadlines.frame( restinio::websocket::basic::opcode_t::binary_frame );
    deadlines.settle( all_limits, now );
    CHECK( 1 == clock_reads );
    CHECK( "nothing" == due_name( deadlines.due( true, all_limits, 7000 + 9999 ) ) );
    CHECK( "ping_due" == due_name( deadlines.due( true, all_limits, 7000 + 10000 ) ) );
}

TEST_CASE( "when a check must stay scheduled", "[websocket][deadlines]" )
{
    constexpr rwi::deadline_limits_t no_liveness{ 5000, 0, 0, 0 };
    struct row_t { const char * name; rwi::deadline_limits_t limits; bool open; bool close_armed; bool watching; };
    const row_t rows[] = {
        { "open, no liveness limit", no_liveness, true, false, false },
        { "open, liveness limits", all_limits, true, false, true },
        { "not open, liveness limits", all_limits, false, false, false },
        { "close armed, no liveness limit", no_liveness, false, true, true },
        { "close armed, open", all_limits, true, true, true },
        { "ping only", { 5000, 1000, 1000, 0 }, true, false, true },
        { "idle only", { 5000, 0, 0, 1000 }, true, false, true },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        rwi::ws_deadlines_t deadlines;
        deadlines.opened( 0 );
        if( row.close_armed )
            deadlines.arm_close( 0 );
        CHECK( deadlines.watching( row.open, row.limits ) == row.watching );
    }
}

TEST_CASE( "limits in milliseconds: none, at least 1, at most 2^31 - 1", "[websocket][deadlines]" )
{
    using namespace std::chrono;
    CHECK( 0u == rwi::to_limit( steady_clock::duration::zero() ) );
    CHECK( 0u == rwi::to_limit( -seconds{ 1 } ) );
    CHECK( 1u == rwi::to_limit( microseconds{ 1 } ) );
    CHECK( 1500u == rwi::to_limit( milliseconds{ 1500 } ) );
    CHECK( 0x7FFFFFFFu == rwi::to_limit( hours{ 24 * 365 } ) );
    CHECK( 0x7FFFFFFFu == rwi::to_limit( steady_clock::duration::max() ) );
}

TEST_CASE( "the deadlines cost 16 bytes", "[websocket][deadlines]" )
{
    CHECK( sizeof( rwi::ws_deadlines_t ) == 16 );
}
