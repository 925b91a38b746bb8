// SHA-1 (FIPS 180-4, section 6.1) for the WebSocket opening handshake.
//
// RFC 6455 4.2.2 derives Sec-WebSocket-Accept from a SHA-1 digest of the client's key, and that
// is all this header is for: SHA-1 is broken as a collision-resistant hash and must not be used
// for anything that needs one. Written from the standard, so there is no OpenSSL dependency.
// The API follows RESTinio's restinio::utils::sha1: digest_t, make_digest, to_string,
// to_hex_string. Pure computation, no allocation except for the strings the caller asks for.
#pragma once

#include <restinio/string_view.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace restinio
{

namespace utils
{

namespace sha1
{

// The five 32-bit words H0..H4 of the final hash value (FIPS 180-4 6.1.2, step 4).
using digest_t = std::array< std::uint32_t, 5 >;

namespace impl
{

constexpr std::size_t block_size = 64u;

constexpr std::uint32_t
rotate_left( std::uint32_t x, unsigned n ) noexcept
{
    return ( x << n ) | ( x >> ( 32u - n ) );
}

// Runs the message through the compression function one 512-bit block at a time, buffering a
// partial block, so input can be given in pieces.
class digest_builder_t
{
public:
    void
    update( const std::uint8_t * data, std::size_t size ) noexcept
    {
        m_total_size += size;
        if( m_buffered != 0u )
        {
            const std::size_t n = block_size - m_buffered < size ? block_size - m_buffered : size;
            std::memcpy( m_buffer.data() + m_buffered, data, n );
            m_buffered += n;
            data += n;
            size -= n;
            if( m_buffered != block_size )
                return;
            process_block( m_buffer.data() );
            m_buffered = 0u;
        }
        for( ; size >= block_size; data += block_size, size -= block_size )
            process_block( data );
        if( size != 0u )
        {
            std::memcpy( m_buffer.data(), data, size );
            m_buffered = size;
        }
    }

    // Padding (FIPS 180-4 5.1.1): a 1 bit, zeros up to 56 mod 64 bytes, then the message
    // length in bits as a 64-bit big-endian number.
    digest_t
    finish() noexcept
    {
        const std::uint64_t length_in_bits = m_total_size * 8u;

        std::array< std::uint8_t, 2 * block_size > tail{};
        std::memcpy( tail.data(), m_buffer.data(), m_buffered );
        tail[ m_buffered ] = 0x80u;
        const std::size_t tail_size = m_buffered + 1u + 8u <= block_size ?
                block_size : 2u * block_size;
        for( std::size_t i = 0; i != 8u; ++i )
            tail[ tail_size - 1u - i ] =
                    static_cast< std::uint8_t >( length_in_bits >> ( 8u * i ) );

        process_block( tail.data() );
        if( tail_size == 2u * block_size )
            process_block( tail.data() + block_size );
        return m_hash;
    }

private:
    // FIPS 180-4 6.1.2, steps 1 to 4, for one block.
    void
    process_block( const std::uint8_t * block ) noexcept
    {
        std::array< std::uint32_t, 80 > w;
        for( std::size_t t = 0; t != 16u; ++t )
        {
            w[ t ] = ( std::uint32_t{ block[ 4 * t ] } << 24 ) |
                    ( std::uint32_t{ block[ 4 * t + 1 ] } << 16 ) |
                    ( std::uint32_t{ block[ 4 * t + 2 ] } << 8 ) |
                    std::uint32_t{ block[ 4 * t + 3 ] };
        }
        for( std::size_t t = 16; t != 80u; ++t )
            w[ t ] = rotate_left( w[ t - 3 ] ^ w[ t - 8 ] ^ w[ t - 14 ] ^ w[ t - 16 ], 1 );

        std::uint32_t a = m_hash[ 0 ];
        std::uint32_t b = m_hash[ 1 ];
        std::uint32_t c = m_hash[ 2 ];
        std::uint32_t d = m_hash[ 3 ];
        std::uint32_t e = m_hash[ 4 ];
        for( std::size_t t = 0; t != 80u; ++t )
        {
            // The function f_t and constant K_t of FIPS 180-4 4.1.1 and 4.2.1.
            std::uint32_t f;
            std::uint32_t k;
            if( t < 20u )
            {
                f = ( b & c ) ^ ( ~b & d );             // Ch
                k = 0x5A827999u;
            }
            else if( t < 40u )
            {
                f = b ^ c ^ d;                          // Parity
                k = 0x6ED9EBA1u;
            }
            else if( t < 60u )
            {
                f = ( b & c ) ^ ( b & d ) ^ ( c & d );  // Maj
                k = 0x8F1BBCDCu;
            }
            else
            {
                f = b ^ c ^ d;                          // Parity
                k = 0xCA62C1D6u;
            }
            const std::uint32_t temp = rotate_left( a, 5 ) + f + e + k + w[ t ];
            e = d;
            d = c;
            c = rotate_left( b, 30 );
            b = a;
            a = temp;
        }
        m_hash[ 0 ] += a;
        m_hash[ 1 ] += b;
        m_hash[ 2 ] += c;
        m_hash[ 3 ] += d;
        m_hash[ 4 ] += e;
    }

    // Initial hash value, FIPS 180-4 5.3.1.
    digest_t m_hash{ { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u } };
    std::array< std::uint8_t, block_size > m_buffer{};
    std::size_t m_buffered = 0u;
    std::uint64_t m_total_size = 0u;
};

} /* namespace impl */

[[nodiscard]] inline digest_t
make_digest( const std::uint8_t * data, std::size_t size ) noexcept
{
    impl::digest_builder_t builder;
    builder.update( data, size );
    return builder.finish();
}

[[nodiscard]] inline digest_t
make_digest( const char * data, std::size_t size ) noexcept
{
    return make_digest( reinterpret_cast< const std::uint8_t * >( data ), size );
}

[[nodiscard]] inline digest_t
make_digest( string_view_t data ) noexcept
{
    return make_digest( data.data(), data.size() );
}

// Any range of 1-byte values given as a pair of pointers, as RESTinio allows.
template< typename T >
[[nodiscard]] digest_t
make_digest( const T * begin, const T * end ) noexcept
{
    static_assert( sizeof( T ) == 1u, "make_digest( begin, end ) needs 1-byte elements" );
    return make_digest(
            reinterpret_cast< const std::uint8_t * >( begin ),
            static_cast< std::size_t >( end - begin ) );
}

// The 20 raw bytes of the digest, big-endian, as RFC 6455 4.2.2 feeds them to base64.
[[nodiscard]] inline std::string
to_string( const digest_t & digest )
{
    std::string result;
    result.reserve( digest.size() * 4u );
    for( const std::uint32_t word : digest )
        for( unsigned shift = 32u; shift != 0u; )
        {
            shift -= 8u;
            result.push_back( static_cast< char >( static_cast< std::uint8_t >( word >> shift ) ) );
        }
    return result;
}

// The usual 40 lowercase hex digits.
[[nodiscard]] inline std::string
to_hex_string( const digest_t & digest )
{
    constexpr const char * digits = "0123456789abcdef";
    std::string result;
    result.reserve( digest.size() * 8u );
    for( const std::uint32_t word : digest )
        for( unsigned shift = 32u; shift != 0u; )
        {
            shift -= 4u;
            result.push_back( digits[ ( word >> shift ) & 0x0Fu ] );
        }
    return result;
}

} /* namespace sha1 */

} /* namespace utils */

} /* namespace restinio */
