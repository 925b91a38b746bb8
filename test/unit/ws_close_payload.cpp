// Tests of close payload checks: every 16-bit code against the RFC's list, sizes, reasons.
#include <restinio/websocket/impl/close_payload.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;
using rwi::frame_error_t;

namespace
{

frame_error_t
check( const std::string & payload )
{
    // An exact-size heap copy, so ASan sees any read past the payload.
    const std::vector< std::uint8_t > bytes( payload.begin(), payload.end() );
    return rwi::check_close_payload( bytes.data(), bytes.size() );
}

std::string
with_code( unsigned code, const std::string & reason = {} )
{
    return std::string{ char( code >> 8 ), char( code & 0xFF ) } + reason;
}

} // namespace

TEST_CASE( "every close code: 1000-1014 but 1004-1006, and 3000-4999 (RFC 6455 7.4, IANA)",
        "[websocket][close]" )
{
    const std::vector< unsigned > allowed_defined = {
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014 };
    for( unsigned code = 0; code <= 0xFFFF; ++code )
    {
        const bool expected = ( code >= 3000 && code <= 4999 ) ||
                std::find( allowed_defined.begin(), allowed_defined.end(), code ) != allowed_defined.end();
        INFO( "code " << code );
        REQUIRE( rwi::is_valid_close_code( static_cast< std::uint16_t >( code ) ) == expected );
        REQUIRE( check( with_code( code ) ) ==
                ( expected ? frame_error_t::none : frame_error_t::invalid_close_code ) );
    }
}

TEST_CASE( "close codes at every boundary of the registry", "[websocket][close]" )
{
    struct row_t { const char * name; unsigned code; bool valid; };
    const row_t rows[] = {
        { "0", 0, false },
        { "999: below the range", 999, false },
        { "1000 normal closure", 1000, true },
        { "1003 unsupported data", 1003, true },
        { "1004 reserved", 1004, false },
        { "1005 no status: local use only", 1005, false },
        { "1006 abnormal closure: local use only", 1006, false },
        { "1007 invalid payload data", 1007, true },
        { "1011 internal error", 1011, true },
        { "1012 service restart (IANA)", 1012, true },
        { "1013 try again later (IANA)", 1013, true },
        { "1014 bad gateway (IANA)", 1014, true },
        { "1015 TLS handshake: local use only", 1015, false },
        { "1016: unassigned", 1016, false },
        { "1999: unassigned", 1999, false },
        { "2000: reserved for extensions", 2000, false },
        { "2999: reserved for extensions", 2999, false },
        { "3000: first registered-library code", 3000, true },
        { "3999", 3999, true },
        { "4000: first private-use code", 4000, true },
        { "4999: last private-use code", 4999, true },
        { "5000: above the range", 5000, false },
        { "65535", 65535, false },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( rwi::is_valid_close_code( static_cast< std::uint16_t >( row.code ) ) == row.valid );
        const frame_error_t error = check( with_code( row.code, "why" ) );
        CHECK( error == ( row.valid ? frame_error_t::none : frame_error_t::invalid_close_code ) );
        if( !row.valid )
            CHECK( rwi::close_code_for( error ) == rws::status_code_t::protocol_error );
    }
    CHECK( static_cast< unsigned >( rws::status_code_t::service_restart ) == 1012 );
    CHECK( static_cast< unsigned >( rws::status_code_t::try_again_later ) == 1013 );
    CHECK( static_cast< unsigned >( rws::status_code_t::bad_gateway ) == 1014 );
}

TEST_CASE( "close payload sizes and reasons", "[websocket][close]" )
{
    struct row_t { const char * name; std::string payload; frame_error_t expected; rws::status_code_t code; };
    const auto ok = frame_error_t::none;
    const row_t rows[] = {
        { "empty body (5.5.1)", "", ok, rws::status_code_t::normal_closure },
        { "1 byte is a protocol error (5.5.1, unlike RESTinio)", std::string( 1, '\x03' ),
            frame_error_t::invalid_close_payload_size, rws::status_code_t::protocol_error },
        { "code only", with_code( 1000 ), ok, rws::status_code_t::normal_closure },
        { "code and ASCII reason", with_code( 1001, "bye" ), ok, rws::status_code_t::normal_closure },
        { "code and UTF-8 reason", with_code( 4000, "\xCE\xBA\xF0\x9F\x98\x80" ), ok, rws::status_code_t::normal_closure },
        { "reason of 123 bytes", with_code( 1000, std::string( 123, 'r' ) ), ok, rws::status_code_t::normal_closure },
        { "reason not UTF-8", with_code( 1000, "\xFF" ), frame_error_t::invalid_close_reason,
            rws::status_code_t::invalid_message_data },
        { "reason ends inside a code point", with_code( 1000, "a\xF0\x9F" ), frame_error_t::invalid_close_reason,
            rws::status_code_t::invalid_message_data },
        { "reason with a surrogate", with_code( 1000, "\xED\xA0\x80" ), frame_error_t::invalid_close_reason,
            rws::status_code_t::invalid_message_data },
        { "bad code wins over a bad reason", with_code( 1005, "\xFF" ), frame_error_t::invalid_close_code,
            rws::status_code_t::protocol_error },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        const frame_error_t error = check( row.payload );
        CHECK( error == row.expected );
        if( frame_error_t::none != error )
            CHECK( rwi::close_code_for( error ) == row.code );
    }
}
