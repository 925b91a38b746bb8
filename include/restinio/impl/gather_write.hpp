// write_gather(): how both connections (HTTP and WebSocket) write a gather list through their
// transport (plain_transport.hpp): as much as the socket takes now, without waiting, and the
// rest in the background. Writing now is the usual case and costs one system call and no
// completion hop; only a reader slower than the writer gets a background write.
#pragma once

#include <restinio/asio_include.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace restinio
{
namespace impl
{

// Where a write is built: used only between building it and the system call, with no user code
// in between, so one list per thread serves every connection of the thread.
inline std::vector< asio_ns::const_buffer > & per_thread_gather() noexcept
{
    static thread_local std::vector< asio_ns::const_buffer > gather;
    return gather;
}

// in_background: the socket did not take everything; the rest is being written and
// `on_done( ec )` will be called on the strand when it is out (or failed).
enum class gather_write_result_t : std::uint8_t { written, in_background, failed };

// Drops the first `written` bytes from `buffers`.
inline void drop_written_prefix( std::vector< asio_ns::const_buffer > & buffers, std::size_t written )
{
    auto first = buffers.begin();
    while( first != buffers.end() && written >= first->size() )
    {
        written -= first->size();
        ++first;
    }
    if( first != buffers.end() )
        *first += written;
    buffers.erase( buffers.begin(), first );
}

// Writes `gather` through `transport`. What the socket does not take now is copied into the
// list `rest_storage()` returns (asked for only then; it must outlive the background write, as
// must the bytes it points to) and written in the background. With `fin_follows`, the caller shuts the sending side down right after a write
// that completes now (see plain_transport_t::write_some). On failure `ec` says why.
template< typename Transport, typename Rest_Storage, typename On_Done >
[[nodiscard]] gather_write_result_t write_gather(
    Transport & transport,
    const std::vector< asio_ns::const_buffer > & gather,
    bool fin_follows,
    asio_ns::error_code & ec,
    Rest_Storage && rest_storage,
    On_Done && on_done )
{
    const std::size_t written = transport.write_some( gather, fin_follows, ec );
    if( ec == asio_ns::error::would_block || ( !ec && written != asio_ns::buffer_size( gather ) ) )
    {
        ec = {};
        std::vector< asio_ns::const_buffer > & rest = rest_storage();
        rest.assign( gather.begin(), gather.end() );
        drop_written_prefix( rest, written );
        transport.async_write( rest, std::forward< On_Done >( on_done ) );
        return gather_write_result_t::in_background;
    }
    return ec ? gather_write_result_t::failed : gather_write_result_t::written;
}

} // namespace impl
} // namespace restinio
