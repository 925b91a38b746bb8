// Tests for restinio/cast_to.hpp: every supported type, its range limits, and malformed text.
#include <restinio/cast_to.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

using restinio::cast_to;
using restinio::exception_t;
using restinio::string_view_t;

namespace
{

template< typename T >
void check_limits( const char * min_text, const char * max_text, const char * below, const char * above )
{
    INFO( min_text << " .. " << max_text );
    CHECK( cast_to< T >( min_text ) == std::numeric_limits< T >::min() );
    CHECK( cast_to< T >( max_text ) == std::numeric_limits< T >::max() );
    CHECK_THROWS_AS( cast_to< T >( below ), exception_t );
    CHECK_THROWS_AS( cast_to< T >( above ), exception_t );
}

} // namespace

TEST_CASE( "integers convert within their ranges", "[cast_to]" )
{
    check_limits< std::int8_t >( "-128", "127", "-129", "128" );
    check_limits< std::uint8_t >( "0", "255", "-1", "256" );
    check_limits< std::int16_t >( "-32768", "32767", "-32769", "32768" );
    check_limits< std::uint16_t >( "0", "65535", "-1", "65536" );
    check_limits< std::int32_t >( "-2147483648", "2147483647", "-2147483649", "2147483648" );
    check_limits< std::uint32_t >( "0", "4294967295", "-1", "4294967296" );
    check_limits< std::int64_t >( "-9223372036854775808", "9223372036854775807",
        "-9223372036854775809", "9223372036854775808" );
    check_limits< std::uint64_t >( "0", "18446744073709551615", "-1", "18446744073709551616" );

    CHECK( cast_to< int >( "42" ) == 42 );
    CHECK( cast_to< int >( "+42" ) == 42 );
    CHECK( cast_to< int >( "-0" ) == 0 );
    CHECK( cast_to< unsigned >( "007" ) == 7u );
    CHECK( cast_to< long long >( "-5" ) == -5 );
    CHECK( cast_to< unsigned long >( "+5" ) == 5u );
    CHECK( cast_to< short >( "12" ) == 12 );
}

TEST_CASE( "malformed numbers throw exception_t", "[cast_to]" )
{
    const char * bad[] = { "", " 1", "1 ", "1a", "a1", "0x10", "1.5", "+", "-", "++1", "+-1",
        "--1", "1e3", "١" };
    for( const char * text : bad )
    {
        INFO( "'" << text << "'" );
        CHECK_THROWS_AS( cast_to< int >( text ), exception_t );
        CHECK_THROWS_AS( cast_to< std::uint64_t >( text ), exception_t );
    }
    CHECK_THROWS_WITH( cast_to< std::uint8_t >( "300" ),
        "unable to convert '300' to uint8: value out of range" );
    CHECK_THROWS_WITH( cast_to< std::int32_t >( "4x" ), "unable to convert '4x' to int32: not a number" );
    CHECK_THROWS_WITH( cast_to< double >( "x" ), "unable to convert 'x' to double: not a number" );
}

TEST_CASE( "float and double", "[cast_to]" )
{
    CHECK( cast_to< double >( "1.5" ) == 1.5 );
    CHECK( cast_to< double >( "-2.25e3" ) == -2250.0 );
    CHECK( cast_to< double >( "+0.5" ) == 0.5 );
    CHECK( cast_to< double >( "7" ) == 7.0 );
    CHECK( cast_to< float >( "0.25" ) == 0.25f );
    CHECK( cast_to< float >( "-3" ) == -3.0f );
    CHECK_THROWS_AS( cast_to< float >( "1e39" ), exception_t );      // beyond float
    CHECK_THROWS_AS( cast_to< double >( "1e400" ), exception_t );
    CHECK_THROWS_AS( cast_to< double >( "1.5x" ), exception_t );
    CHECK_THROWS_AS( cast_to< double >( "" ), exception_t );
    CHECK_THROWS_AS( cast_to< double >( " 1" ), exception_t );
}

TEST_CASE( "strings pass through", "[cast_to]" )
{
    CHECK( cast_to< std::string >( "a b%20" ) == "a b%20" );
    CHECK( cast_to< std::string >( "" ).empty() );
    const std::string source{ "view" };
    const auto view = cast_to< string_view_t >( source );
    CHECK( view == "view" );
    CHECK( view.data() == source.data() );
    static_assert( std::is_same_v< decltype( cast_to< string_view_t >( "x" ) ), string_view_t > );
}
