// permessage_deflate_t: what one connection keeps of permessage-deflate (RFC 7692) once it is
// agreed on: the engine and the parameters, the decompressor of the message being received,
// and, with context takeover, the codecs that carry a window from one message to the next.
//
// Receiving (7.2.2): a compressed message's payload bytes are inflated as they arrive, across
// frames and reads, 00 00 ff ff is appended at the message's end, and the inflated bytes count
// against the message-size limit while inflating, so a bomb ends at the limit (1009), not after.
//
// Sending (7.2.1): a data message sent as one frame is compressed when it is at least the
// threshold long (deflate_options_t::min_compress_size) and only if that makes it shorter;
// otherwise it goes as it is. A message the user sends in frames is compressed whole, on one
// deflate stream: RSV1 belongs to its first frame, sent before the rest is known, so neither
// rule can apply; each frame carries what its part compressed to, ending with a sync flush
// (the last without its 00 00 ff ff), so the peer inflates each frame as it comes.
//
// Memory: a side that keeps no context between messages (the default both ways) takes its codec
// from the thread's pool for one message and gives it back, so an idle connection holds no zlib
// state, only this object (48 bytes, from the slab pools). With context takeover the connection
// has its own codecs, made at the first compressed message each way: a compressor of about
// 2^(window_bits + 2) + 2^(mem_level + 9) bytes, a decompressor of about 2^window_bits + 7 KiB.
#pragma once

#include <restinio/buffers.hpp>
#include <restinio/impl/slab_allocator.hpp>
#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/impl/deflate_engine.hpp>
#include <restinio/websocket/impl/frame_error.hpp>
#include <restinio/websocket/impl/ws_thread_pools.hpp>
#include <restinio/websocket/message.hpp>

#include <cstddef>
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

class permessage_deflate_t
{
public:
    permessage_deflate_t( deflate_engine_handle_t engine, const deflate_params_t & params ) noexcept
        : m_engine{ std::move( engine ) }
        , m_params{ params }
    {}

    // One block of the slab pools rather than a heap block with its header: every connection
    // that negotiated compression has one.
    static void * operator new( std::size_t ) { return allocator_t{}.allocate( 1 ); }
    static void operator delete( void * p ) noexcept { allocator_t{}.deallocate( static_cast< permessage_deflate_t * >( p ), 1 ); }

    // What was agreed on, both ways.
    [[nodiscard]] const deflate_params_t & params() const noexcept { return m_params; }

    // ---- receiving ----

    // A compressed message starts.
    void start_message() noexcept { m_inflated_size = 0u; }

    // Inflates `size` more payload bytes of the message (unmasked) onto `out`; the message as
    // inflated so far may not pass `max_message_size`.
    [[nodiscard]] frame_error_t inflate( const std::uint8_t * data, std::size_t size, std::string & out,
                                         std::uint64_t max_message_size )
    {
        const std::size_t before = out.size();
        const inflate_status_t status = inflater().inflate( data, size, out, room( max_message_size ) );
        return account( status, out.size() - before );
    }

    // The message's last payload byte is in: inflates the end RFC 7692 7.2.2 appends.
    [[nodiscard]] frame_error_t finish_message( std::string & out, std::uint64_t max_message_size )
    {
        const std::size_t before = out.size();
        const inflate_status_t status = inflater().finish_message( out, room( max_message_size ) );
        const frame_error_t error = account( status, out.size() - before );
        if( frame_error_t::none == error && m_params.client_no_context_takeover )
        {
            m_inflater->reset();
            per_thread_codecs< inflater_t >().give_back( m_engine, m_params.client_max_window_bits,
                                                          std::move( m_inflater ) );
        }
        return error;
    }

    // The connection takes no more input (or failed): its decompressor goes, state and all.
    void abandon_input() noexcept { m_inflater.reset(); }

    // ---- sending ----

    // Compresses a data frame about to be sent (text, binary or continuation) as its message
    // asks: true if the frame goes with RSV1 set. Control frames never come here.
    [[nodiscard]] bool compress_frame( opcode_t opcode, final_frame_flag_t final_flag, writable_item_t & payload )
    {
        const bool last = final_frame_flag_t::final_frame == final_flag;
        if( opcode_t::continuation_frame != opcode )
        {
            // A new message: one left unfinished before it is forgotten.
            end_fragmented_message();
            if( last )
                return compress( payload );
            m_sending_in_frames = true;
            compress_part( payload, false );
            return true;
        }
        if( m_sending_in_frames )
        {
            compress_part( payload, last );
            if( last )
                end_fragmented_message();
        }
        return false;
    }

    // Compresses a whole message about to be sent: true if `payload` now holds its compressed
    // form, to be sent with RSV1 set.
    [[nodiscard]] bool compress( writable_item_t & payload )
    {
        if( payload.size() < m_engine->options().min_compress_size() )
            return false;
        const asio_ns::const_buffer message = payload.buf();
        std::string compressed = per_thread_payload_strings().take( message.size() );
        deflater().compress( message.data(), message.size(), compressed );
        const bool shorter = compressed.size() < message.size();
        if( m_params.server_no_context_takeover )
            release_shared_deflater();
        else if( !shorter )
            // Sent as it is, so the peer's window will not hold what ours does: ours forgets
            // it (the peer keeping more history than we refer to is harmless).
            m_deflater->reset();

        if( !shorter )
        {
            per_thread_payload_strings().give_back( std::move( compressed ) );
            return false;
        }
        replace_payload( payload, std::move( compressed ) );
        return true;
    }

private:
    // The compressor of the message being sent: the connection's own with context takeover
    // (made at its first use), otherwise the thread's, held until release_shared_deflater().
    [[nodiscard]] deflater_t & deflater()
    {
        if( !m_deflater )
            m_deflater = m_params.server_no_context_takeover
                    ? per_thread_codecs< deflater_t >().take( m_engine, m_params.server_max_window_bits )
                    : m_engine->make_deflater( m_params.server_max_window_bits, true );
        return *m_deflater;
    }

    // Without context takeover: the message is out, its compressor goes back to the thread.
    void release_shared_deflater() noexcept
    {
        if( !m_params.server_no_context_takeover || !m_deflater )
            return;
        m_deflater->reset();
        per_thread_codecs< deflater_t >().give_back( m_engine, m_params.server_max_window_bits, std::move( m_deflater ) );
    }

    // The next part of the message being sent in frames, each part ending with a sync flush.
    void compress_part( writable_item_t & payload, bool last )
    {
        const asio_ns::const_buffer part = payload.buf();
        std::string compressed = per_thread_payload_strings().take( part.size() );
        if( last )
            deflater().compress( part.data(), part.size(), compressed );
        else
            deflater().compress_part( part.data(), part.size(), compressed );
        replace_payload( payload, std::move( compressed ) );
    }

    void end_fragmented_message() noexcept
    {
        m_sending_in_frames = false;
        release_shared_deflater();
    }

    static void replace_payload( writable_item_t & payload, std::string && compressed )
    {
        if( std::string * original = restinio::impl::owned_string( payload ) )
            per_thread_payload_strings().give_back( std::move( *original ) );
        payload = writable_item_t{ std::move( compressed ) };
    }

    using allocator_t = restinio::impl::slab_allocator_t< permessage_deflate_t >;

    [[nodiscard]] inflater_t & inflater()
    {
        if( !m_inflater )
            m_inflater = per_thread_codecs< inflater_t >().take( m_engine, m_params.client_max_window_bits );
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
            abandon_input();
            return inflate_status_t::too_big == status ? frame_error_t::inflated_message_too_big
                                                       : frame_error_t::invalid_compressed_data;
        }
        m_inflated_size += inflated;
        return frame_error_t::none;
    }

    deflate_engine_handle_t m_engine;
    // The message being received (or, with the client's context takeover, the stream).
    std::unique_ptr< inflater_t > m_inflater;
    // With the server's context takeover, the connection's own; without, the thread's while a
    // message is being compressed.
    std::unique_ptr< deflater_t > m_deflater;
    std::uint64_t m_inflated_size{ 0 };
    deflate_params_t m_params;
    // A message sent in frames is being compressed.
    bool m_sending_in_frames{ false };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
