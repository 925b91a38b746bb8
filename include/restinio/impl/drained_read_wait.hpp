// drained_read_wait_t: waits for input on a socket that has just been read until it was empty,
// on an io_context that one thread runs, without the epoll_ctl(EPOLL_CTL_MOD) that asio's
// async_wait makes on every wait.
//
// asio re-arms the descriptor on each wait because, on an io_context run by several threads,
// another thread may have taken the readiness event while no wait was queued; re-arming makes
// epoll report the readiness again. On one thread the reactor only runs between handlers, and a
// socket just read until a read would block raises a new edge-triggered event for any input that
// arrives after that read. (A read that returns less than it asked for is not enough: an end of
// input that arrived with the data, in the same reported event, shows only in the next read.)
// So the wait can be queued as it is, with no system call. The wait lives inside its owner (no
// allocation per wait) and keeps the owner alive while it is queued.
//
// It uses asio's reactor directly (asio::detail), so it is built only for the asio versions it
// was written against, with epoll; elsewhere `supported` is false and callers use async_wait.
#pragma once

#include <restinio/asio_include.hpp>

#include <memory>
#include <utility>

#if defined( ASIO_HAS_EPOLL ) && !defined( ASIO_HAS_IO_URING_AS_DEFAULT ) \
        && ASIO_VERSION >= 102200 && ASIO_VERSION < 102300
    #define RESTINIO_HAS_DRAINED_READ_WAIT 1
#else
    #define RESTINIO_HAS_DRAINED_READ_WAIT 0
#endif

namespace restinio
{
namespace impl
{

#if RESTINIO_HAS_DRAINED_READ_WAIT

// Owner::on_readable( const asio_ns::error_code & ) is called on the io_context's
// thread when input (or an error, or the end of input) is there, or with operation_aborted when
// the socket is closed meanwhile. Nothing is called if the io_context is destroyed first.
template< typename Owner >
class drained_read_wait_t final : private asio_ns::detail::reactor_op
{
public:
    static constexpr bool supported = true;

    drained_read_wait_t() noexcept
        : reactor_op{ asio_ns::error_code{}, &perform, &complete }
    {}

    drained_read_wait_t( const drained_read_wait_t & ) = delete;
    drained_read_wait_t & operator=( const drained_read_wait_t & ) = delete;

    [[nodiscard]] bool pending() const noexcept { return static_cast< bool >( m_owner ); }

    // `socket` must have been read until empty since its last readiness event was reported,
    // and no wait may be pending.
    template< typename Protocol, typename Executor >
    void start( asio_ns::basic_stream_socket< Protocol, Executor > & socket, std::shared_ptr< Owner > owner )
    {
        auto & implementation = socket_implementation( socket );
        // Looked up once: the lookup locks the service registry and compares type names.
        if( !m_reactor )
            m_reactor = &asio_ns::use_service< asio_ns::detail::epoll_reactor >(
                    asio_ns::query( socket.get_executor(), asio_ns::execution::context ) );
        ec_ = asio_ns::error_code{};
        m_owner = std::move( owner );
        // The reactor tries the operation at once (speculatively) before queuing it, and queues
        // it without re-arming if that attempt is not done: nothing is read then. This wait
        // transfers no bytes, so the count the reactor keeps for it marks that attempt.
        bytes_transferred_ = starting;
        m_reactor->start_op( asio_ns::detail::epoll_reactor::read_op, implementation.socket_,
                          implementation.reactor_data_, this, false, true );
        bytes_transferred_ = 0;
    }

private:
    // The protected implementation of asio's socket (its descriptor and reactor data), reached
    // through a member pointer formed in a derived class: well-defined, unlike a downcast.
    template< typename Socket >
    struct implementation_access_t : Socket
    {
        [[nodiscard]] static auto & of( Socket & socket ) noexcept
        {
            return ( socket.*( &implementation_access_t::impl_ ) ).get_implementation();
        }
    };

    template< typename Socket >
    [[nodiscard]] static auto & socket_implementation( Socket & socket ) noexcept
    {
        return implementation_access_t< Socket >::of( socket );
    }

    static status perform( reactor_op * base ) noexcept
    {
        return starting == base->bytes_transferred_ ? not_done : done;
    }

    static void complete( void * scheduler, asio_ns::detail::scheduler_operation * base,
                          const asio_ns::error_code &, std::size_t )
    {
        auto * self = static_cast< drained_read_wait_t * >( static_cast< reactor_op * >( base ) );
        const asio_ns::error_code ec = self->ec_;
        // This wait lives in its owner: after the owner is released it may be gone.
        std::shared_ptr< Owner > owner = std::move( self->m_owner );
        if( scheduler )
            owner->on_readable( ec );
    }

    static constexpr std::size_t starting = 1;

    std::shared_ptr< Owner > m_owner;
    asio_ns::detail::epoll_reactor * m_reactor{ nullptr };
};

#else

template< typename Owner >
class drained_read_wait_t
{
public:
    static constexpr bool supported = false;
};

#endif

} // namespace impl
} // namespace restinio
