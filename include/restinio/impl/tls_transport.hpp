// tls_transport_t: plain_transport_t's interface (see plain_transport.hpp) over a tls_socket_t,
// so that the HTTP and the WebSocket connection run over TLS unchanged. The TLS handshake runs
// here, inside the HTTP connection's first read, and must end by the socket's handshake
// deadline (the connection closes the socket then; see connection.hpp's current_deadline()).
//
// Waiting is asio's (async_wait on the TCP socket); reading, writing and encrypting are the
// socket's, which never wait. Input OpenSSL already holds is read without waiting.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/impl/connection_strand.hpp>
#include <restinio/impl/drained_read_wait.hpp>
#include <restinio/impl/gather_write.hpp>
#include <restinio/impl/plain_transport.hpp>
#include <restinio/impl/slab_allocator.hpp>
#include <restinio/impl/tls_socket.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace restinio
{
namespace impl
{

template< typename Traits, typename Owner = void >
class tls_transport_t
{
public:
    using stream_socket_t = tls_socket_t;
    using strand_t = typename Traits::strand_t;

    // Where plain_transport_t does: an input wait without re-arming the descriptor after a
    // read that found the socket empty (which is what OpenSSL's wanting more input means).
    static constexpr bool uses_drained_read_wait = plain_transport_t< Traits, Owner >::uses_drained_read_wait;

    // A read returns one record's worth or less while more may be on the socket.
    static constexpr bool short_read_means_drained = false;

    explicit tls_transport_t( tls_socket_t socket )
        : m_socket{ std::move( socket ) }
        , m_strand{ m_socket.get_executor() }
    {}

    [[nodiscard]] auto strand() { return m_strand.executor( m_socket.get_executor() ); }

    [[nodiscard]] bool running_on_strand() const noexcept
    {
        return m_strand.running_in_this_thread( const_cast< tls_socket_t & >( m_socket ).get_executor() );
    }

    [[nodiscard]] bool is_open() const noexcept { return m_socket.is_open(); }

    [[nodiscard]] std::optional< std::chrono::steady_clock::time_point > handshake_deadline() const noexcept
    {
        return m_socket.handshake_deadline();
    }

    // The TCP socket, for the user's socket options.
    [[nodiscard]] tcp_socket_t & socket() noexcept { return m_socket.lowest_layer(); }

    [[nodiscard]] tls_socket_t release_socket() noexcept { return std::move( m_socket ); }

    [[nodiscard]] std::size_t read_some( std::uint8_t * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        return m_socket.read_some( data, size, ec );
    }

    // After the handshake, if it is still to be done: `handler( ec, n )` runs on the strand.
    template< typename Handler >
    void async_read_some( asio_ns::mutable_buffer buffer, Handler && handler )
    {
        if( m_socket.handshake_deadline() )
            return handshake_then_read( buffer, std::forward< Handler >( handler ), true );
        read_or_wait( buffer, std::forward< Handler >( handler ), true );
    }

    // Encrypts what it takes of `buffers`; see tls_socket_t::write_some (records that wait for
    // the socket make it report would_block, and async_write sends them first).
    [[nodiscard]] std::size_t write_some( const std::vector< asio_ns::const_buffer > & buffers,
                                          bool /*fin_follows*/, asio_ns::error_code & ec ) noexcept
    {
        return m_socket.write_some( buffers, ec );
    }

    // As plain_transport_t::wait_readable; input that OpenSSL holds counts as not drained.
    void wait_readable( std::shared_ptr< Owner > owner, bool drained )
    {
        if( !drained || m_socket.input_buffered() )
            return asio_ns::post( strand(), [ o = std::move( owner ) ] { o->on_readable( {} ); } );
        if constexpr( uses_drained_read_wait )
            return m_drained_read_wait.start( m_socket.lowest_layer(), std::move( owner ) );
        m_socket.lowest_layer().async_wait( asio_ns::socket_base::wait_read,
            asio_ns::bind_allocator( slab_allocator_t< void >{}, m_strand.wrap(
                [ o = std::move( owner ) ]( const asio_ns::error_code & ec ) { o->on_readable( ec ); } ) ) );
    }

    // Writes the records that wait and all of `buffers` in the background; `handler( ec )` runs
    // on the strand.
    template< typename Handler >
    void async_write( const std::vector< asio_ns::const_buffer > & buffers, Handler && handler )
    {
        wait_writable( std::vector< asio_ns::const_buffer >{ buffers }, std::forward< Handler >( handler ) );
    }

    void shutdown_send() noexcept { m_socket.shutdown_send(); }

    void close() noexcept { m_socket.close(); }

private:
    template< typename Handler >
    void complete( Handler && handler, bool initiating, const asio_ns::error_code & ec, std::size_t n )
    {
        // The initiating call runs inside the caller's pass: its handler may not run there.
        if( initiating )
            return asio_ns::post( strand(), [ h = std::forward< Handler >( handler ), ec, n ]() mutable { h( ec, n ); } );
        handler( ec, n );
    }

    template< typename Handler >
    void read_or_wait( asio_ns::mutable_buffer buffer, Handler && handler, bool initiating )
    {
        asio_ns::error_code ec;
        const std::size_t n = m_socket.read_some( static_cast< std::uint8_t * >( buffer.data() ), buffer.size(), ec );
        if( ec != asio_ns::error::would_block )
            return complete( std::forward< Handler >( handler ), initiating, ec, n );
        wait( asio_ns::socket_base::wait_read,
            [ this, buffer, h = std::forward< Handler >( handler ) ]( const asio_ns::error_code & wait_ec ) mutable {
                if( wait_ec )
                    return h( wait_ec, std::size_t{ 0 } );
                read_or_wait( buffer, std::move( h ), false );
            } );
    }

    template< typename Handler >
    void handshake_then_read( asio_ns::mutable_buffer buffer, Handler && handler, bool initiating )
    {
        asio_ns::error_code ec;
        // Records of the handshake that the socket did not take go first.
        if( m_socket.flush_output( ec ) )
        {
            const auto step = m_socket.handshake_step( ec );
            if( tls_socket_t::handshake_step_t::done == step )
                return read_or_wait( buffer, std::forward< Handler >( handler ), initiating );
        }
        if( ec )
            return complete( std::forward< Handler >( handler ), initiating, ec, 0 );
        wait( m_socket.output_waits() ? asio_ns::socket_base::wait_write : asio_ns::socket_base::wait_read,
            [ this, buffer, h = std::forward< Handler >( handler ) ]( const asio_ns::error_code & wait_ec ) mutable {
                if( wait_ec )
                    return h( wait_ec, std::size_t{ 0 } );
                handshake_then_read( buffer, std::move( h ), false );
            } );
    }

    template< typename Handler >
    void wait_writable( std::vector< asio_ns::const_buffer > rest, Handler && handler )
    {
        wait( asio_ns::socket_base::wait_write,
            [ this, rest = std::move( rest ), h = std::forward< Handler >( handler ) ](
                    const asio_ns::error_code & wait_ec ) mutable {
                if( wait_ec )
                    return h( wait_ec );
                asio_ns::error_code ec;
                drop_written_prefix( rest, m_socket.write_some( rest, ec ) );
                if( ec == asio_ns::error::would_block || ( !ec && !rest.empty() ) )
                    return wait_writable( std::move( rest ), std::move( h ) );
                h( ec );
            } );
    }

    template< typename F >
    void wait( asio_ns::socket_base::wait_type what, F && f )
    {
        m_socket.lowest_layer().async_wait( what, m_strand.wrap( std::forward< F >( f ) ) );
    }

    struct no_drained_read_wait_t {};

    tls_socket_t m_socket;
    // Both empty in the common cases (one thread; a thread pool): no bytes of their own.
    [[no_unique_address]] connection_strand_t< strand_t > m_strand;
    [[no_unique_address]] std::conditional_t< uses_drained_read_wait, drained_read_wait_t< Owner >,
                                              no_drained_read_wait_t > m_drained_read_wait;
};

} // namespace impl
} // namespace restinio
