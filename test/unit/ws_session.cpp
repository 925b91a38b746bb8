// Tests of the session state machine: every (state, event) pair as a table row written from the
// closing rules of RFC 6455 7.1, the queries in every state, the closing sequences step by step,
// and, over every sequence of up to four events, that the handler hears of an end at most once.
#include <restinio/websocket/impl/ws_session.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;
using rws::status_code_t;
using act = rwi::session_actions_t;
using ev = rwi::session_event_t;
using st = rwi::session_state_t;

namespace
{

const char *
name_of( st state )
{
    switch( state )
    {
    case st::awaiting_activation: return "awaiting_activation";
    case st::open: return "open";
    case st::closing: return "closing";
    case st::closing_after_writes: return "closing_after_writes";
    case st::failing: return "failing";
    case st::lingering: return "lingering";
    case st::closed: return "closed";
    }
    return "(bad state)";
}

const char *
name_of( ev event )
{
    switch( event )
    {
    case ev::activated: return "activated";
    case ev::data_frame: return "data_frame";
    case ev::close_frame: return "close_frame";
    case ev::frame_error: return "frame_error";
    case ev::input_ended: return "input_ended";
    case ev::writes_flushed: return "writes_flushed";
    case ev::write_failed: return "write_failed";
    case ev::write_timed_out: return "write_timed_out";
    case ev::close_timed_out: return "close_timed_out";
    case ev::user_send: return "user_send";
    case ev::user_close: return "user_close";
    case ev::user_kill: return "user_kill";
    case ev::internal_failure: return "internal_failure";
    case ev::send_queue_overflow: return "send_queue_overflow";
    case ev::ping_due: return "ping_due";
    case ev::pong_timed_out: return "pong_timed_out";
    case ev::idle_timed_out: return "idle_timed_out";
    case ev::going_away: return "going_away";
    }
    return "(bad event)";
}

const st all_states[] = { st::awaiting_activation, st::open, st::closing,
    st::closing_after_writes, st::failing, st::lingering, st::closed };

const ev all_events[] = { ev::activated, ev::data_frame, ev::close_frame, ev::frame_error,
    ev::input_ended, ev::writes_flushed, ev::write_failed, ev::write_timed_out,
    ev::close_timed_out, ev::user_send, ev::user_close, ev::user_kill, ev::internal_failure,
    ev::send_queue_overflow, ev::ping_due, ev::pong_timed_out, ev::idle_timed_out, ev::going_away };

static_assert( sizeof( all_states ) / sizeof( all_states[ 0 ] ) == rwi::session_state_count );
static_assert( sizeof( all_events ) / sizeof( all_events[ 0 ] ) == rwi::session_event_count );

// "send_close|report_close 1002": the bits by name, and the code only where it means something.
std::string
describe( const act & actions )
{
    static const std::pair< std::uint16_t, const char * > names[] = {
        { act::deliver, "deliver" }, { act::queue_frame, "queue_frame" },
        { act::refuse_frame, "refuse_frame" }, { act::send_close, "send_close" },
        { act::echo_close, "echo_close" }, { act::report_close, "report_close" },
        { act::shutdown_send, "shutdown_send" }, { act::close_socket, "close_socket" },
        { act::arm_close_deadline, "arm_close_deadline" }, { act::start_reading, "start_reading" },
        { act::send_ping, "send_ping" } };
    std::string text;
    std::uint16_t known = 0;
    for( const auto & name : names )
    {
        known = static_cast< std::uint16_t >( known | name.first );
        if( actions.has( name.first ) )
            text += ( text.empty() ? "" : "|" ) + std::string{ name.second };
    }
    if( 0 != ( actions.bits & ~known ) )
        text += ( text.empty() ? "" : "|" ) + std::string{ "(unknown bits)" };
    if( actions.has( act::send_close ) || actions.has( act::report_close ) )
        text += " " + std::to_string( static_cast< unsigned >( actions.code ) );
    return text.empty() ? "nothing" : text;
}

// A fresh session driven to `state` by the shortest natural path.
rwi::ws_session_t
session_in( st state )
{
    struct path_t { st state; std::vector< ev > events; };
    const path_t paths[] = {
        { st::awaiting_activation, {} },
        { st::open, { ev::activated } },
        { st::closing, { ev::activated, ev::user_close } },
        { st::closing_after_writes, { ev::activated, ev::close_frame } },
        { st::failing, { ev::activated, ev::frame_error } },
        { st::lingering, { ev::activated, ev::frame_error, ev::writes_flushed } },
        { st::closed, { ev::user_kill } },
    };
    rwi::ws_session_t session;
    for( const auto & path : paths )
    {
        if( path.state != state )
            continue;
        for( const auto event : path.events )
            (void)session.on( event, status_code_t::protocol_error );
    }
    INFO( "driving a fresh session to " << name_of( state ) );
    REQUIRE( name_of( session.state() ) == std::string{ name_of( state ) } );
    return session;
}

} // namespace

TEST_CASE( "every (state, event) pair: next state and actions (RFC 6455 7.1)",
    "[websocket][session]" )
{
    // The states as in the rules: A awaiting_activation, O open, C closing, W closing_after_writes,
    // F failing, L lingering, X closed.
    constexpr st A = st::awaiting_activation;
    constexpr st O = st::open;
    constexpr st C = st::closing;
    constexpr st W = st::closing_after_writes;
    constexpr st F = st::failing;
    constexpr st L = st::lingering;
    constexpr st X = st::closed;

    // Every event gets this code; only frame_error, user_close and idle_timed_out may pass it on.
    constexpr status_code_t given = status_code_t::policy_violation;
    constexpr status_code_t lost = status_code_t::connection_lost;
    constexpr status_code_t unexpected = status_code_t::unexpected_condition;
    constexpr status_code_t going_away = status_code_t::going_away;
    constexpr std::uint16_t none = 0;
    constexpr std::uint16_t going = act::send_close | act::report_close | act::arm_close_deadline | act::start_reading;

    struct row_t
    {
        st from;
        ev event;
        st next;
        std::uint16_t bits;
        status_code_t code = status_code_t::normal_closure;   // checked with send/report_close
    };
    const row_t rows[] = {
        { A, ev::activated, O, act::start_reading },
        { O, ev::activated, O, none },
        { C, ev::activated, C, none },
        { W, ev::activated, W, none },
        { F, ev::activated, F, none },
        { L, ev::activated, L, none },
        { X, ev::activated, X, none },

        { A, ev::data_frame, A, none },
        { O, ev::data_frame, O, act::deliver },
        { C, ev::data_frame, C, none },
        { W, ev::data_frame, W, none },
        { F, ev::data_frame, F, none },
        { L, ev::data_frame, L, none },
        { X, ev::data_frame, X, none },

        { A, ev::close_frame, A, none },
        { O, ev::close_frame, W, act::deliver | act::echo_close },
        { C, ev::close_frame, W, none },
        { W, ev::close_frame, W, none },
        { F, ev::close_frame, F, none },
        { L, ev::close_frame, L, none },
        { X, ev::close_frame, X, none },

        { A, ev::frame_error, A, none },
        { O, ev::frame_error, F, act::send_close | act::report_close, given },
        { C, ev::frame_error, X, act::close_socket },
        { W, ev::frame_error, W, none },
        { F, ev::frame_error, F, none },
        { L, ev::frame_error, L, none },
        { X, ev::frame_error, X, none },

        { A, ev::input_ended, X, act::close_socket | act::report_close, lost },
        { O, ev::input_ended, X, act::close_socket | act::report_close, lost },
        { C, ev::input_ended, X, act::close_socket },
        { W, ev::input_ended, X, act::close_socket },
        { F, ev::input_ended, X, act::close_socket },
        { L, ev::input_ended, X, act::close_socket },
        { X, ev::input_ended, X, none },

        { A, ev::write_failed, X, act::close_socket | act::report_close, lost },
        { O, ev::write_failed, X, act::close_socket | act::report_close, lost },
        { C, ev::write_failed, X, act::close_socket },
        { W, ev::write_failed, X, act::close_socket },
        { F, ev::write_failed, X, act::close_socket },
        { L, ev::write_failed, X, act::close_socket },
        { X, ev::write_failed, X, none },

        { A, ev::write_timed_out, X, act::close_socket | act::report_close, unexpected },
        { O, ev::write_timed_out, X, act::close_socket | act::report_close, unexpected },
        { C, ev::write_timed_out, X, act::close_socket },
        { W, ev::write_timed_out, X, act::close_socket },
        { F, ev::write_timed_out, X, act::close_socket },
        { L, ev::write_timed_out, X, act::close_socket },
        { X, ev::write_timed_out, X, none },

        { A, ev::writes_flushed, A, none },
        { O, ev::writes_flushed, O, none },
        { C, ev::writes_flushed, C, none },
        { W, ev::writes_flushed, X, act::shutdown_send | act::close_socket },
        { F, ev::writes_flushed, L, act::shutdown_send | act::arm_close_deadline },
        { L, ev::writes_flushed, L, none },
        { X, ev::writes_flushed, X, none },

        { A, ev::close_timed_out, A, none },
        { O, ev::close_timed_out, O, none },
        { C, ev::close_timed_out, X, act::close_socket },
        { W, ev::close_timed_out, W, none },
        { F, ev::close_timed_out, F, none },
        { L, ev::close_timed_out, X, act::close_socket },
        { X, ev::close_timed_out, X, none },

        { A, ev::user_send, A, act::queue_frame },
        { O, ev::user_send, O, act::queue_frame },
        { C, ev::user_send, C, act::refuse_frame },
        { W, ev::user_send, W, act::refuse_frame },
        { F, ev::user_send, F, act::refuse_frame },
        { L, ev::user_send, L, act::refuse_frame },
        { X, ev::user_send, X, act::refuse_frame },

        { A, ev::user_close, C, act::send_close | act::arm_close_deadline | act::start_reading, given },
        { O, ev::user_close, C, act::send_close | act::arm_close_deadline | act::start_reading, given },
        { C, ev::user_close, C, act::refuse_frame },
        { W, ev::user_close, W, act::refuse_frame },
        { F, ev::user_close, F, act::refuse_frame },
        { L, ev::user_close, L, act::refuse_frame },
        { X, ev::user_close, X, act::refuse_frame },

        { A, ev::user_kill, X, act::close_socket },
        { O, ev::user_kill, X, act::close_socket },
        { C, ev::user_kill, X, act::close_socket },
        { W, ev::user_kill, X, act::close_socket },
        { F, ev::user_kill, X, act::close_socket },
        { L, ev::user_kill, X, act::close_socket },
        { X, ev::user_kill, X, none },

        { A, ev::internal_failure, F, act::send_close | act::report_close, unexpected },
        { O, ev::internal_failure, F, act::send_close | act::report_close, unexpected },
        { C, ev::internal_failure, X, act::close_socket },
        { W, ev::internal_failure, X, act::close_socket },
        { F, ev::internal_failure, X, act::close_socket },
        { L, ev::internal_failure, X, act::close_socket },
        { X, ev::internal_failure, X, none },

        { A, ev::send_queue_overflow, F, act::send_close | act::report_close, status_code_t::policy_violation },
        { O, ev::send_queue_overflow, F, act::send_close | act::report_close, status_code_t::policy_violation },
        { C, ev::send_queue_overflow, C, none },
        { W, ev::send_queue_overflow, W, none },
        { F, ev::send_queue_overflow, F, none },
        { L, ev::send_queue_overflow, L, none },
        { X, ev::send_queue_overflow, X, none },

        { A, ev::ping_due, A, none },
        { O, ev::ping_due, O, act::send_ping },
        { C, ev::ping_due, C, none },
        { W, ev::ping_due, W, none },
        { F, ev::ping_due, F, none },
        { L, ev::ping_due, L, none },
        { X, ev::ping_due, X, none },

        { A, ev::pong_timed_out, A, none },
        { O, ev::pong_timed_out, X, act::close_socket | act::report_close, lost },
        { C, ev::pong_timed_out, C, none },
        { W, ev::pong_timed_out, W, none },
        { F, ev::pong_timed_out, F, none },
        { L, ev::pong_timed_out, L, none },
        { X, ev::pong_timed_out, X, none },

        { A, ev::idle_timed_out, A, none },
        { O, ev::idle_timed_out, C, act::send_close | act::report_close | act::arm_close_deadline, given },
        { C, ev::idle_timed_out, C, none },
        { W, ev::idle_timed_out, W, none },
        { F, ev::idle_timed_out, F, none },
        { L, ev::idle_timed_out, L, none },
        { X, ev::idle_timed_out, X, none },

        { A, ev::going_away, C, going, going_away },
        { O, ev::going_away, C, going, going_away },
        { C, ev::going_away, C, none },
        { W, ev::going_away, W, none },
        { F, ev::going_away, F, none },
        { L, ev::going_away, L, none },
        { X, ev::going_away, X, none },
    };
    static_assert( sizeof( rows ) / sizeof( rows[ 0 ] )
        == rwi::session_state_count * rwi::session_event_count );

    std::array< std::array< int, rwi::session_event_count >, rwi::session_state_count > seen{};
    for( const auto & row : rows )
    {
        ++seen[ static_cast< std::size_t >( row.from ) ][ static_cast< std::size_t >( row.event ) ];

        INFO( name_of( row.from ) << " + " << name_of( row.event ) );
        auto session = session_in( row.from );
        const act expected{ row.bits, row.code };
        const act actions = session.on( row.event, given );
        CHECK( describe( actions ) == describe( expected ) );
        CHECK( actions == expected );
        CHECK( name_of( session.state() ) == std::string{ name_of( row.next ) } );
    }

    // Each pair appears exactly once: no pair forgotten, none written twice.
    for( const auto state : all_states )
        for( const auto event : all_events )
        {
            INFO( name_of( state ) << " + " << name_of( event ) );
            CHECK( 1 == seen[ static_cast< std::size_t >( state ) ][ static_cast< std::size_t >( event ) ] );
        }
}

TEST_CASE( "the queries in every state", "[websocket][session]" )
{
    struct row_t
    {
        st state;
        bool takes_frames;
        bool reads;
        bool fin_after_writes;
        bool accepts_frames;
        bool is_closed;
    };
    const row_t rows[] = {
        //  state                     takes  reads  fin    accepts closed
        { st::awaiting_activation,    false, false, false, true,  false },
        { st::open,                   true,  true,  false, true,  false },
        { st::closing,                true,  true,  false, false, false },
        { st::closing_after_writes,   false, true,  true,  false, false },
        { st::failing,                false, true,  true,  false, false },
        { st::lingering,              false, true,  false, false, false },
        { st::closed,                 false, false, false, false, true },
    };
    static_assert( sizeof( rows ) / sizeof( rows[ 0 ] ) == rwi::session_state_count );
    for( const auto & row : rows )
    {
        INFO( name_of( row.state ) );
        const auto session = session_in( row.state );
        CHECK( session.takes_frames() == row.takes_frames );
        CHECK( session.reads() == row.reads );
        CHECK( session.fin_after_writes() == row.fin_after_writes );
        CHECK( session.accepts_frames() == row.accepts_frames );
        CHECK( session.is_closed() == row.is_closed );
    }
}

TEST_CASE( "closing sequences, step by step (RFC 6455 7.1)", "[websocket][session]" )
{
    constexpr std::uint16_t none = 0;
    constexpr auto normal = status_code_t::normal_closure;
    constexpr auto going_away = status_code_t::going_away;
    constexpr auto protocol_error = status_code_t::protocol_error;
    constexpr auto invalid_data = status_code_t::invalid_message_data;
    constexpr auto lost = status_code_t::connection_lost;
    constexpr auto unexpected = status_code_t::unexpected_condition;

    // `code` goes with the event, and is the code expected with send_close or report_close.
    struct step_t { ev event; st next; std::uint16_t bits; status_code_t code = normal; };
    struct row_t { const char * name; st from; std::vector< step_t > steps; };
    const row_t rows[] = {
        { "we close first (7.1.2, 7.1.1)", st::open, {
            { ev::user_close, st::closing,
                act::send_close | act::arm_close_deadline | act::start_reading, normal },
            { ev::writes_flushed, st::closing, none },
            { ev::close_frame, st::closing_after_writes, none },
            { ev::writes_flushed, st::closed, act::shutdown_send | act::close_socket } } },
        { "peer closes first (7.1.1, 5.5.1)", st::open, {
            { ev::close_frame, st::closing_after_writes, act::deliver | act::echo_close },
            { ev::writes_flushed, st::closed, act::shutdown_send | act::close_socket } } },
        { "both close at once: the peer's close is not delivered (7.1.3)", st::open, {
            { ev::user_close, st::closing,
                act::send_close | act::arm_close_deadline | act::start_reading, going_away },
            { ev::close_frame, st::closing_after_writes, none },
            { ev::writes_flushed, st::closed, act::shutdown_send | act::close_socket } } },
        { "protocol error: fail, FIN, linger until EOF, one report (7.1.7)", st::open, {
            { ev::frame_error, st::failing, act::send_close | act::report_close, protocol_error },
            { ev::writes_flushed, st::lingering, act::shutdown_send | act::arm_close_deadline },
            { ev::data_frame, st::lingering, none },
            { ev::close_frame, st::lingering, none },
            { ev::input_ended, st::closed, act::close_socket } } },
        { "bad input after our close: drop TCP, no report (7.1.7)", st::open, {
            { ev::user_close, st::closing,
                act::send_close | act::arm_close_deadline | act::start_reading, normal },
            { ev::frame_error, st::closed, act::close_socket, protocol_error } } },
        { "EOF while open: 1006 once, then nothing (7.1.5)", st::open, {
            { ev::input_ended, st::closed, act::close_socket | act::report_close, lost },
            { ev::write_failed, st::closed, none },
            { ev::input_ended, st::closed, none },
            { ev::user_kill, st::closed, none } } },
        { "EOF before activation: 1006 (7.1.5)", st::awaiting_activation, {
            { ev::input_ended, st::closed, act::close_socket | act::report_close, lost },
            { ev::activated, st::closed, none } } },
        { "write failure while open: 1006, then EOF reports nothing", st::open, {
            { ev::write_failed, st::closed, act::close_socket | act::report_close, lost },
            { ev::input_ended, st::closed, none } } },
        { "write timeout while open: 1011, then nothing", st::open, {
            { ev::write_timed_out, st::closed, act::close_socket | act::report_close, unexpected },
            { ev::write_failed, st::closed, none } } },
        { "close-handshake timeout after our close: no report", st::open, {
            { ev::user_close, st::closing,
                act::send_close | act::arm_close_deadline | act::start_reading, normal },
            { ev::writes_flushed, st::closing, none },
            { ev::data_frame, st::closing, none },
            { ev::close_timed_out, st::closed, act::close_socket },
            { ev::close_frame, st::closed, none } } },
        { "linger timeout: the peer never sends EOF", st::open, {
            { ev::frame_error, st::failing, act::send_close | act::report_close, invalid_data },
            { ev::writes_flushed, st::lingering, act::shutdown_send | act::arm_close_deadline },
            { ev::data_frame, st::lingering, none },
            { ev::close_timed_out, st::closed, act::close_socket },
            { ev::input_ended, st::closed, none } } },
        { "close before activation: reading starts to await the peer's close", st::awaiting_activation, {
            { ev::user_close, st::closing,
                act::send_close | act::arm_close_deadline | act::start_reading, going_away },
            { ev::activated, st::closing, none },
            { ev::close_frame, st::closing_after_writes, none },
            { ev::writes_flushed, st::closed, act::shutdown_send | act::close_socket } } },
        { "a send over the queue's limit: 1008, then linger; the write timeout ends it", st::open, {
            { ev::send_queue_overflow, st::failing, act::send_close | act::report_close,
                status_code_t::policy_violation },
            { ev::user_send, st::failing, act::refuse_frame },
            { ev::write_timed_out, st::closed, act::close_socket } } },
        { "internal failure while open: 1011, then linger", st::open, {
            { ev::internal_failure, st::failing, act::send_close | act::report_close, unexpected },
            { ev::user_send, st::failing, act::refuse_frame },
            { ev::writes_flushed, st::lingering, act::shutdown_send | act::arm_close_deadline },
            { ev::internal_failure, st::closed, act::close_socket } } },
        { "keepalive: pings while silent, then 1006 and the socket goes (7.1.7)", st::open, {
            { ev::ping_due, st::open, act::send_ping },
            { ev::data_frame, st::open, act::deliver },
            { ev::ping_due, st::open, act::send_ping },
            { ev::pong_timed_out, st::closed, act::close_socket | act::report_close, lost },
            { ev::input_ended, st::closed, none } } },
        { "idle timeout: our close with its code, reported once, then the handshake", st::open, {
            { ev::idle_timed_out, st::closing,
                act::send_close | act::report_close | act::arm_close_deadline, going_away },
            { ev::ping_due, st::closing, none },
            { ev::user_close, st::closing, act::refuse_frame },
            { ev::close_frame, st::closing_after_writes, none },
            { ev::writes_flushed, st::closed, act::shutdown_send | act::close_socket } } },
        { "going away: 1001 after what is queued, then the peer's close is awaited (7.4.1)", st::open, {
            { ev::user_send, st::open, act::queue_frame },
            { ev::going_away, st::closing, act::send_close | act::report_close | act::arm_close_deadline
                | act::start_reading, going_away },
            { ev::going_away, st::closing, none },
            { ev::user_kill, st::closed, act::close_socket } } },
        { "going away, the peer never answers: closed at the close deadline", st::awaiting_activation, {
            { ev::going_away, st::closing, act::send_close | act::report_close | act::arm_close_deadline
                | act::start_reading, going_away },
            { ev::writes_flushed, st::closing, none },
            { ev::close_timed_out, st::closed, act::close_socket } } },
        { "user's frames are refused once the close is queued", st::open, {
            { ev::user_send, st::open, act::queue_frame },
            { ev::user_close, st::closing,
                act::send_close | act::arm_close_deadline | act::start_reading, normal },
            { ev::user_send, st::closing, act::refuse_frame },
            { ev::user_close, st::closing, act::refuse_frame } } },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        auto session = session_in( row.from );
        for( std::size_t i = 0; i != row.steps.size(); ++i )
        {
            const auto & step = row.steps[ i ];
            INFO( "step " << i + 1 << ": " << name_of( step.event ) );
            const act expected{ step.bits, step.code };
            const act actions = session.on( step.event, step.code );
            CHECK( describe( actions ) == describe( expected ) );
            CHECK( name_of( session.state() ) == std::string{ name_of( step.next ) } );
        }
    }
}

TEST_CASE( "kill in every state closes the socket, and nothing happens after it",
    "[websocket][session]" )
{
    for( const auto state : all_states )
    {
        INFO( "kill in " << name_of( state ) );
        auto session = session_in( state );
        const act actions = session.on( ev::user_kill );
        const act expected{ st::closed == state ? std::uint16_t{ 0 } : std::uint16_t{ act::close_socket } };
        CHECK( describe( actions ) == describe( expected ) );
        CHECK( session.is_closed() );

        // Afterwards only the user's calls get an answer: a refusal.
        for( const auto event : all_events )
        {
            INFO( "then " << name_of( event ) );
            const bool refused = ev::user_send == event || ev::user_close == event;
            const act after = session.on( event, status_code_t::protocol_error );
            CHECK( describe( after ) == ( refused ? "refuse_frame" : "nothing" ) );
            CHECK( session.is_closed() );
        }
    }
}

TEST_CASE( "the handler hears of an end at most once, and never after its own close or kill",
    "[websocket][session]" )
{
    constexpr std::size_t length = 4;
    for( const auto start : { st::awaiting_activation, st::open } )
    {
        INFO( "from " << name_of( start ) );
        std::size_t sequences = 0;
        std::size_t violations = 0;
        std::string first_violation;
        const auto fresh = session_in( start );
        std::array< std::size_t, length > index{};
        for( ;; )
        {
            auto session = fresh;
            int ends = 0;                  // reports, plus peer's close frames delivered
            bool user_ended = false;       // user_close or user_kill has happened
            bool reported_after_user = false;
            std::string trace;
            for( const auto i : index )
            {
                const ev event = all_events[ i ];
                const act actions = session.on( event, status_code_t::protocol_error );
                trace += std::string{ name_of( event ) } + " -> " + describe( actions ) + "; ";
                const bool told = actions.has( act::report_close )
                    || ( ev::close_frame == event && actions.has( act::deliver ) );
                ends += told ? 1 : 0;
                reported_after_user = reported_after_user || ( told && user_ended );
                user_ended = user_ended || ev::user_close == event || ev::user_kill == event;
            }
            ++sequences;
            if( ends > 1 || reported_after_user )
            {
                if( 0 == violations++ )
                    first_violation = trace;
            }

            // The next sequence, counting in base session_event_count.
            std::size_t digit = 0;
            while( digit != length && ++index[ digit ] == rwi::session_event_count )
                index[ digit++ ] = 0;
            if( digit == length )
                break;
        }
        INFO( "first violation: " << first_violation );
        CHECK( violations == 0 );
        constexpr std::size_t n = rwi::session_event_count;
        CHECK( sequences == n * n * n * n );
    }
}
