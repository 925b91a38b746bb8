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

// Message words are big-endian (FIPS 180-4 3.1). The memcpy keeps an unaligned block legal and,
// with the byte swap, compiles to one load and a bswap (or a movbe).
inline std::uint32_t
load_big_endian( const std::uint8_t * p ) noexcept
{
#if defined( __GNUC__ ) && defined( __BYTE_ORDER__ ) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    std::uint32_t x;
    std::memcpy( &x, p, sizeof( x ) );
    return __builtin_bswap32( x );
#elif defined( __BYTE_ORDER__ ) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    std::uint32_t x;
    std::memcpy( &x, p, sizeof( x ) );
    return x;
#else
    return ( std::uint32_t{ p[ 0 ] } << 24 ) | ( std::uint32_t{ p[ 1 ] } << 16 ) |
            ( std::uint32_t{ p[ 2 ] } << 8 ) | std::uint32_t{ p[ 3 ] };
#endif
}

// The functions f_t of FIPS 180-4 4.1.1, one type per range of t so that each 20-round stage
// is compiled with its own and no round has to choose. Ch and Maj are written in equivalent
// forms that take one operation fewer than the standard's.
struct ch_t
{
    std::uint32_t
    operator()( std::uint32_t x, std::uint32_t y, std::uint32_t z ) const noexcept
    {
        return z ^ ( x & ( y ^ z ) );           // ( x & y ) ^ ( ~x & z )
    }
};

struct parity_t
{
    std::uint32_t
    operator()( std::uint32_t x, std::uint32_t y, std::uint32_t z ) const noexcept
    {
        return x ^ y ^ z;
    }
};

struct maj_t
{
    std::uint32_t
    operator()( std::uint32_t x, std::uint32_t y, std::uint32_t z ) const noexcept
    {
        return ( x & y ) | ( z & ( x | y ) );   // ( x & y ) ^ ( x & z ) ^ ( y & z )
    }
};

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
    // length in bits as a 64-bit big-endian number. It is written into the partial block in
    // place; only when the length no longer fits there does it take a second block.
    digest_t
    finish() noexcept
    {
        constexpr std::size_t length_offset = block_size - 8u;
        const std::uint64_t length_in_bits = m_total_size * 8u;

        m_buffer[ m_buffered++ ] = 0x80u;
        if( m_buffered > length_offset )
        {
            std::memset( m_buffer.data() + m_buffered, 0, block_size - m_buffered );
            process_block( m_buffer.data() );
            m_buffered = 0u;
        }
        std::memset( m_buffer.data() + m_buffered, 0, length_offset - m_buffered );
        for( std::size_t i = 0; i != 8u; ++i )
            m_buffer[ block_size - 1u - i ] =
                    static_cast< std::uint8_t >( length_in_bits >> ( 8u * i ) );
        process_block( m_buffer.data() );
        return m_hash;
    }

private:
    // FIPS 180-4 6.1.2, steps 1 to 4, for one block.
    //
    // The message schedule W_0..W_79 (step 1) is kept as a ring of its last 16 words, as no W_t
    // depends on anything older than W_{t-16}, and each word is computed in the round that uses
    // it. Round numbers are template arguments, so every choice that depends on t (which f_t
    // and K_t, whether W_t is loaded or computed, which slot of the ring) is made when compiling
    // and the 80 rounds run without a branch.
    void
    process_block( const std::uint8_t * block ) noexcept
    {
        std::uint32_t w[ 16 ];
        for( std::size_t t = 0; t != 16u; ++t )
            w[ t ] = load_big_endian( block + 4u * t );

        std::uint32_t a = m_hash[ 0 ];
        std::uint32_t b = m_hash[ 1 ];
        std::uint32_t c = m_hash[ 2 ];
        std::uint32_t d = m_hash[ 3 ];
        std::uint32_t e = m_hash[ 4 ];
        // f_t of FIPS 180-4 4.1.1 and K_t of 4.2.1.
        stage< 0, ch_t >( a, b, c, d, e, w, 0x5A827999u );
        stage< 20, parity_t >( a, b, c, d, e, w, 0x6ED9EBA1u );
        stage< 40, maj_t >( a, b, c, d, e, w, 0x8F1BBCDCu );
        stage< 60, parity_t >( a, b, c, d, e, w, 0xCA62C1D6u );
        m_hash[ 0 ] += a;
        m_hash[ 1 ] += b;
        m_hash[ 2 ] += c;
        m_hash[ 3 ] += d;
        m_hash[ 4 ] += e;
    }

    // Twenty rounds of step 3 that share f_t and K_t.
    template< std::size_t first, typename F >
    static void
    stage(
        std::uint32_t & a, std::uint32_t & b, std::uint32_t & c, std::uint32_t & d,
        std::uint32_t & e, std::uint32_t ( &w )[ 16 ], std::uint32_t k ) noexcept
    {
        five_rounds< first, F >( a, b, c, d, e, w, k );
        five_rounds< first + 5u, F >( a, b, c, d, e, w, k );
        five_rounds< first + 10u, F >( a, b, c, d, e, w, k );
        five_rounds< first + 15u, F >( a, b, c, d, e, w, k );
    }

    // Rounds t to t + 4. Five renamings (see `round`) bring every variable back to its role, so
    // a, b, c, d, e mean the same at the end as at the start.
    template< std::size_t t, typename F >
    static void
    five_rounds(
        std::uint32_t & a, std::uint32_t & b, std::uint32_t & c, std::uint32_t & d,
        std::uint32_t & e, std::uint32_t ( &w )[ 16 ], std::uint32_t k ) noexcept
    {
        round< F >( a, b, c, d, e, k + word< t >( w ) );
        round< F >( e, a, b, c, d, k + word< t + 1u >( w ) );
        round< F >( d, e, a, b, c, k + word< t + 2u >( w ) );
        round< F >( c, d, e, a, b, k + word< t + 3u >( w ) );
        round< F >( b, c, d, e, a, k + word< t + 4u >( w ) );
    }

    // W_t (6.1.2 step 1). From t = 16 on it is ROTL^1( W_{t-3} xor W_{t-8} xor W_{t-14} xor
    // W_{t-16} ) and takes the slot of W_{t-16}, which no later round needs.
    template< std::size_t t >
    static std::uint32_t
    word( std::uint32_t ( &w )[ 16 ] ) noexcept
    {
        if constexpr( t >= 16u )
            w[ t & 15u ] = rotate_left( w[ ( t - 3u ) & 15u ] ^ w[ ( t - 8u ) & 15u ] ^
                    w[ ( t - 14u ) & 15u ] ^ w[ t & 15u ], 1 );
        return w[ t & 15u ];
    }

    // One round of step 3. The standard ends each round by shifting the variables
    // (e = d, d = c, c = ROTL^30(b), b = a, a = T); here only the two that change value are
    // written, T into e and ROTL^30(b) into b, and the caller renames instead of moving: the
    // next round is called with ( e, a, b, c, d ) in the places of ( a, b, c, d, e ).
    // T = ROTL^5(a) + f_t(b, c, d) + e + K_t + W_t sums `a`, the previous round's T, last: the
    // other terms are ready early, so from one T to the next is only a rotate and an add.
    template< typename F >
    static void
    round(
        std::uint32_t a, std::uint32_t & b, std::uint32_t c, std::uint32_t d,
        std::uint32_t & e, std::uint32_t k_plus_w ) noexcept
    {
        e += k_plus_w + F{}( b, c, d );
        e += rotate_left( a, 5 );
        b = rotate_left( b, 30 );
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
