// SHA-1 as FIPS 180-4 lays it out, with nothing done for speed, for the differential tests and
// the benchmark's baseline: pad the whole message (5.1.1), then for each block the 80-word
// schedule (6.1.2 step 1) and 80 rounds choosing f_t and K_t by t (4.1.1, 4.2.1). It shares no
// code with restinio/utils/sha1.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sha1_reference
{

inline std::array< std::uint32_t, 5 >
digest( const std::uint8_t * message, std::size_t size )
{
    std::vector< std::uint8_t > padded( message, message + size );
    padded.push_back( 0x80 );
    while( padded.size() % 64 != 56 )
        padded.push_back( 0x00 );
    const std::uint64_t length_in_bits = std::uint64_t{ size } * 8;
    for( int shift = 56; shift >= 0; shift -= 8 )
        padded.push_back( static_cast< std::uint8_t >( length_in_bits >> shift ) );

    const auto rotl = []( std::uint32_t x, int n ) { return ( x << n ) | ( x >> ( 32 - n ) ); };
    std::array< std::uint32_t, 5 > h{ { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 } };
    for( std::size_t block = 0; block != padded.size(); block += 64 )
    {
        std::uint32_t w[ 80 ];
        for( int t = 0; t != 16; ++t )
        {
            w[ t ] = 0;
            for( int i = 0; i != 4; ++i )
                w[ t ] = ( w[ t ] << 8 ) | padded[ block + 4 * t + i ];
        }
        for( int t = 16; t != 80; ++t )
            w[ t ] = rotl( w[ t - 3 ] ^ w[ t - 8 ] ^ w[ t - 14 ] ^ w[ t - 16 ], 1 );

        std::uint32_t a = h[ 0 ], b = h[ 1 ], c = h[ 2 ], d = h[ 3 ], e = h[ 4 ];
        for( int t = 0; t != 80; ++t )
        {
            std::uint32_t f, k;
            if( t <= 19 ) { f = ( b & c ) ^ ( ~b & d ); k = 0x5A827999; }
            else if( t <= 39 ) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
            else if( t <= 59 ) { f = ( b & c ) ^ ( b & d ) ^ ( c & d ); k = 0x8F1BBCDC; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6; }
            const std::uint32_t temp = rotl( a, 5 ) + f + e + k + w[ t ];
            e = d;
            d = c;
            c = rotl( b, 30 );
            b = a;
            a = temp;
        }
        h[ 0 ] += a;
        h[ 1 ] += b;
        h[ 2 ] += c;
        h[ 3 ] += d;
        h[ 4 ] += e;
    }
    return h;
}

} // namespace sha1_reference
