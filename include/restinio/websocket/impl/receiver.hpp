// The receive pipeline: bytes read from a client's socket in, validated frames out.
//
// receiver_t takes whatever a read returned, walks every complete frame in it in one pass,
// unmasks each payload in place, enforces the rules of RFC 6455 (5.1-5.5, 7.4, 8.1) and our
// size limit, and hands each valid frame to a sink. What it needs from a frame that continues
// in the next read (at most 14 header bytes, or the payload received so far) it keeps itself,
// so the caller can reuse its buffer at once. A payload's storage grows with the bytes that
// arrive, never with the length a header declares, so a frame that stalls costs what it sent.
// Once enough of a long payload is there, the rest can be read straight into the string that
// will carry it (payload_space() and commit_payload()), which spares a copy per byte of large
// messages. Fragments are not joined: one frame is one
// delivery, as RESTinio's message_t is one frame. With permessage-deflate enabled, a message
// whose first frame has RSV1 set is inflated as its bytes arrive (permessage_deflate.hpp), and each
// frame delivers what its bytes inflated to. Bad input ends in a frame_error_t value
// mapped to one close code by close_code_for(); no exception is thrown for it. Pure: no I/O,
// no timers, and no allocation but the payload string of each frame (and zlib's, when inflating).
#pragma once

#include <restinio/utils/utf8_checker.hpp>
#include <restinio/websocket/impl/close_payload.hpp>
#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/frame_error.hpp>
#include <restinio/websocket/impl/frame_parser.hpp>
#include <restinio/websocket/impl/frame_rules.hpp>
#include <restinio/websocket/impl/mask.hpp>
#include <restinio/websocket/impl/permessage_deflate.hpp>
#include <restinio/websocket/impl/receiver_sink.hpp>
#include <restinio/websocket/message.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
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

class receiver_t
{
public:
    // Beast's default, too. Big enough for ordinary messages, small enough that a hostile
    // length field cannot make us reserve memory we cannot afford.
    static constexpr std::uint64_t default_max_message_size = 16u * 1024u * 1024u;

    receiver_t() = default;

    explicit receiver_t( std::uint64_t max_message_size ) noexcept
        : m_rules{ max_message_size }
    {}

    // The largest frame, and the largest total of a fragmented message, accepted; beyond it
    // the frame fails with 1009 as soon as its header is in, before anything is allocated.
    [[nodiscard]] std::uint64_t
    max_message_size() const noexcept { return m_rules.max_message_size(); }

    // Applies to frames whose header has not been parsed yet.
    void
    max_message_size( std::uint64_t value ) noexcept { m_rules.max_message_size( value ); }

    // Processes `size` bytes of client input. Every complete valid frame goes to
    // sink.on_frame(); what belongs to an unfinished frame is kept for the next call. Payload
    // bytes are unmasked in place, so `data` is modified. Returns frame_error_t::none, or the
    // first error found: then the receiver is dead, and every later call returns that error
    // without looking at its input.
    template< typename Sink >
    [[nodiscard]] frame_error_t
    consume( std::uint8_t * data, std::size_t size, Sink & sink )
    {
        if( frame_error_t::none != m_error || m_close_received )
            return m_error;

        std::size_t offset = 0u;
        while( offset != size )
        {
            if( !m_in_payload )
            {
                const parse_result_t parsed = m_parser.feed( data + offset, size - offset );
                offset += parsed.consumed;
                if( parse_status_t::need_more == parsed.status )
                    break;

                const frame_error_t error = m_rules.start_frame( m_parser.header(), static_cast< bool >( m_deflate ) );
                if( frame_error_t::none != error )
                    return fail( error );
                if( m_rules.frame_starts_message() )
                {
                    m_utf8.reset();
                    if( m_rules.frame_is_compressed() )
                        m_deflate->start_message();
                }
                if( m_rules.frame_is_compressed() )
                {
                    // Its output: a recycled string, emptied (a long one may come with content).
                    m_payload = payload_string_for( static_cast< std::size_t >( frame().payload_length ), sink );
                    m_payload.clear();
                }

                if( 0u == frame().payload_length && m_rules.frame_is_compressed() )
                {
                    const frame_error_t finish_error = finish_compressed_frame( sink );
                    if( frame_error_t::none != finish_error )
                        return finish_error;
                    continue;
                }
                if( 0u == frame().payload_length )
                {
                    const frame_error_t finish_error = finish_frame( std::string{}, sink );
                    if( frame_error_t::none != finish_error )
                        return finish_error;
                    if( m_close_received )
                        break;
                    continue;
                }
                m_in_payload = true;
                if( offset == size )
                    break;
            }

            const std::uint64_t payload_left = frame().payload_length - m_payload_received;
            const std::size_t available = size - offset;
            const std::size_t chunk_size = payload_left < available ?
                    static_cast< std::size_t >( payload_left ) : available;
            const frame_error_t error = take_payload( data + offset, chunk_size, sink );
            offset += chunk_size;
            if( frame_error_t::none != error )
                return error;
            if( m_close_received )
                break;
        }
        return frame_error_t::none;
    }

    // Where the rest of the current frame's payload may be read directly: at most `max_size`
    // bytes at the place they belong in the payload string, and never more than has arrived of
    // the payload so far (so the space, which is cleared before the read, at most doubles what
    // the peer has sent). Empty unless that space is at least `min_size` bytes (between frames,
    // near the start or the end of one, or once the receiver is dead or has seen a close). The
    // space stays valid until the next call on this receiver; what was read into it is handed
    // over with commit_payload().
    template< typename Sink >
    [[nodiscard]] std::pair< std::uint8_t *, std::size_t >
    payload_space( std::uint64_t min_size, std::size_t max_size, Sink & sink )
    {
        // A compressed payload is inflated from the read buffer, never kept itself.
        if( !m_in_payload || frame_error_t::none != m_error || m_close_received || m_rules.frame_is_compressed() )
            return { nullptr, 0u };
        const std::uint64_t left = frame().payload_length - m_payload_received;
        const std::uint64_t size = std::min< std::uint64_t >( { left, max_size, m_payload_received } );
        if( 0u == size || size < min_size )
            return { nullptr, 0u };
        return { payload_tail( static_cast< std::size_t >( size ), sink ), static_cast< std::size_t >( size ) };
    }

    // Takes `size` bytes (still masked) that the caller wrote at the start of the last
    // payload_space(), and processes them as consume() would.
    template< typename Sink >
    [[nodiscard]] frame_error_t
    commit_payload( std::size_t size, Sink & sink )
    {
        if( frame_error_t::none != m_error )
            return m_error;
        return accept_payload_tail( size, sink );
    }

    // none while the receiver is usable; otherwise the error that ended it.
    [[nodiscard]] frame_error_t
    error() const noexcept { return m_error; }

    // True once a valid close frame was delivered; input is ignored from then on.
    [[nodiscard]] bool
    close_received() const noexcept { return m_close_received; }

    // True from the first byte of a frame's header to the end of its payload, and from the
    // first fragment of a message to its final one: what the message time limit bounds.
    [[nodiscard]] bool
    frame_in_progress() const noexcept
    {
        return frame_error_t::none == m_error && !m_close_received
                && ( m_in_payload || m_rules.message_open() || m_parser.has_partial_header() );
    }

    // Frees the payload received so far, for a connection that feeds no more input (it timed
    // out, say). Only error() and close_received() may be asked after it.
    void
    abandon() noexcept
    {
        m_in_payload = false;
        std::string{}.swap( m_payload );
        if( m_deflate )
            m_deflate->abandon_input();
    }

    // permessage-deflate was agreed on: messages with RSV1 set on their first frame are
    // compressed (RFC 7692 6.1).
    void enable_deflate( deflate_engine_handle_t engine, const deflate_params_t & params )
    {
        m_deflate = std::make_unique< permessage_deflate_t >( std::move( engine ), params );
    }

    // The connection's permessage-deflate state, sending side included, or nullptr if none was
    // agreed on. It lives here, where the agreement is enforced on every frame; the pointer
    // never changes after enable_deflate(), so any thread may read it.
    [[nodiscard]] permessage_deflate_t * deflate() const noexcept { return m_deflate.get(); }

private:
    // The frame whose payload is being received: the parser's last header, which stays as it
    // is until the payload is over and the parser is fed again.
    [[nodiscard]] const frame_header_t &
    frame() const noexcept { return m_parser.header(); }

    [[nodiscard]] frame_error_t
    fail( frame_error_t error ) noexcept
    {
        m_error = error;
        return error;
    }

    // Takes the next `chunk_size` payload bytes of the current frame (no more than it has
    // left), and delivers the frame if they complete it.
    template< typename Sink >
    [[nodiscard]] frame_error_t
    take_payload( std::uint8_t * chunk, std::size_t chunk_size, Sink & sink )
    {
        if( m_rules.frame_is_compressed() )
        {
            unmask( chunk, chunk_size, frame().mask_key, m_payload_received );
            m_payload_received += chunk_size;
            const frame_error_t error = inflate_into_payload( [ & ] {
                return m_deflate->inflate( chunk, chunk_size, m_payload, max_message_size() );
            } );
            if( frame_error_t::none != error || m_payload_received != frame().payload_length )
                return error;
            return finish_compressed_frame( sink );
        }
        if( 0u == m_payload_received && chunk_size == frame().payload_length )
        {
            // The whole payload is in this input: unmask and check it in place, then copy it
            // once, straight into the string the sink receives.
            unmask( chunk, chunk_size, frame().mask_key, 0u );
            if( m_rules.frame_is_text() && m_utf8.process( chunk, chunk_size ) != chunk_size )
                return fail( frame_error_t::invalid_utf8 );
            std::string payload = payload_string_for( chunk_size, sink );
            payload.assign( reinterpret_cast< const char * >( chunk ), chunk_size );
            return finish_frame( std::move( payload ), sink );
        }

        std::memcpy( payload_tail( chunk_size, sink ), chunk, chunk_size );
        return accept_payload_tail( chunk_size, sink );
    }

    // The string a payload of `size` bytes goes into: the sink's recycled one if it has them.
    template< typename Sink >
    [[nodiscard]] static std::string
    payload_string_for( std::size_t size, Sink & sink )
    {
        if constexpr( sink_recycles_strings< Sink >::value )
            return sink.take_payload_string( size );
        else
            return {};
    }

    // Room for the next `size` payload bytes of the current frame in m_payload. Its capacity
    // follows what arrives: a small payload is reserved whole, a longer one doubles as its
    // bytes come (a recycled string usually has the room already), never past the payload's
    // length; it only grows here, before the space is handed out, so never under a pending
    // read. The string may already be longer than what was received (space handed out but not
    // filled, or a recycled string's old content): only a shortfall is zero-filled, so no byte
    // is cleared twice, and none at all in a long enough string.
    template< typename Sink >
    [[nodiscard]] std::uint8_t *
    payload_tail( std::size_t size, Sink & sink )
    {
        const auto length = static_cast< std::size_t >( frame().payload_length );
        if( 0u == m_payload_received )
            m_payload = payload_string_for( length, sink );
        const auto end = static_cast< std::size_t >( m_payload_received ) + size;
        if( m_payload.capacity() < end )
        {
            // Not reserve(): it may round up to twice the old capacity, past the length.
            std::string grown;
            grown.reserve( std::min( length, std::max( { end, 2u * m_payload.capacity(), eager_capacity } ) ) );
            grown.assign( m_payload.data(), static_cast< std::size_t >( m_payload_received ) );
            m_payload = std::move( grown );
        }
        if( m_payload.size() < end )
            m_payload.resize( end );
        return reinterpret_cast< std::uint8_t * >( m_payload.data() ) + m_payload_received;
    }

    // The next `size` bytes of m_payload after those received so far have arrived (masked):
    // unmask and check them, and deliver the frame if they complete it.
    template< typename Sink >
    [[nodiscard]] frame_error_t
    accept_payload_tail( std::size_t size, Sink & sink )
    {
        auto * bytes = reinterpret_cast< std::uint8_t * >( m_payload.data() ) + m_payload_received;
        unmask( bytes, size, frame().mask_key, m_payload_received );
        // RFC 6455 8.1, checked as the bytes arrive so a bad byte fails the connection
        // without waiting for the rest of the frame (Autobahn 6.4.x).
        if( m_rules.frame_is_text() && m_utf8.process( bytes, size ) != size )
            return fail( frame_error_t::invalid_utf8 );

        m_payload_received += size;
        if( m_payload_received != frame().payload_length )
            return frame_error_t::none;
        m_payload.resize( static_cast< std::size_t >( m_payload_received ) );
        return finish_frame( std::move( m_payload ), sink );
    }

    // Runs `inflate` (which appends to m_payload) and checks the text it added (RFC 6455 8.1,
    // fail-fast as for uncompressed text). The text inflated before bad data or the size limit
    // is checked first, so that the first error in the message's order wins, whatever the
    // split of its bytes into reads (found by the receiver fuzzer).
    template< typename Inflate >
    [[nodiscard]] frame_error_t inflate_into_payload( Inflate && inflate )
    {
        const std::size_t before = m_payload.size();
        const frame_error_t error = inflate();
        const auto * added = reinterpret_cast< const std::uint8_t * >( m_payload.data() ) + before;
        const std::size_t added_size = m_payload.size() - before;
        if( m_rules.frame_is_text() && m_utf8.process( added, added_size ) != added_size )
            return fail( frame_error_t::invalid_utf8 );
        return frame_error_t::none == error ? error : fail( error );
    }

    // A compressed frame's payload is all in: the message's end is inflated if this is its last
    // frame, and the frame delivered with what it inflated to.
    template< typename Sink >
    [[nodiscard]] frame_error_t finish_compressed_frame( Sink & sink )
    {
        if( final_frame_flag_t::final_frame == frame().final_flag )
        {
            const frame_error_t error = inflate_into_payload( [ & ] {
                return m_deflate->finish_message( m_payload, max_message_size() );
            } );
            if( frame_error_t::none != error )
                return error;
        }
        return finish_frame( std::move( m_payload ), sink );
    }

    // Checks that need the whole frame, then delivers it. The receiver's state is updated
    // before the sink runs, so it stays consistent whatever the sink does.
    template< typename Sink >
    [[nodiscard]] frame_error_t
    finish_frame( std::string && payload, Sink & sink )
    {
        // RFC 6455 8.1: the text of a whole message must be UTF-8, so its final fragment may
        // not stop inside a code point.
        if( m_rules.frame_is_text() && final_frame_flag_t::final_frame == frame().final_flag &&
                !m_utf8.finalized() )
            return fail( frame_error_t::truncated_utf8 );

        if( opcode_t::connection_close_frame == frame().opcode )
        {
            const frame_error_t error = check_close_payload(
                    reinterpret_cast< const std::uint8_t * >( payload.data() ), payload.size() );
            if( frame_error_t::none != error )
                return fail( error );
            m_close_received = true;
        }

        m_in_payload = false;
        m_payload_received = 0u;
        sink.on_frame( frame().final_flag, frame().opcode, std::move( payload ) );
        return frame_error_t::none;
    }

    // A payload up to this long is reserved whole at its first bytes: one allocation, and a
    // page at most for a frame that stalls.
    static constexpr std::size_t eager_capacity = 4u * 1024u;

    frame_parser_t m_parser;
    // Its tail padding holds the one-byte members that follow.
    [[no_unique_address]] frame_rules_t m_rules{ default_max_message_size };
    // Of the message the data frames belong to.
    utils::utf8_checker_t m_utf8;
    bool m_in_payload = false;
    bool m_close_received = false;
    frame_error_t m_error = frame_error_t::none;

    std::uint64_t m_payload_received = 0u;
    // The payload of a frame that spans reads; empty otherwise.
    std::string m_payload;
    // Only once permessage-deflate is agreed on.
    std::unique_ptr< permessage_deflate_t > m_deflate;
};

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
