// permessage-deflate (RFC 7692) with zlib: make_zlib_deflate() gives the deflate_t that a
// server setting (websocket_deflate()) or one upgrade() (with_deflate()) takes to turn it on.
//
// The only header of the library that includes <zlib.h>: a program that includes it links with
// zlib (-lz; in CMake, restinio::deflate). Everything else builds and links without zlib.
//
//     #include <restinio/websocket/deflate.hpp>
//     settings.websocket_deflate( restinio::websocket::basic::make_zlib_deflate() );
#pragma once

#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/impl/deflate_engine.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

class zlib_inflater_t final : public inflater_t
{
public:
    // Raw deflate (negative window bits: no zlib header, RFC 7692 7.2.1). zlib takes 8 for
    // inflating; the window it allocates (2^bits) comes with the first output.
    explicit zlib_inflater_t( int window_bits )
    {
        if( Z_OK != inflateInit2( &m_stream, -window_bits ) )
            throw std::bad_alloc{};
    }

    ~zlib_inflater_t() override { inflateEnd( &m_stream ); }

    zlib_inflater_t( const zlib_inflater_t & ) = delete;
    zlib_inflater_t & operator=( const zlib_inflater_t & ) = delete;

    [[nodiscard]] inflate_status_t inflate(
            const std::uint8_t * data, std::size_t size, std::string & out, std::size_t room ) override
    {
        // A message whose stream ended (a block with BFINAL set) may carry nothing after it but
        // what RFC 7692 7.2.2 makes us append.
        if( m_stream_ended )
            return inflate_status_t::ok;

        const std::size_t start = out.size();
        // One byte past the room: producing it is how the limit is seen to be passed.
        const std::size_t cap = room == static_cast< std::size_t >( -1 ) ? room : room + 1u;
        std::size_t used = start;
        m_stream.next_in = const_cast< Bytef * >( data );
        m_stream.avail_in = static_cast< uInt >( size );
        // The space offered grows with what comes out (doubling within a call), so a long
        // message fed in small reads costs linear time, and never past the cap: a bomb costs
        // the limit at most.
        std::size_t step = std::max< std::size_t >( 4u * size, 1024u );
        for(;;)
        {
            if( used == out.size() )
            {
                const std::size_t produced = used - start;
                if( produced == cap )
                    return finish( out, used, inflate_status_t::too_big );
                const std::size_t size_wanted = used + std::min( step, cap - produced );
                if( size_wanted > out.capacity() )
                    reallocate( out, used, std::min( std::max( size_wanted, 2u * out.capacity() ),
                                                     start + std::min( cap, max_size - start ) ) );
                out.resize( size_wanted );
                step = std::min( 2u * step, max_size / 4u );
            }
            m_stream.next_out = reinterpret_cast< Bytef * >( &out[ used ] );
            const std::size_t space = std::min< std::size_t >( out.size() - used, max_uint );
            m_stream.avail_out = static_cast< uInt >( space );
            const int result = ::inflate( &m_stream, Z_SYNC_FLUSH );
            used += space - m_stream.avail_out;
            if( used - start > room )
                return finish( out, used, inflate_status_t::too_big );

            switch( result )
            {
            case Z_STREAM_END:
                m_stream_ended = true;
                return finish( out, used, inflate_status_t::ok );
            case Z_OK:
                // It stopped with room left: the input is used up. Otherwise more may come.
                if( 0u != m_stream.avail_out )
                    return finish( out, used, inflate_status_t::ok );
                break;
            case Z_BUF_ERROR:   // no progress possible: the input is used up
                return finish( out, used, inflate_status_t::ok );
            case Z_MEM_ERROR:
                out.resize( used );
                throw std::bad_alloc{};
            default:            // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
                return finish( out, used, inflate_status_t::bad_data );
            }
        }
    }

    void reset() noexcept override
    {
        inflateReset( &m_stream );
        m_stream_ended = false;
    }

private:
    static constexpr std::size_t max_uint = static_cast< uInt >( -1 );
    static constexpr std::size_t max_size = static_cast< std::size_t >( -1 );

    // Exactly `capacity`: reserve() or resize() may round it up to twice the old one, past
    // the cap.
    static void reallocate( std::string & out, std::size_t used, std::size_t capacity )
    {
        std::string grown;
        grown.reserve( capacity );
        grown.assign( out.data(), used );
        out.swap( grown );
    }

    static inflate_status_t finish( std::string & out, std::size_t used, inflate_status_t status )
    {
        out.resize( used );
        return status;
    }

    z_stream m_stream{};
    bool m_stream_ended{ false };
};

class zlib_deflater_t final : public deflater_t
{
public:
    // zlib allocates all of it here: about 2^(bits + 2) + 2^(mem_level + 9) bytes.
    zlib_deflater_t( int window_bits, int mem_level, int level )
    {
        if( Z_OK != deflateInit2( &m_stream, level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY ) )
            throw std::bad_alloc{};
    }

    ~zlib_deflater_t() override { deflateEnd( &m_stream ); }

    zlib_deflater_t( const zlib_deflater_t & ) = delete;
    zlib_deflater_t & operator=( const zlib_deflater_t & ) = delete;

    void compress( const void * data, std::size_t size, std::string & out ) override
    {
        compress_part( data, size, out );
        // RFC 7692 7.2.1: the sync flush ends with an empty stored block, 00 00 ff ff,
        // which the message does not carry.
        if( out.size() >= 4u && 0 == std::memcmp( out.data() + out.size() - 4u, "\x00\x00\xff\xff", 4u ) )
            out.resize( out.size() - 4u );
    }

    void compress_part( const void * data, std::size_t size, std::string & out ) override
    {
        // deflateBound() counts no flush marker: room for one sync flush (5 bytes) and slack.
        out.resize( deflateBound( &m_stream, static_cast< uLong >( size ) ) + 16u );
        m_stream.next_in = static_cast< Bytef * >( const_cast< void * >( data ) );
        m_stream.avail_in = static_cast< uInt >( size );
        std::size_t used = 0;
        for(;;)
        {
            m_stream.next_out = reinterpret_cast< Bytef * >( &out[ used ] );
            m_stream.avail_out = static_cast< uInt >( out.size() - used );
            const int result = deflate( &m_stream, Z_SYNC_FLUSH );
            used = out.size() - m_stream.avail_out;
            if( Z_OK != result && Z_BUF_ERROR != result )
                throw std::runtime_error{ "deflate failed" };
            // Z_SYNC_FLUSH: everything is out once there was room left.
            if( 0u != m_stream.avail_out )
                break;
            out.resize( out.size() * 2u );
        }
        out.resize( used );
    }

    void reset() noexcept override { deflateReset( &m_stream ); }

private:
    z_stream m_stream{};
};

class zlib_deflate_engine_t final : public deflate_engine_t
{
public:
    using deflate_engine_t::deflate_engine_t;

    [[nodiscard]] std::unique_ptr< inflater_t > make_inflater( int window_bits ) const override
    {
        return std::make_unique< zlib_inflater_t >( window_bits );
    }

    [[nodiscard]] std::unique_ptr< deflater_t > make_deflater( int window_bits, bool context_takeover ) const override
    {
        // zlib's raw deflate has no 8-bit window (negotiation never agrees to one).
        return std::make_unique< zlib_deflater_t >( std::max( window_bits, 9 ),
                options().mem_level_for( context_takeover ), options().compression_level() );
    }
};

} // namespace impl

// permessage-deflate with zlib and these options (see deflate_options_t for the defaults).
[[nodiscard]] inline deflate_t
make_zlib_deflate( const deflate_options_t & options = deflate_options_t{} )
{
    return deflate_t{ std::make_shared< const impl::zlib_deflate_engine_t >( options ) };
}

} // namespace basic
} // namespace websocket
} // namespace restinio
