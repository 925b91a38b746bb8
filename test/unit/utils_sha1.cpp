// Tests of SHA-1: the FIPS 180-2 / RFC 3174 vectors, the padding boundaries (55/56/63/64 bytes
// and their doubles), every make_digest overload, and the two string forms; then every length
// up to 200 against a slow textbook reference, and input given through update() in pieces.
#include <restinio/utils/sha1.hpp>

#include "sha1_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sha1 = restinio::utils::sha1;

namespace
{

std::string
alphabet_run( std::size_t n )
{
    std::string s;
    for( std::size_t i = 0; i != n; ++i )
        s.push_back( static_cast< char >( 'a' + i % 26 ) );
    return s;
}

// Every byte value turns up, in an order unlike the alphabet runs above.
std::string
mixed_bytes( std::size_t n )
{
    std::string s;
    for( std::size_t i = 0; i != n; ++i )
        s.push_back( static_cast< char >( ( i * 167 + 13 ) & 0xFF ) );
    return s;
}

// The digest of `message` given to update() in the pieces `sizes` says, cycling through them.
sha1::digest_t
digest_in_pieces( const std::string & message, const std::vector< std::size_t > & sizes )
{
    sha1::impl::digest_builder_t builder;
    const auto * data = reinterpret_cast< const std::uint8_t * >( message.data() );
    std::size_t at = 0;
    for( std::size_t i = 0; at != message.size(); ++i )
    {
        const std::size_t n = std::min( sizes[ i % sizes.size() ], message.size() - at );
        builder.update( data + at, n );
        at += n;
    }
    return builder.finish();
}

} // namespace

TEST_CASE( "SHA-1 test vectors", "[utils][sha1]" )
{
    struct row_t { const char * name; std::string input; const char * hex; };
    const row_t rows[] = {
        { "empty", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
        { "FIPS 180-2 one block: abc", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
        { "FIPS 180-2 two blocks",
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
        { "112 bytes", "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "a49b2446a02c645bf419f995b67091253a04a259" },
        { "one million 'a'", std::string( 1000000, 'a' ), "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
        { "55 bytes: length fits the block", alphabet_run( 55 ), "a617d006d1ca12671785098a19a87fe58443bde9" },
        { "56 bytes: padding spills over", alphabet_run( 56 ), "4ad5bb7ae3c4024768d364b77c52128ea3cffebe" },
        { "63 bytes", alphabet_run( 63 ), "fc8a5ab77259625085ead3ec96515b3b8d933fad" },
        { "64 bytes: exactly one block", alphabet_run( 64 ), "93249d4c2f8903ebf41ac358473148ae6ddd7042" },
        { "65 bytes", alphabet_run( 65 ), "cf2a63cc308225cf07b498d2309a01dd0df52f67" },
        { "119 bytes", alphabet_run( 119 ), "edd0f1133d0e4ca5f3e98bb7e0295f31d20d2cdb" },
        { "120 bytes", alphabet_run( 120 ), "23a58eee587aa1f50d19a969ab36a3fe3e88c393" },
        { "128 bytes", alphabet_run( 128 ), "3698f9beb7cdf5b1e1ce786672fb234143d4df89" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( sha1::to_hex_string( sha1::make_digest( row.input ) ) == row.hex );
    }
}

TEST_CASE( "make_digest overloads agree; to_string gives the 20 raw bytes", "[utils][sha1]" )
{
    const std::string text = "The quick brown fox jumps over the lazy dog";
    const sha1::digest_t expected = sha1::make_digest( restinio::string_view_t{ text } );
    CHECK( sha1::to_hex_string( expected ) == "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12" );

    const std::vector< std::uint8_t > bytes( text.begin(), text.end() );
    CHECK( sha1::make_digest( bytes.data(), bytes.size() ) == expected );
    CHECK( sha1::make_digest( text.data(), text.size() ) == expected );
    CHECK( sha1::make_digest( text.data(), text.data() + text.size() ) == expected );
    CHECK( sha1::make_digest( bytes.data(), bytes.data() + bytes.size() ) == expected );

    CHECK( expected[ 0 ] == 0x2fd4e1c6u );
    const std::string raw = sha1::to_string( expected );
    REQUIRE( raw.size() == 20 );
    CHECK( static_cast< std::uint8_t >( raw[ 0 ] ) == 0x2f );
    CHECK( static_cast< std::uint8_t >( raw[ 19 ] ) == 0x12 );
}

TEST_CASE( "every length from 0 to 200 agrees with the textbook reference", "[utils][sha1]" )
{
    for( std::size_t n = 0; n <= 200; ++n )
    {
        INFO( "length " << n );
        const std::string message = mixed_bytes( n );
        CHECK( sha1::make_digest( message ) == sha1_reference::digest(
                reinterpret_cast< const std::uint8_t * >( message.data() ), message.size() ) );
    }
}

TEST_CASE( "input split at every position gives the same digest", "[utils][sha1]" )
{
    for( std::size_t n = 0; n <= 200; ++n )
    {
        const std::string message = mixed_bytes( n );
        const sha1::digest_t whole = sha1::make_digest( message );
        const auto * data = reinterpret_cast< const std::uint8_t * >( message.data() );
        for( std::size_t split = 0; split <= n; ++split )
        {
            INFO( "length " << n << " split at " << split );
            sha1::impl::digest_builder_t builder;
            builder.update( data, split );
            builder.update( data + split, n - split );
            CHECK( builder.finish() == whole );
        }
    }

    // One byte at a time: every update() lands in the partial-block buffer.
    const std::string message = mixed_bytes( 200 );
    CHECK( digest_in_pieces( message, { 1 } ) == sha1::make_digest( message ) );
}

TEST_CASE( "one million 'a' given in uneven pieces", "[utils][sha1]" )
{
    const std::string message( 1000000, 'a' );
    const char * expected = "34aa973cd4c4daa4f61eeb2bdbad27316534016f";
    // Pieces smaller than, equal to and larger than a block, rarely aligned to one.
    CHECK( sha1::to_hex_string( digest_in_pieces( message, { 1, 63, 64, 65, 7, 200, 3, 129, 1000 } ) ) == expected );
    CHECK( sha1::to_hex_string( digest_in_pieces( message, { 997 } ) ) == expected );
    CHECK( sha1::to_hex_string( digest_in_pieces( message, { 1 } ) ) == expected );
}
