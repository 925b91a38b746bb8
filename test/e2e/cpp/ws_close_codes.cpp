// End-to-end: the close codes a user may send with ws_t::shutdown( code, reason ). The codes
// IANA registered after RFC 6455 (1012 service restart, 1013 try again later, 1014 bad gateway)
// go out as they are; 1015 and the unassigned and reserved ones are refused with exception_t
// and the connection goes on. A raw client reads the exact close frame.

#include "test_server.hpp"
#include "ws_client.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace rws = restinio::websocket::basic;
using namespace ws_test;

namespace
{

using traits_t = restinio::traits_t< restinio::asio_timer_manager_t, restinio::null_logger_t >;

// Each text message is a close code: the handler closes with it and reason "why", or, if
// shutdown() refuses the code, answers "refused".
void close_with_code_handler( const rws::ws_handle_t & wsh, const rws::message_handle_t & m )
{
    if( rws::opcode_t::text_frame != m->opcode() )
        return;
    try
    {
        wsh->shutdown( static_cast< rws::status_code_t >( std::stoi( m->payload() ) ), "why" );
    }
    catch( const restinio::exception_t & )
    {
        wsh->send_message( rws::final_frame, rws::opcode_t::text_frame, restinio::writable_item_t{ "refused" } );
    }
}

} // namespace

TEST_CASE( "shutdown( code ) sends 1012, 1013 and 1014 and refuses unassigned codes",
        "[e2e][websocket][close]" )
{
    test_server_t< traits_t > server{ [ & ]( const restinio::request_handle_t & req ) {
        server.keep( rws::upgrade< traits_t >( *req, rws::activation_t::immediate, close_with_code_handler ) );
        return restinio::request_accepted();
    } };

    struct row_t { std::uint16_t code; bool sent; };
    const row_t rows[] = {
        { 1000, true }, { 1011, true }, { 1012, true }, { 1013, true }, { 1014, true },
        { 3000, true }, { 4999, true },
        { 999, false }, { 1004, false }, { 1005, false }, { 1006, false }, { 1015, false },
        { 1016, false }, { 2999, false }, { 5000, false },
    };
    for( const auto & row : rows )
    {
        INFO( "code " << row.code );
        raw_client_t client{ server.port() };
        REQUIRE( client.upgrade( "/chat" ) == exact_101 );
        client.write( client_text( std::to_string( row.code ) ) );
        if( row.sent )
        {
            CHECK( hex( client.read_frame() ) == hex( server_close( row.code, "why" ) ) );
            client.write( client_close( static_cast< rws::status_code_t >( row.code ) ) );
        }
        else
        {
            CHECK( hex( client.read_frame() ) == hex( server_text( "refused" ) ) );
            client.write( client_close( rws::status_code_t::normal_closure ) );
            CHECK( hex( client.read_frame() ) == hex( server_close( 1000 ) ) );
        }
        CHECK( client.reads_eof() );
    }
}
