#include <restinio/null_logger.hpp>
#include <restinio/ostream_logger.hpp>

#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

TEST_CASE( "ostream_logger_t writes every level as '[date time.ms] TAG: text'", "[logger]" )
{
    std::ostringstream out;
    restinio::shared_ostream_logger_t logger{ out };
    logger.trace( [] { return std::string{ "t" }; } );
    logger.info( [] { return std::string{ "i" }; } );
    logger.warn( [] { return std::string{ "w" }; } );
    logger.error( [] { return std::string{ "e" }; } );

    const std::regex line{ R"(\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] (TRACE| INFO| WARN|ERROR): [tiwe])" };
    std::istringstream lines{ out.str() };
    std::string l;
    std::vector< std::string > tags;
    while( std::getline( lines, l ) )
    {
        INFO( l );
        std::smatch m;
        REQUIRE( std::regex_match( l, m, line ) );
        tags.push_back( m[ 1 ] );
    }
    CHECK( tags == std::vector< std::string >{ "TRACE", " INFO", " WARN", "ERROR" } );
}

TEST_CASE( "null_logger_t never builds a message", "[logger]" )
{
    restinio::null_logger_t logger;
    bool built = false;
    logger.error( [ & ] { built = true; return std::string{}; } );
    CHECK_FALSE( built );
}
