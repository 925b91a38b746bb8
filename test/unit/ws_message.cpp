// Tests of the public WebSocket vocabulary: opcodes, status codes, the final-frame flag and
// message_t, as RESTinio user code uses them.
#include <restinio/websocket/message.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>

namespace rws = restinio::websocket::basic;

TEST_CASE( "opcodes: names, validity and the X-macro", "[websocket][message]" )
{
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::continuation_frame ) } == "continuation_frame" );
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::text_frame ) } == "text_frame" );
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::binary_frame ) } == "binary_frame" );
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::connection_close_frame ) } == "connection_close_frame" );
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::ping_frame ) } == "ping_frame" );
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::pong_frame ) } == "pong_frame" );
    CHECK( std::string{ rws::opcode_to_string( rws::opcode_t::unknown_frame ) } == "unknown_frame" );

    for( unsigned value = 0; value != 256; ++value )
    {
        const auto opcode = static_cast< rws::opcode_t >( value );
        const bool valid = value <= 2 || ( value >= 8 && value <= 10 );
        INFO( "value " << value );
        CHECK( rws::is_valid_opcode( opcode ) == valid );
        if( !valid )
            CHECK( std::string{ rws::opcode_to_string( opcode ) } == "unknown_frame" );
    }

    int count = 0;
    unsigned codes = 0;
#define TEST_OPCODE_GEN( name, code ) ++count; codes += code; CHECK( static_cast< unsigned >( rws::opcode_t::name ) == code );
    RESTINIO_WEBSOCKET_OPCODES_MAP( TEST_OPCODE_GEN )
#undef TEST_OPCODE_GEN
    CHECK( count == 6 );
    CHECK( codes == 0 + 1 + 2 + 8 + 9 + 10 );
    STATIC_REQUIRE( std::is_same_v< std::underlying_type_t< rws::opcode_t >, std::uint8_t > );
}

TEST_CASE( "status codes to and from their 2-byte form", "[websocket][message]" )
{
    CHECK( rws::status_code_to_bin( rws::status_code_t::normal_closure ) == std::string( "\x03\xE8", 2 ) );
    CHECK( rws::status_code_to_bin( rws::status_code_t::protocol_error ) == std::string( "\x03\xEA", 2 ) );
    CHECK( rws::status_code_to_bin( rws::status_code_t::going_away ) + "bye" == "\x03\xE9" "bye" );
    CHECK( rws::status_code_to_bin( static_cast< rws::status_code_t >( 4999 ) ) == "\x13\x87" );

    CHECK( rws::status_code_from_bin( "\x03\xE8" ) == rws::status_code_t::normal_closure );
    CHECK( rws::status_code_from_bin( "\x03\xEFtrailing reason" ) == rws::status_code_t::invalid_message_data );
    CHECK( static_cast< unsigned >( rws::status_code_from_bin( "\x0B\xB8" ) ) == 3000u );
    CHECK( static_cast< unsigned >( rws::status_code_from_bin( "\xFF\xFF" ) ) == 65535u );
    CHECK( static_cast< unsigned >( rws::status_code_from_bin( "" ) ) == 0u );
    CHECK( static_cast< unsigned >( rws::status_code_from_bin( "\x03" ) ) == 0u );

    for( unsigned code = 0; code <= 0xFFFF; code += 7 )
    {
        const auto status = static_cast< rws::status_code_t >( code );
        REQUIRE( rws::status_code_from_bin( rws::status_code_to_bin( status ) ) == status );
    }

    CHECK( static_cast< unsigned >( rws::status_code_t::cant_accept_data ) == 1003u );
    CHECK( static_cast< unsigned >( rws::status_code_t::no_status_provided ) == 1005u );
    CHECK( static_cast< unsigned >( rws::status_code_t::connection_lost ) == 1006u );
    CHECK( static_cast< unsigned >( rws::status_code_t::policy_violation ) == 1008u );
    CHECK( static_cast< unsigned >( rws::status_code_t::too_big_message ) == 1009u );
    CHECK( static_cast< unsigned >( rws::status_code_t::more_extensions_expected ) == 1010u );
    CHECK( static_cast< unsigned >( rws::status_code_t::unexpected_condition ) == 1011u );
}

TEST_CASE( "message_t is one frame, copyable, with a mutable payload", "[websocket][message]" )
{
    const rws::message_t empty;
    CHECK( empty.final_flag() == rws::final_frame );
    CHECK( empty.is_final() );
    CHECK( empty.opcode() == rws::opcode_t::continuation_frame );
    CHECK( empty.payload().empty() );

    rws::message_t header_only{ rws::not_final_frame, rws::opcode_t::binary_frame };
    CHECK_FALSE( header_only.is_final() );
    CHECK( header_only.opcode() == rws::opcode_t::binary_frame );

    rws::message_t m{ rws::final_frame_flag_t::final_frame, rws::opcode_t::ping_frame, "hello" };
    // The docs' way to answer a ping: copy, change the opcode, send.
    auto resp = m;
    resp.set_opcode( rws::opcode_t::pong_frame );
    CHECK( resp.opcode() == rws::opcode_t::pong_frame );
    CHECK( m.opcode() == rws::opcode_t::ping_frame );
    CHECK( resp.payload() == "hello" );

    resp.set_final_flag( rws::not_final_frame );
    CHECK( resp.final_flag() == rws::final_frame_flag_t::not_final_frame );
    resp.payload() += " world";
    CHECK( resp.payload() == "hello world" );
    const std::string moved = std::move( resp.payload() );
    CHECK( moved == "hello world" );
    resp.set_payload( "again" );
    CHECK( resp.payload() == "again" );

    auto handle = std::make_shared< rws::message_t >( rws::final_frame, rws::opcode_t::text_frame, "x" );
    rws::message_handle_t same = handle->shared_from_this();
    CHECK( same == handle );

    STATIC_REQUIRE( std::is_copy_constructible_v< rws::message_t > );
    STATIC_REQUIRE( std::is_nothrow_move_constructible_v< rws::message_t > );
    STATIC_REQUIRE( std::is_same_v< rws::byte_t, unsigned char > );
    STATIC_REQUIRE( std::is_same_v< rws::raw_data_t, std::string > );
    STATIC_REQUIRE( std::is_same_v< rws::default_message_handler_t, std::function< void( rws::message_handle_t ) > > );
    STATIC_REQUIRE( std::is_same_v< std::underlying_type_t< rws::status_code_t >, std::uint16_t > );
    STATIC_REQUIRE( static_cast< int >( rws::final_frame ) == 0 );
    STATIC_REQUIRE( static_cast< int >( rws::not_final_frame ) == 1 );
}
