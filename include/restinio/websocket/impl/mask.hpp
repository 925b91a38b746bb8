// Unmasking of client frame payloads (RFC 6455 5.3), in place, a 64-bit word (or, where the
// processor has AVX2, a 256-bit lane) at a time.
//
// Every byte a client sends in a payload is XORed with the 4-byte masking key, the key byte
// chosen by the byte's offset in the payload modulo 4. A payload may arrive over many reads, so
// the key byte for data[0] depends on where data[0] sits in the payload, not on where the read
// buffer starts: callers pass that offset. Loads and stores go through std::memcpy (no aliasing
// or alignment assumptions), and no byte outside [data, data + size) is touched. XOR is its own
// inverse, so the same function masks.
#pragma once

#include <restinio/impl/cpu_features.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace restinio
{

namespace websocket
{

namespace basic
{

namespace impl
{

// The masking key in wire order (RFC 6455 5.2: "Masking-key: 0 or 4 bytes").
using mask_key_t = std::array< std::uint8_t, 4 >;

#if RESTINIO_HAS_AVX2_TARGET
// Where the processor has AVX2, 64 bytes a step: a portable build only gets the 16-byte SSE2
// code the compiler makes of the word loop below, a third of what memcpy moves per cycle.
// Returns how many bytes it did (a multiple of 32, so the key's phase is unchanged after them).
__attribute__( ( target( "avx2" ) ) ) inline std::size_t
unmask_avx2( std::uint8_t * data, std::size_t size, std::uint64_t key64 ) noexcept
{
    const __m256i key = _mm256_set1_epi64x( static_cast< long long >( key64 ) );
    std::size_t i = 0;
    for( ; size - i >= 64u; i += 64u )
    {
        auto * first = reinterpret_cast< __m256i * >( data + i );
        auto * second = reinterpret_cast< __m256i * >( data + i + 32u );
        _mm256_storeu_si256( first, _mm256_xor_si256( _mm256_loadu_si256( first ), key ) );
        _mm256_storeu_si256( second, _mm256_xor_si256( _mm256_loadu_si256( second ), key ) );
    }
    if( size - i >= 32u )
    {
        auto * block = reinterpret_cast< __m256i * >( data + i );
        _mm256_storeu_si256( block, _mm256_xor_si256( _mm256_loadu_si256( block ), key ) );
        i += 32u;
    }
    return i;
}
#endif

// XORs data[0..size) with the key, data[0] being byte number `payload_offset` of the payload.
inline void
unmask( std::uint8_t * data, std::size_t size,
    const mask_key_t & key, std::uint64_t payload_offset ) noexcept
{
    // The key rotated to this call's phase and repeated to word width. Its byte order in
    // memory is the payload's, so the XOR is right whatever the machine's endianness.
    const auto phase = static_cast< std::size_t >( payload_offset % 4u );
    std::uint8_t rotated[ 8 ];
    for( std::size_t i = 0; i != 8u; ++i )
        rotated[ i ] = key[ ( phase + i ) % 4u ];
    std::uint64_t key64;
    std::memcpy( &key64, rotated, 8u );

    std::size_t i = 0;
#if RESTINIO_HAS_AVX2_TARGET
    if( size >= 64u && restinio::impl::has_avx2() )
        i = unmask_avx2( data, size, key64 );
#endif
    // Two independent words per step lets the compiler keep two loads in flight (or use one
    // vector register).
    for( ; size - i >= 16u; i += 16u )
    {
        std::uint64_t first;
        std::uint64_t second;
        std::memcpy( &first, data + i, 8u );
        std::memcpy( &second, data + i + 8u, 8u );
        first ^= key64;
        second ^= key64;
        std::memcpy( data + i, &first, 8u );
        std::memcpy( data + i + 8u, &second, 8u );
    }
    if( size - i >= 8u )
    {
        std::uint64_t word;
        std::memcpy( &word, data + i, 8u );
        word ^= key64;
        std::memcpy( data + i, &word, 8u );
        i += 8u;
    }
    // i is a multiple of 8, hence of 4, so the phase of data[i] is still `phase`.
    for( ; i != size; ++i )
        data[ i ] ^= rotated[ i % 4u ];
}

} /* namespace impl */

} /* namespace basic */

} /* namespace websocket */

} /* namespace restinio */
