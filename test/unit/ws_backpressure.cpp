// Tests of the write queue's flow control: the admission of a frame at every side of the marks
// and the limit, under both policies; the watermarks' hysteresis over sequences of queue sizes;
// and the limits made consistent from any settings.
#include <restinio/websocket/impl/ws_backpressure.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <limits>
#include <random>
#include <vector>

namespace rwi = restinio::websocket::basic::impl;
using adm = rwi::send_admission_t;
using chg = rwi::backpressure_change_t;

namespace
{

constexpr std::size_t kib = 1024;
constexpr std::size_t mib = 1024 * kib;

const char *
name_of( adm a )
{
    switch( a )
    {
    case adm::queue: return "queue";
    case adm::drop: return "drop";
    case adm::close: return "close";
    }
    return "(bad admission)";
}

} // namespace

TEST_CASE( "admission: any frame below the high-water mark, none past the limit above it",
        "[websocket][backpressure]" )
{
    const auto drop = rwi::make_send_queue_limits( 1 * mib, 256 * kib, 16 * mib, false );
    const auto close = rwi::make_send_queue_limits( 1 * mib, 256 * kib, 16 * mib, true );
    constexpr std::size_t max_size = std::numeric_limits< std::size_t >::max();
    struct row_t { const char * name; std::size_t queued; std::size_t size; bool admitted; };
    const row_t rows[] = {
        { "empty queue, small frame",                       0,               100,            true },
        { "empty queue, a frame over the whole limit",      0,               32 * mib,       true },
        { "just under the high-water mark, a 16 MiB frame", 1 * mib - 1,     16 * mib,       true },
        { "at the high-water mark, a frame that fits",      1 * mib,         15 * mib,       true },
        { "at the high-water mark, one byte too many",      1 * mib,         15 * mib + 1,   false },
        { "exactly at the limit after it",                  10 * mib,        6 * mib,        true },
        { "one byte past the limit",                        10 * mib,        6 * mib + 1,    false },
        { "at the limit, an empty frame",                   16 * mib,        0,              true },
        { "over the limit, an empty frame",                 16 * mib + 1,    0,              false },
        { "above the mark, a frame longer than the limit",  2 * mib,         17 * mib,       false },
        { "above the mark, a size that would wrap",         2 * mib,         max_size,       false },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( name_of( rwi::admit_send( drop, row.queued, row.size ) ) ==
               std::string{ name_of( row.admitted ? adm::queue : adm::drop ) } );
        CHECK( name_of( rwi::admit_send( close, row.queued, row.size ) ) ==
               std::string{ name_of( row.admitted ? adm::queue : adm::close ) } );
    }
}

TEST_CASE( "watermarks: reading stops at the high mark and starts again at the low one",
        "[websocket][backpressure]" )
{
    const auto limits = rwi::make_send_queue_limits( 1000, 250, 16000, false );
    struct step_t { std::size_t queued; chg change; bool paused; };
    struct row_t { const char * name; std::vector< step_t > steps; };
    const row_t rows[] = {
        { "below the high mark: nothing", { { 0, chg::none, false }, { 999, chg::none, false },
                                            { 10, chg::none, false } } },
        { "at the high mark: paused once", { { 1000, chg::paused, true }, { 5000, chg::none, true },
                                             { 1000, chg::none, true } } },
        { "between the marks: still paused", { { 1200, chg::paused, true }, { 999, chg::none, true },
                                               { 251, chg::none, true } } },
        { "at the low mark: drained once", { { 1200, chg::paused, true }, { 250, chg::drained, false },
                                             { 100, chg::none, false }, { 0, chg::none, false } } },
        { "a write that empties the queue at once", { { 4000, chg::paused, true }, { 0, chg::drained, false } } },
        { "paused again after draining", { { 1000, chg::paused, true }, { 0, chg::drained, false },
                                           { 999, chg::none, false }, { 1000, chg::paused, true } } },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        rwi::send_backpressure_t backpressure;
        for( const auto & step : row.steps )
        {
            INFO( "queued " << step.queued );
            CHECK( backpressure.on_queued( limits, step.queued ) == step.change );
            CHECK( backpressure.reading_paused() == step.paused );
        }
    }
}

TEST_CASE( "watermarks: every pause is followed by one drain, at random queue sizes",
        "[websocket][backpressure]" )
{
    const auto limits = rwi::make_send_queue_limits( 1000, 250, 16000, false );
    std::mt19937 rng{ 20261202 };
    rwi::send_backpressure_t backpressure;
    int pauses = 0, drains = 0;
    for( int i = 0; i != 100000; ++i )
    {
        const std::size_t queued = rng() % 1500;
        const bool was_paused = backpressure.reading_paused();
        const chg change = backpressure.on_queued( limits, queued );
        pauses += chg::paused == change;
        drains += chg::drained == change;
        // Paused exactly from a size at the high mark until one at the low mark.
        if( was_paused )
            REQUIRE( backpressure.reading_paused() == ( queued > limits.m_low_water ) );
        else
            REQUIRE( backpressure.reading_paused() == ( queued >= limits.m_high_water ) );
        REQUIRE( pauses - drains == ( backpressure.reading_paused() ? 1 : 0 ) );
    }
    CHECK( pauses > 1000 );
}

TEST_CASE( "limits from any settings: the low mark stays below the high one", "[websocket][backpressure]" )
{
    struct row_t { std::size_t high, low, limit, expected_high, expected_low; };
    const row_t rows[] = {
        { 1 * mib, 256 * kib, 16 * mib, 1 * mib, 256 * kib },
        { 1000, 999, 16 * mib, 1000, 999 },
        { 1000, 1000, 16 * mib, 1000, 250 },
        { 1000, 5000, 16 * mib, 1000, 250 },
        { 0, 0, 16 * mib, 1, 0 },
        { 1, 1, 16 * mib, 1, 0 },
        { 1 * mib, 256 * kib, 64 * kib, 64 * kib, 16 * kib },     // the high mark within the limit
        { 1 * mib, 256 * kib, 0, 1, 0 },
    };
    for( const auto & row : rows )
    {
        INFO( "high " << row.high << ", low " << row.low << ", limit " << row.limit );
        const auto limits = rwi::make_send_queue_limits( row.high, row.low, row.limit, true );
        CHECK( limits.m_high_water == row.expected_high );
        CHECK( limits.m_low_water == row.expected_low );
        CHECK( limits.m_limit == row.limit );
        CHECK( limits.m_close_on_limit );
    }
}
