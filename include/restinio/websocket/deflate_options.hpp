// permessage-deflate (RFC 7692) as the user sees it, without zlib: the server's preferences
// (deflate_options_t), what one connection agreed on (deflate_params_t), and deflate_t, the
// handle a server setting or an upgrade() call takes to turn it on.
//
// A deflate_t is made by make_zlib_deflate() in <restinio/websocket/deflate.hpp>, the one header
// that includes zlib: code that never enables deflate neither includes it nor links with -lz
// (in CMake, link restinio::deflate instead of restinio::restinio to get it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{

// What one connection agreed on (RFC 7692 7.1): the window sizes are the largest each side may
// use, 15 where the response did not name one.
struct deflate_params_t
{
    bool server_no_context_takeover{ false };
    bool client_no_context_takeover{ false };
    std::uint8_t server_max_window_bits{ 15 };
    std::uint8_t client_max_window_bits{ 15 };
};

// The server's side of the negotiation and of its compressor. The defaults keep no zlib state
// in an idle connection: both sides compress each message on its own (no context takeover),
// so the compressor is one per thread and a decompressor is held only while a message arrives.
// Context takeover compresses repetitive traffic better, at the price of a compressor per
// connection of about 2^(window_bits + 2) + 2^(mem_level + 9) bytes plus a decompressor of
// 2^client_window_bits + 7 KiB: the window bits and memory level are what bound it.
class deflate_options_t
{
public:
    // true: every message we send is compressed on its own (the default, see above).
    deflate_options_t & server_no_context_takeover( bool v ) noexcept { m_server_no_context_takeover = v; return *this; }
    [[nodiscard]] bool server_no_context_takeover() const noexcept { return m_server_no_context_takeover; }

    // true: asks the client to compress each message on its own, so that our decompressor is
    // free between messages (RFC 7692 7.1.1.2 lets the server ask; every client must comply).
    deflate_options_t & client_no_context_takeover( bool v ) noexcept { m_client_no_context_takeover = v; return *this; }
    [[nodiscard]] bool client_no_context_takeover() const noexcept { return m_client_no_context_takeover; }

    // The largest window our compressor uses, 9..15 (zlib has no 256-byte window for raw
    // deflate, so 8 is taken as 9); a client's smaller server_max_window_bits wins.
    deflate_options_t & server_max_window_bits( int bits ) noexcept { m_server_max_window_bits = clamp( bits, 9 ); return *this; }
    [[nodiscard]] std::uint8_t server_max_window_bits() const noexcept { return m_server_max_window_bits; }

    // The largest window we let the client use, 8..15, asked for only when the client's offer
    // allows it (client_max_window_bits in the offer, RFC 7692 7.1.2.2).
    deflate_options_t & client_max_window_bits( int bits ) noexcept { m_client_max_window_bits = clamp( bits, 8 ); return *this; }
    [[nodiscard]] std::uint8_t client_max_window_bits() const noexcept { return m_client_max_window_bits; }

    // zlib's memLevel, 1..9: the size of the compressor's hash table and buffers. Unless set,
    // the thread's shared compressor (no context takeover) uses 8, zlib's default and the
    // fastest on 1 KiB messages (1.07 of uWebSockets' shared compressor against 0.94-1.03 with
    // 4), and a connection's own (context takeover) uses 4: about 39 KB a connection instead of
    // 106 KB with 15-bit windows (a 1 KiB JSON echo each), for the same ratio on such messages.
    deflate_options_t & mem_level( int level ) noexcept { m_mem_level = level < 1 ? 1 : level > 9 ? 9 : level; return *this; }
    [[nodiscard]] int mem_level_for( bool context_takeover ) const noexcept
    {
        return 0 != m_mem_level ? m_mem_level : context_takeover ? 4 : 8;
    }

    // zlib's level, 0..9. 1 (fastest) by default: on small messages, a higher level buys a few
    // percent of size for several times the time.
    deflate_options_t & compression_level( int level ) noexcept { m_level = level < 0 ? 0 : level > 9 ? 9 : level; return *this; }
    [[nodiscard]] int compression_level() const noexcept { return m_level; }

    // Messages shorter than this go uncompressed: a few bytes gain nothing, and cost a call.
    deflate_options_t & min_compress_size( std::size_t bytes ) noexcept { m_min_compress_size = bytes; return *this; }
    [[nodiscard]] std::size_t min_compress_size() const noexcept { return m_min_compress_size; }

private:
    [[nodiscard]] static std::uint8_t clamp( int bits, int low ) noexcept
    {
        return static_cast< std::uint8_t >( bits < low ? low : bits > 15 ? 15 : bits );
    }

    bool m_server_no_context_takeover{ true };
    bool m_client_no_context_takeover{ true };
    std::uint8_t m_server_max_window_bits{ 15 };
    std::uint8_t m_client_max_window_bits{ 15 };
    int m_mem_level{ 0 };     // 0: the default of each kind of compressor
    int m_level{ 1 };
    std::size_t m_min_compress_size{ 64 };
};

namespace impl
{
class deflate_engine_t;
} // namespace impl

// permessage-deflate turned on with some options, or (default-constructed) off. Copies share
// one engine; see make_zlib_deflate() in <restinio/websocket/deflate.hpp>.
class deflate_t
{
public:
    deflate_t() noexcept = default;
    explicit deflate_t( std::shared_ptr< const impl::deflate_engine_t > engine ) noexcept
        : m_engine{ std::move( engine ) }
    {}

    [[nodiscard]] bool enabled() const noexcept { return static_cast< bool >( m_engine ); }
    [[nodiscard]] const std::shared_ptr< const impl::deflate_engine_t > & engine() const noexcept { return m_engine; }

private:
    std::shared_ptr< const impl::deflate_engine_t > m_engine;
};

} // namespace basic
} // namespace websocket
} // namespace restinio
