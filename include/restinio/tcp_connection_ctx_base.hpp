// The part of every connection (HTTP or WebSocket) that timer managers see: an id and a
// timeout check they call back into.
#pragma once

#include <restinio/common_types.hpp>

#include <memory>

namespace restinio
{

class tcp_connection_ctx_base_t
    : public std::enable_shared_from_this< tcp_connection_ctx_base_t >
{
public:
    explicit tcp_connection_ctx_base_t( connection_id_t id ) noexcept : m_connection_id{ id } {}
    virtual ~tcp_connection_ctx_base_t() = default;

    tcp_connection_ctx_base_t( const tcp_connection_ctx_base_t & ) = delete;
    tcp_connection_ctx_base_t & operator=( const tcp_connection_ctx_base_t & ) = delete;

    [[nodiscard]] connection_id_t connection_id() const noexcept { return m_connection_id; }

    // Called by a timer manager from its own thread; implementations hop onto their strand.
    virtual void check_timeout( std::shared_ptr< tcp_connection_ctx_base_t > & self ) = 0;

private:
    const connection_id_t m_connection_id;
};

using tcp_connection_ctx_handle_t = std::shared_ptr< tcp_connection_ctx_base_t >;
using tcp_connection_ctx_weak_handle_t = std::weak_ptr< tcp_connection_ctx_base_t >;

} // namespace restinio
