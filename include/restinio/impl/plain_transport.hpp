// plain_transport_t: all that a connection (HTTP or WebSocket) does with its TCP socket, behind
// one small interface: read what is there without waiting, write a gather list without waiting,
// wait for input, finish a write in the background, send FIN, close; and the strand its
// handlers run on.
//
// On Linux it reads and writes with recv/sendmsg directly (no extra system call to switch the
// socket's mode, and MSG_MORE, so that the last frame and the FIN leave in one segment), and on
// a single-threaded io_context it waits for input without asio's per-wait epoll_ctl
// (drained_read_wait.hpp). Elsewhere, or with RESTINIO_PORTABLE_TRANSPORT defined (the CMake
// option of the same name), it uses asio's public API only.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/common_types.hpp>
#include <restinio/impl/connection_strand.hpp>
#include <restinio/impl/drained_read_wait.hpp>
#include <restinio/impl/slab_allocator.hpp>

#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#if defined( __linux__ ) && !defined( RESTINIO_PORTABLE_TRANSPORT )
    #define RESTINIO_HAS_DIRECT_SOCKET_IO 1
    #include <sys/socket.h>
    #include <sys/uio.h>
#else
    #define RESTINIO_HAS_DIRECT_SOCKET_IO 0
#endif

namespace restinio
{
namespace impl
{

// Owner::on_readable( const asio_ns::error_code & ) is called on the strand when input (or its
// end) is there after wait_readable(). A connection that reads with async_read_some() only
// (into a buffer of its own) has no Owner (void).
template< typename Traits, typename Owner = void >
class plain_transport_t
{
public:
    using strand_t = typename Traits::strand_t;

    // With one thread on the io_context (no strand), the drained socket is waited for without
    // re-arming it.
    static constexpr bool uses_drained_read_wait = RESTINIO_HAS_DIRECT_SOCKET_IO && RESTINIO_HAS_DRAINED_READ_WAIT
            && !std::is_void_v< Owner > && std::is_same_v< strand_t, noop_strand_t >;

    // A read that returned less than it asked for proves the socket empty only where each wait
    // re-arms the descriptor: an end of input that came with the data shows only in the next
    // read, and a drained wait would not be told of it again.
    static constexpr bool short_read_means_drained = !uses_drained_read_wait;

    explicit plain_transport_t( tcp_socket_t socket )
        : m_socket{ std::move( socket ) }
        , m_strand{ m_socket.get_executor() }
    {
        if constexpr( !RESTINIO_HAS_DIRECT_SOCKET_IO )
        {
            asio_ns::error_code ignored;
            m_socket.non_blocking( true, ignored );
        }
    }

    // By value: with the no-op strand this is the socket's executor, returned as a temporary.
    [[nodiscard]] auto strand() { return m_strand.executor( m_socket.get_executor() ); }

    [[nodiscard]] bool running_on_strand() const noexcept
    {
        return m_strand.running_in_this_thread( const_cast< tcp_socket_t & >( m_socket ).get_executor() );
    }

    [[nodiscard]] bool is_open() const noexcept { return m_socket.is_open(); }

    // The time limit of a handshake still running below HTTP (TLS's); none here.
    [[nodiscard]] static constexpr std::optional< std::chrono::steady_clock::time_point > handshake_deadline() noexcept
    {
        return std::nullopt;
    }

    // For the user's socket options.
    [[nodiscard]] tcp_socket_t & socket() noexcept { return m_socket; }

    // For a connection that takes over the socket (an upgrade), with no operation pending on it.
    [[nodiscard]] tcp_socket_t release_socket() noexcept { return std::move( m_socket ); }

    // What the socket has now (0 bytes and eof at the end of input), or would_block.
    [[nodiscard]] std::size_t read_some( std::uint8_t * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
#if RESTINIO_HAS_DIRECT_SOCKET_IO
        // The flag keeps the socket in asio's own non-blocking mode: no system call to switch it.
        for( ;; )
        {
            const ssize_t n = ::recv( m_socket.native_handle(), data, size, MSG_DONTWAIT );
            if( n > 0 )
                return static_cast< std::size_t >( n );
            if( 0 == n )
                ec = asio_ns::error::eof;
            else if( EINTR == errno )
                continue;
            else
                ec = system_error( errno );
            return 0;
        }
#else
        const std::size_t n = m_socket.read_some( asio_ns::buffer( data, size ), ec );
        if( ec == asio_ns::error::try_again )
            ec = asio_ns::error::would_block;
        return n;
#endif
    }

    // Reads into `buffer` once input is there: `handler( ec, n )` runs on the strand. (Asio tries
    // the read at once, and waits without re-arming the socket if there is nothing yet.)
    template< typename Handler >
    void async_read_some( asio_ns::mutable_buffer buffer, Handler && handler )
    {
        m_socket.async_read_some( buffer, m_strand.wrap( std::forward< Handler >( handler ) ) );
    }

    // How much of `buffers` the socket took now. With `fin_follows` the bytes may wait (MSG_MORE)
    // for the shutdown_send() that the caller makes next, to leave in the same segment.
    [[nodiscard]] std::size_t write_some( const std::vector< asio_ns::const_buffer > & buffers,
            bool fin_follows, asio_ns::error_code & ec ) noexcept
    {
#if RESTINIO_HAS_DIRECT_SOCKET_IO
        // A longer list is written in parts; the caller goes on with what is left.
        constexpr std::size_t max_iov = 64;
        ::iovec iov[ max_iov ];
        std::size_t count = 0;
        for( ; count != buffers.size() && count != max_iov; ++count )
        {
            iov[ count ].iov_base = const_cast< void * >( buffers[ count ].data() );
            iov[ count ].iov_len = buffers[ count ].size();
        }
        ::msghdr message{};
        message.msg_iov = iov;
        message.msg_iovlen = count;
        for( ;; )
        {
            const ssize_t n = ::sendmsg( m_socket.native_handle(), &message,
                    MSG_DONTWAIT | MSG_NOSIGNAL | ( fin_follows ? MSG_MORE : 0 ) );
            if( n >= 0 )
                return static_cast< std::size_t >( n );
            if( EINTR != errno )
            {
                ec = system_error( errno );
                return 0;
            }
        }
#else
        (void)fin_follows;
        const std::size_t n = m_socket.write_some( buffers, ec );
        if( ec == asio_ns::error::try_again )
            ec = asio_ns::error::would_block;
        return n;
#endif
    }

    // Calls owner->on_readable() once input may be there: at once (posted) unless `drained`,
    // that is unless the socket was read until a read would block (or, where
    // short_read_means_drained, returned less than asked) since its readiness was last reported.
    void wait_readable( std::shared_ptr< Owner > owner, bool drained )
    {
        if( !drained )
            return asio_ns::post( strand(), [ o = std::move( owner ) ] { o->on_readable( {} ); } );
        if constexpr( uses_drained_read_wait )
            return m_drained_read_wait.start( m_socket, std::move( owner ) );
        // The wait stays pending while the connection is idle: its operation is connection
        // memory (see slab_allocator.hpp).
        m_socket.async_wait( asio_ns::socket_base::wait_read,
            asio_ns::bind_allocator( slab_allocator_t< void >{}, m_strand.wrap(
                [ o = std::move( owner ) ]( const asio_ns::error_code & ec ) { o->on_readable( ec ); } ) ) );
    }

    // Writes all of `buffers` in the background; `handler( ec )` runs on the strand.
    template< typename Handler >
    void async_write( const std::vector< asio_ns::const_buffer > & buffers, Handler && handler )
    {
        asio_ns::async_write( m_socket, buffers, m_strand.wrap(
            [ h = std::forward< Handler >( handler ) ]( const asio_ns::error_code & ec, std::size_t ) mutable {
                h( ec );
            } ) );
    }

    void shutdown_send() noexcept
    {
        asio_ns::error_code ignored;
        m_socket.shutdown( asio_ns::socket_base::shutdown_send, ignored );
    }

    // Pending operations end with operation_aborted.
    void close() noexcept
    {
        asio_ns::error_code ignored;
        m_socket.close( ignored );
    }

private:
    [[nodiscard]] static asio_ns::error_code system_error( int error ) noexcept
    {
        if( EAGAIN == error || EWOULDBLOCK == error )
            return asio_ns::error::would_block;
        return asio_ns::error_code{ error, asio_ns::error::get_system_category() };
    }

    struct no_drained_read_wait_t {};

    tcp_socket_t m_socket;
    // Both empty in the common cases (one thread; a thread pool): no bytes of their own.
    [[no_unique_address]] connection_strand_t< strand_t > m_strand;
    [[no_unique_address]] std::conditional_t< uses_drained_read_wait, drained_read_wait_t< Owner >,
                                              no_drained_read_wait_t > m_drained_read_wait;
};

} // namespace impl
} // namespace restinio
