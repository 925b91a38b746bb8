// message_inflater_t: the receiver's side of permessage-deflate (RFC 7692 7.2.2) for one
// connection. It inflates a compressed message's payload bytes as they arrive, across frames and
// reads, appends 00 00 ff ff at the message's end, and counts the inflated bytes against the
// message-size limit while inflating, so a bomb ends at the limit (1009), not after.
//
// Its decompressor is taken at the first compressed message. Where the client keeps no context
// between messages (client_no_context_takeover) it goes back to the thread's pool at each
// message's end, so a connection between messages holds none; otherwise it stays with the
// connection (about 2^client_max_window_bits + 7 KiB). Without zlib types: see deflate_engine.hpp.
#pragma once

#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/impl/deflate_engine.hpp>
#include <restinio/websocket/impl/frame_error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

class message_inflater_t
{
public:
    // Compressed messages are accepted from now on (the negotiation agreed on `params`).
    void enable( deflate_engine_handle_t engine, const deflate_params_t & params ) noexcept
    {
        m_engine = std::move( engine );
        m_window_bits = params.client_max_window_bits;
        m_no_context_takeover = params.client_no_context_takeover;
    }

    [[nodiscard]] bool enabled() const noexcept { return static_cast< bool >( m_engine ); }

    // A compressed message starts.
    void start_message() noexcept { m_inflated_size = 0u; }

    // Inflates `size` more payload bytes of the message (unmasked) onto `out`; the message as
    // inflated so far may not pass `max_message_size`.
    [[nodiscard]] frame_error_t inflate( const std::uint8_t * data, std::size_t size, std::string & out,
                                         std::uint64_t max_message_size )
    {
        const std::size_t before = out.size();
        const inflate_status_t status = take().inflate( data, size, out, room( max_message_size ) );
        return account( status, out.size() - before );
    }

    // The message's last payload byte is in: inflates the end RFC 7692 7.2.2 appends.
    [[nodiscard]] frame_error_t finish_message( std::string & out, std::uint64_t max_message_size )
    {
        const std::size_t before = out.size();
        const inflate_status_t status = take().finish_message( out, room( max_message_size ) );
        const frame_error_t error = account( status, out.size() - before );
        if( frame_error_t::none == error && m_no_context_takeover )
        {
            m_inflater->reset();
            per_thread_codecs< inflater_t >().give_back( m_engine, m_window_bits, std::move( m_inflater ) );
        }
        return error;
    }

    // The connection takes no more input (or failed): its decompressor goes, state and all.
    void abandon() noexcept { m_inflater.reset(); }

private:
    [[nodiscard]] inflater_t & take()
    {
        if( !m_inflater )
            m_inflater = per_thread_codecs< inflater_t >().take( m_engine, m_window_bits );
        return *m_inflater;
    }

    [[nodiscard]] std::size_t room( std::uint64_t max_message_size ) const noexcept
    {
        const std::uint64_t left = max_message_size - m_inflated_size;
        return left < static_cast< std::size_t >( -1 ) ? static_cast< std::size_t >( left ) : static_cast< std::size_t >( -1 );
    }

    [[nodiscard]] frame_error_t account( inflate_status_t status, std::size_t inflated )
    {
        if( inflate_status_t::ok != status )
        {
            abandon();
            return inflate_status_t::too_big == status ? frame_error_t::inflated_message_too_big
                                                       : frame_error_t::invalid_compressed_data;
        }
        m_inflated_size += inflated;
        return frame_error_t::none;
    }

    deflate_engine_handle_t m_engine;
    std::unique_ptr< inflater_t > m_inflater;
    std::uint64_t m_inflated_size{ 0 };
    std::uint8_t m_window_bits{ 15 };
    bool m_no_context_takeover{ false };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
