// message_deflater_t: the sending side of permessage-deflate (RFC 7692 7.2.1) for one
// connection. A data message sent as one frame is compressed when it is at least the threshold
// long (deflate_options_t::min_compress_size) and only if that makes it shorter; otherwise it
// goes as it is. A message the user fragments goes uncompressed (RSV1 belongs to its first
// frame, sent before the rest is known), as RFC 7692 allows any message to.
//
// Memory: where we keep no context between messages (server_no_context_takeover, the default)
// the compressor is the thread's, shared by all its connections, taken and given back within
// the send, so a connection holds none. With context takeover the connection has its own,
// made at its first compressed message (about 2^(window_bits + 2) + 2^(mem_level + 9) bytes).
#pragma once

#include <restinio/buffers.hpp>
#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/impl/deflate_engine.hpp>
#include <restinio/websocket/impl/ws_thread_pools.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

class message_deflater_t
{
public:
    // Messages are compressed from now on (the negotiation agreed on `params`).
    void enable( deflate_engine_handle_t engine, const deflate_params_t & params ) noexcept
    {
        m_engine = std::move( engine );
        m_params = params;
    }

    // Both directions' parameters, for ws_t::deflate_params().
    [[nodiscard]] const deflate_params_t & params() const noexcept { return m_params; }

    // Compresses a whole message about to be sent: true if `payload` now holds its compressed
    // form, to be sent with RSV1 set.
    [[nodiscard]] bool compress( writable_item_t & payload )
    {
        if( !m_engine || payload.size() < m_engine->options().min_compress_size() )
            return false;
        const asio_ns::const_buffer message = payload.buf();
        std::string compressed = per_thread_payload_strings().take( message.size() );

        if( m_params.server_no_context_takeover )
        {
            auto & pool = per_thread_codecs< deflater_t >();
            auto deflater = pool.take( m_engine, m_params.server_max_window_bits );
            deflater->compress( message.data(), message.size(), compressed );
            deflater->reset();
            pool.give_back( m_engine, m_params.server_max_window_bits, std::move( deflater ) );
        }
        else
        {
            if( !m_deflater )
                m_deflater = m_engine->make_deflater( m_params.server_max_window_bits );
            m_deflater->compress( message.data(), message.size(), compressed );
        }

        if( compressed.size() >= message.size() )
        {
            // Sent as it is, so the peer's window will not hold what ours does: ours forgets
            // it (the peer keeping more history than we refer to is harmless).
            if( m_deflater )
                m_deflater->reset();
            per_thread_payload_strings().give_back( std::move( compressed ) );
            return false;
        }
        if( std::string * original = restinio::impl::owned_string( payload ) )
            per_thread_payload_strings().give_back( std::move( *original ) );
        payload = writable_item_t{ std::move( compressed ) };
        return true;
    }

private:
    deflate_engine_handle_t m_engine;
    // Only with context takeover.
    std::unique_ptr< deflater_t > m_deflater;
    deflate_params_t m_params;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
