// drained_read_wait_t over a real loopback TCP connection: it completes when input arrives (and
// not before), keeps its owner alive while queued, completes with operation_aborted when the
// socket closes, releases its owner without a call when the io_context goes first, can be
// started again and again, and does not re-arm the descriptor (input already reported and left
// unread does not complete the next wait; new input does), which is the system call it saves.

#include <restinio/impl/drained_read_wait.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#if RESTINIO_HAS_DRAINED_READ_WAIT

using namespace std::chrono_literals;
namespace asio_ns = restinio::asio_ns;
using tcp = asio_ns::ip::tcp;

namespace
{

// Long enough for loopback input to be reported on any loaded or sanitized run.
constexpr auto long_enough = 5s;
constexpr auto a_while = 50ms;

struct reader_t : std::enable_shared_from_this< reader_t >
{
    explicit reader_t( tcp::socket socket ) : m_socket{ std::move( socket ) } {}

    void wait() { m_wait.start( m_socket, shared_from_this() ); }

    void on_readable( const asio_ns::error_code & ec )
    {
        ++m_calls;
        m_last_error = ec;
    }

    // Reads everything there is now, as the connection does before it waits.
    std::string drain()
    {
        std::string all;
        char buffer[ 256 ];
        asio_ns::error_code ec;
        m_socket.non_blocking( true );
        for( ;; )
        {
            const std::size_t n = m_socket.read_some( asio_ns::buffer( buffer ), ec );
            if( ec )
                break;
            all.append( buffer, n );
        }
        REQUIRE( ec == asio_ns::error::would_block );
        return all;
    }

    tcp::socket m_socket;
    restinio::impl::drained_read_wait_t< reader_t > m_wait;
    int m_calls{ 0 };
    std::optional< asio_ns::error_code > m_last_error;
};

struct connected_pair_t
{
    explicit connected_pair_t( asio_ns::io_context & io_context )
        : m_peer{ io_context }
    {
        tcp::acceptor acceptor{ io_context, tcp::endpoint{ asio_ns::ip::make_address( "127.0.0.1" ), 0 } };
        m_peer.connect( acceptor.local_endpoint() );
        m_reader = std::make_shared< reader_t >( acceptor.accept() );
    }

    void send( const std::string & bytes ) { asio_ns::write( m_peer, asio_ns::buffer( bytes ) ); }

    tcp::socket m_peer;
    std::shared_ptr< reader_t > m_reader;
};

// Runs until the reader has been called `calls` times in all (or the time is up).
void run_until_calls( asio_ns::io_context & io_context, const reader_t & reader, int calls )
{
    const auto deadline = std::chrono::steady_clock::now() + long_enough;
    while( reader.m_calls < calls && std::chrono::steady_clock::now() < deadline )
    {
        io_context.restart();
        io_context.run_one_for( 10ms );
    }
    REQUIRE( reader.m_calls == calls );
}

} // namespace

TEST_CASE( "a drained-read wait completes when input arrives, not before", "[drained_read_wait]" )
{
    asio_ns::io_context io_context{ 1 };
    connected_pair_t pair{ io_context };
    auto & reader = *pair.m_reader;

    reader.wait();
    CHECK( reader.m_wait.pending() );
    io_context.run_for( a_while );
    CHECK( 0 == reader.m_calls );

    pair.send( "hello" );
    run_until_calls( io_context, reader, 1 );
    CHECK( !reader.m_wait.pending() );
    REQUIRE( reader.m_last_error );
    CHECK( !*reader.m_last_error );
    CHECK( "hello" == reader.drain() );
}

TEST_CASE( "a queued drained-read wait keeps its owner alive, and lets it go once it completes", "[drained_read_wait]" )
{
    asio_ns::io_context io_context{ 1 };
    connected_pair_t pair{ io_context };
    std::weak_ptr< reader_t > weak = pair.m_reader;

    pair.m_reader->wait();
    pair.m_reader.reset();
    io_context.run_for( a_while );
    REQUIRE( !weak.expired() );

    pair.send( "x" );
    const auto deadline = std::chrono::steady_clock::now() + long_enough;
    while( !weak.expired() && std::chrono::steady_clock::now() < deadline )
    {
        io_context.restart();
        io_context.run_one_for( 10ms );
    }
    CHECK( weak.expired() );
}

TEST_CASE( "closing the socket completes a drained-read wait with operation_aborted", "[drained_read_wait]" )
{
    asio_ns::io_context io_context{ 1 };
    connected_pair_t pair{ io_context };
    auto & reader = *pair.m_reader;

    reader.wait();
    reader.m_socket.close();
    run_until_calls( io_context, reader, 1 );
    REQUIRE( reader.m_last_error );
    CHECK( *reader.m_last_error == asio_ns::error::operation_aborted );
}

TEST_CASE( "an io_context destroyed first releases the owner of a queued wait without calling it", "[drained_read_wait]" )
{
    std::weak_ptr< reader_t > weak;
    {
        asio_ns::io_context io_context{ 1 };
        connected_pair_t pair{ io_context };
        weak = pair.m_reader;
        pair.m_reader->wait();
        pair.m_reader.reset();
        io_context.run_for( a_while );
        REQUIRE( !weak.expired() );
        CHECK( 0 == weak.lock()->m_calls );
    }
    CHECK( weak.expired() );
}

TEST_CASE( "a drained-read wait can be started again after each completion", "[drained_read_wait]" )
{
    asio_ns::io_context io_context{ 1 };
    connected_pair_t pair{ io_context };
    auto & reader = *pair.m_reader;

    std::string received;
    for( int round = 0; round != 500; ++round )
    {
        reader.wait();
        pair.send( std::to_string( round ) + ";" );
        run_until_calls( io_context, reader, round + 1 );
        REQUIRE( !*reader.m_last_error );
        received += reader.drain();
    }
    std::string expected;
    for( int round = 0; round != 500; ++round )
        expected += std::to_string( round ) + ";";
    CHECK( expected == received );
}

TEST_CASE( "a drained-read wait does not re-arm the descriptor: only new input completes it", "[drained_read_wait]" )
{
    asio_ns::io_context io_context{ 1 };
    connected_pair_t pair{ io_context };
    auto & reader = *pair.m_reader;

    reader.wait();
    pair.send( "first" );
    run_until_calls( io_context, reader, 1 );

    // Not read: asio's async_wait would re-arm and complete at once; this wait, whose
    // precondition is broken on purpose here, sees no new event.
    reader.wait();
    io_context.run_for( a_while );
    CHECK( 1 == reader.m_calls );

    pair.send( "second" );
    run_until_calls( io_context, reader, 2 );
    CHECK( "firstsecond" == reader.drain() );
}

#else

TEST_CASE( "drained_read_wait_t is not built for this asio", "[drained_read_wait]" )
{
    STATIC_REQUIRE( !restinio::impl::drained_read_wait_t< int >::supported );
}

#endif
