// Tests of base64: the RFC 4648 section 10 vectors, round trips of every byte value, and the
// inputs decode() must refuse.
#include <restinio/utils/base64.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace base64 = restinio::utils::base64;

TEST_CASE( "RFC 4648 section 10 vectors", "[utils][base64]" )
{
    const std::pair< const char *, const char * > rows[] = {
        { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
    };
    for( const auto & [ plain, encoded ] : rows )
    {
        INFO( plain );
        CHECK( base64::encode( plain ) == encoded );
        CHECK( base64::is_valid_base64_string( encoded ) );
        CHECK( base64::decode( encoded ) == plain );
    }
}

TEST_CASE( "every byte value round-trips, at every length mod 3", "[utils][base64]" )
{
    std::string all;
    for( int i = 0; i != 256; ++i )
        all.push_back( static_cast< char >( i ) );
    for( std::size_t n = 0; n <= all.size(); ++n )
    {
        const std::string plain = all.substr( all.size() - n );
        const std::string encoded = base64::encode( plain );
        INFO( "length " << n );
        REQUIRE( encoded.size() == ( n + 2 ) / 3 * 4 );
        REQUIRE( base64::is_valid_base64_string( encoded ) );
        REQUIRE( base64::decode( encoded ) == plain );
    }
    CHECK( base64::encode( std::string( 3, '\xFF' ) ) == "////" );
    CHECK( base64::encode( std::string( 3, '\xFB' ) ) == "+/v7" );
}

TEST_CASE( "malformed input is refused, and decode() throws exception_t", "[utils][base64]" )
{
    for( const char * bad : { "Z", "Zg", "Zg=", "Zm9", "Zg=a", "Z===", "====", "=Zg=", "Zm9v!A==",
            "Zm 9v", "Zg==Zg==", "Zm9vYg=\n", "\xC3\xA9\xC3\xA9" } )
    {
        INFO( bad );
        CHECK_FALSE( base64::is_valid_base64_string( bad ) );
        CHECK_THROWS_AS( base64::decode( bad ), restinio::exception_t );
    }
}
