// Where a connection's handlers run: its strand (Traits::strand_t) built on the socket's
// executor (the io_context's own, see tcp_socket_t). With the no-op strand of single-threaded traits the socket's own executor is the
// strand, so nothing is stored and completion handlers are not wrapped: an idle connection is
// smaller and every completion is cheaper.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/default_strands.hpp>

#include <utility>

namespace restinio
{
namespace impl
{

using io_executor_t = asio_ns::io_context::executor_type;

// The strand a connection stores for Traits::strand_t. For the default strand it is the same
// kind of strand over the io_context's own executor (the socket's) instead of over
// any_io_executor: asio 1.22 puts every property it queries through
// any_io_executor in a heap allocation, and a strand queries its executor's blocking property
// on each dispatch, so the default strand would cost an allocation per completion.
template< typename Strand >
struct connection_strand_type
{
    using type = Strand;

    [[nodiscard]] static type make( const io_executor_t & socket_executor ) { return type{ socket_executor }; }
};

template<>
struct connection_strand_type< default_strand_t >
{
    using type = asio_ns::strand< asio_ns::io_context::executor_type >;

    [[nodiscard]] static type make( const io_executor_t & socket_executor ) { return type{ socket_executor }; }
};

template< typename Strand >
class connection_strand_t
{
public:
    explicit connection_strand_t( const io_executor_t & socket_executor )
        : m_strand{ connection_strand_type< Strand >::make( socket_executor ) }
    {}

    [[nodiscard]] const auto & executor( const io_executor_t & ) const noexcept { return m_strand; }

    [[nodiscard]] bool running_in_this_thread( const io_executor_t & ) const noexcept
    {
        return m_strand.running_in_this_thread();
    }

    template< typename Handler >
    [[nodiscard]] auto wrap( Handler && handler ) const
    {
        return asio_ns::bind_executor( m_strand, std::forward< Handler >( handler ) );
    }

private:
    typename connection_strand_type< Strand >::type m_strand;
};

template<>
class connection_strand_t< noop_strand_t >
{
public:
    explicit connection_strand_t( const io_executor_t & ) noexcept {}

    [[nodiscard]] const io_executor_t & executor( const io_executor_t & socket_executor ) const noexcept
    {
        return socket_executor;
    }

    // One thread runs the io_context: being on that thread is being on the strand.
    [[nodiscard]] bool running_in_this_thread( const io_executor_t & socket_executor ) const noexcept
    {
        return socket_executor.running_in_this_thread();
    }

    template< typename Handler >
    [[nodiscard]] Handler && wrap( Handler && handler ) const noexcept
    {
        return std::forward< Handler >( handler );
    }
};

} // namespace impl
} // namespace restinio
