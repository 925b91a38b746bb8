// What the connection needs of permessage-deflate, without zlib: a decompressor and a compressor
// behind small interfaces, the engine that makes them (implemented with zlib in
// <restinio/websocket/deflate.hpp>), and the per-thread pools that let connections share them.
//
// The interfaces are virtual so that the core never names a zlib function and links without
// -lz; a call runs once per compressed frame or message, beside zlib's own work on its bytes.
// A codec that keeps no context between messages (no context takeover) goes back to its
// thread's pool as soon as its message is done: the connections of a thread then share one
// compressor and, while their messages arrive one read at a time, one decompressor, and an idle
// connection holds no zlib state at all.
#pragma once

#include <restinio/websocket/deflate_options.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

enum class inflate_status_t : std::uint8_t
{
    ok,
    too_big,    // the message would pass the size limit (nothing past it was kept)
    bad_data    // not a valid deflate stream (RFC 7692 7.2.2)
};

// One raw deflate stream being decompressed: the messages of one connection.
class inflater_t
{
public:
    virtual ~inflater_t() = default;

    // Decompresses `size` more bytes of the current message, appending to `out` at most `room`
    // bytes (what the size limit leaves); beyond that it stops with too_big, having made `out`
    // at most one byte longer than `room` allows. Unusable after anything but ok until reset().
    [[nodiscard]] virtual inflate_status_t inflate(
            const std::uint8_t * data, std::size_t size, std::string & out, std::size_t room ) = 0;

    // The end of a message: RFC 7692 7.2.2 has the receiver append 00 00 ff ff, the empty
    // stored block the sender took off.
    [[nodiscard]] inflate_status_t finish_message( std::string & out, std::size_t room )
    {
        static constexpr std::uint8_t tail[] = { 0x00, 0x00, 0xFF, 0xFF };
        return inflate( tail, sizeof( tail ), out, room );
    }

    // Forgets the window: the next message stands alone.
    virtual void reset() noexcept = 0;
};

// One raw deflate stream being compressed: the messages a connection sends.
class deflater_t
{
public:
    virtual ~deflater_t() = default;

    // `out` becomes the compressed form of the whole message in `data`, without the final
    // 00 00 ff ff (RFC 7692 7.2.1).
    virtual void compress( const void * data, std::size_t size, std::string & out ) = 0;

    // `out` becomes the compressed form of `data`, the next part of a message sent in frames,
    // ending with a sync flush: the last part goes through compress() instead.
    virtual void compress_part( const void * data, std::size_t size, std::string & out ) = 0;

    // Forgets the window: the next message stands alone.
    virtual void reset() noexcept = 0;
};

// Makes the codecs of one server's (or one upgrade()'s) options. Immutable once made.
class deflate_engine_t
{
public:
    explicit deflate_engine_t( const deflate_options_t & options ) noexcept : m_options{ options } {}
    virtual ~deflate_engine_t() = default;

    [[nodiscard]] const deflate_options_t & options() const noexcept { return m_options; }

    [[nodiscard]] virtual std::unique_ptr< inflater_t > make_inflater( int window_bits ) const = 0;
    // `context_takeover`: the compressor is a connection's own, kept from message to message
    // (rather than the thread's, shared); the options' memory level may differ.
    [[nodiscard]] virtual std::unique_ptr< deflater_t > make_deflater( int window_bits, bool context_takeover ) const = 0;

private:
    const deflate_options_t m_options;
};

using deflate_engine_handle_t = std::shared_ptr< const deflate_engine_t >;

// Codecs without context, kept by a thread for the next message of any of its connections.
// Each is tagged with its engine (held, so that its address is not reused while the tag is
// there) and window size; a few are kept, for servers that mix options.
template< typename Codec >
class codec_pool_t
{
public:
    [[nodiscard]] std::unique_ptr< Codec > take( const deflate_engine_handle_t & engine, int window_bits )
    {
        for( auto it = m_codecs.begin(); it != m_codecs.end(); ++it )
            if( it->m_engine == engine && it->m_window_bits == window_bits )
            {
                auto codec = std::move( it->m_codec );
                m_codecs.erase( it );
                return codec;
            }
        if constexpr( std::is_same< Codec, inflater_t >::value )
            return engine->make_inflater( window_bits );
        else
            return engine->make_deflater( window_bits, false );
    }

    // `codec` has been reset.
    void give_back( const deflate_engine_handle_t & engine, int window_bits, std::unique_ptr< Codec > codec )
    {
        if( m_codecs.size() == max_count )
            m_codecs.erase( m_codecs.begin() );
        m_codecs.push_back( { engine, window_bits, std::move( codec ) } );
    }

private:
    struct entry_t
    {
        deflate_engine_handle_t m_engine;
        int m_window_bits;
        std::unique_ptr< Codec > m_codec;
    };
    static constexpr std::size_t max_count = 4;
    std::vector< entry_t > m_codecs;
};

template< typename Codec >
codec_pool_t< Codec > & per_thread_codecs()
{
    static thread_local codec_pool_t< Codec > pool;
    return pool;
}

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
