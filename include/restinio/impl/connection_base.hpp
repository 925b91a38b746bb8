// What requests and response builders know of an HTTP connection: where to send response parts,
// and (for websocket::basic::upgrade) which traits the connection was built with.
#pragma once

#include <restinio/buffers.hpp>
#include <restinio/tcp_connection_ctx_base.hpp>

#include <memory>
#include <typeinfo>

namespace restinio
{
namespace impl
{

enum class response_parts_attr_t : std::uint8_t { not_final_parts, final_parts };

enum class response_connection_attr_t : std::uint8_t { connection_keepalive, connection_close };

[[nodiscard]] inline response_connection_attr_t
response_connection_attr( bool should_keep_alive ) noexcept
{
    return should_keep_alive
            ? response_connection_attr_t::connection_keepalive
            : response_connection_attr_t::connection_close;
}

struct response_output_flags_t
{
    response_parts_attr_t m_response_parts;
    response_connection_attr_t m_response_connection;
};

class connection_base_t : public tcp_connection_ctx_base_t
{
public:
    using tcp_connection_ctx_base_t::tcp_connection_ctx_base_t;

    // May be called from any thread; the connection hops onto its strand. Parts of the
    // responses to pipelined requests go out in request order whatever order they come in.
    virtual void write_response_parts(
        request_id_t request_id,
        response_output_flags_t response_output_flags,
        write_group_t wg ) = 0;

    // The traits type the server was built with: upgrade<Traits>() compares before it takes
    // anything from the connection, so a mismatch leaves the request answerable.
    [[nodiscard]] virtual const std::type_info & traits_type() const noexcept = 0;
};

using connection_handle_t = std::shared_ptr< connection_base_t >;

} // namespace impl
} // namespace restinio
