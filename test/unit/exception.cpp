#include <restinio/exception.hpp>

#include <catch2/catch.hpp>

TEST_CASE( "exception_t keeps its text from every constructor", "[exception]" )
{
    using restinio::exception_t;
    REQUIRE( std::string{ exception_t{ "a" }.what() } == "a" );
    REQUIRE( std::string{ exception_t{ std::string{ "b" } }.what() } == "b" );
    REQUIRE( std::string{ exception_t{ restinio::string_view_t{ "cd" } }.what() } == "cd" );
}
