// The permessage-deflate negotiation (RFC 7692 7.1): real offers of browsers and libraries,
// several offers in one list, quoted values, unknown extensions, and malformed lists and offers,
// each with the exact response value (or "declined").
#include <restinio/websocket/impl/deflate_offer.hpp>

#include <catch2/catch.hpp>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;

namespace
{

std::string
answer( const char * offer, const rws::deflate_options_t & ours )
{
    const auto params = rwi::negotiate_deflate( offer, ours );
    return params ? rwi::deflate_response_value( *params ) : std::string{ "declined" };
}

const char * const both_no_takeover =
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

} // namespace

TEST_CASE( "offers get the exact response, library defaults", "[websocket][deflate][offer]" )
{
    struct row_t { const char * name; const char * offer; std::string expected; };
    const std::string no_takeover = both_no_takeover;
    const row_t rows[] = {
        { "Chromium, Node ws, Python websockets", "permessage-deflate; client_max_window_bits", no_takeover },
        { "Firefox", "permessage-deflate", no_takeover },
        { "offer of the client's own no takeover",
          "permessage-deflate; client_no_context_takeover", no_takeover },
        { "client limits our window", "permessage-deflate; server_max_window_bits=10",
          no_takeover + "; server_max_window_bits=10" },
        { "client gives its own window", "permessage-deflate; client_max_window_bits=9",
          no_takeover + "; client_max_window_bits=9" },
        { "quoted value (RFC 6455 9.1)", "permessage-deflate; client_max_window_bits=\"12\"",
          no_takeover + "; client_max_window_bits=12" },
        { "escaped quoted value", "permessage-deflate; server_max_window_bits=\"1\\1\"",
          no_takeover + "; server_max_window_bits=11" },
        { "names ignore case", "PerMessage-Deflate; Server_Max_Window_Bits=12",
          no_takeover + "; server_max_window_bits=12" },
        { "whitespace around everything", "  permessage-deflate ;\tclient_max_window_bits = 10 ",
          no_takeover + "; client_max_window_bits=10" },
        { "unknown extension first", "x-webkit-deflate-frame, permessage-deflate", no_takeover },
        { "unknown extension with parameters", "foo; bar=\"a,b\"; baz, permessage-deflate", no_takeover },
        { "empty list elements", ", ,permessage-deflate,", no_takeover },
        { "first acceptable of several",
          "permessage-deflate; server_max_window_bits=10; client_max_window_bits, permessage-deflate",
          no_takeover + "; server_max_window_bits=10" },
        { "an 8-bit window for us is declined, the next offer taken",
          "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9",
          no_takeover + "; server_max_window_bits=9" },
        { "8 bits for the client is fine (zlib inflates it)", "permessage-deflate; client_max_window_bits=8",
          no_takeover + "; client_max_window_bits=8" },
        { "no extension at all", "", "declined" },
        { "other extensions only", "x-webkit-deflate-frame; no_context_takeover", "declined" },

        // RFC 7692 7.1: these offers are declined (and the next one tried).
        { "unknown parameter", "permessage-deflate; foo", "declined" },
        { "unknown parameter, then a good offer", "permessage-deflate; foo, permessage-deflate", no_takeover },
        { "repeated parameter", "permessage-deflate; client_no_context_takeover; client_no_context_takeover", "declined" },
        { "repeated window bits", "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10", "declined" },
        { "server_max_window_bits without a value", "permessage-deflate; server_max_window_bits", "declined" },
        { "value on a flag", "permessage-deflate; server_no_context_takeover=1", "declined" },
        { "window bits 16", "permessage-deflate; client_max_window_bits=16", "declined" },
        { "window bits 7", "permessage-deflate; server_max_window_bits=7", "declined" },
        { "leading zero", "permessage-deflate; server_max_window_bits=09", "declined" },
        { "sign", "permessage-deflate; server_max_window_bits=+9", "declined" },
        { "quoted value too long", "permessage-deflate; client_max_window_bits=\"100\"", "declined" },
        { "quoted value not a token", "permessage-deflate; client_max_window_bits=\"1 \"", "declined" },
        { "empty quoted value", "permessage-deflate; client_max_window_bits=\"\"", "declined" },

        // A list that cannot be parsed ends the search where it breaks.
        { "missing parameter name", "permessage-deflate;", "declined" },
        { "missing value", "permessage-deflate; client_max_window_bits=", "declined" },
        { "unterminated quote", "permessage-deflate; client_max_window_bits=\"10", "declined" },
        { "garbage after an offer", "permessage-deflate x, permessage-deflate", "declined" },
        { "starts with a separator", "; permessage-deflate", "declined" },
        { "control byte in a quote", "foo; a=\"\x01\", permessage-deflate", "declined" },
        { "good offer before garbage", "permessage-deflate, @@@", no_takeover },
    };
    for( const auto & row : rows )
    {
        INFO( row.name << ": " << row.offer );
        CHECK( answer( row.offer, rws::deflate_options_t{} ) == row.expected );
    }
}

TEST_CASE( "the server's options shape the response", "[websocket][deflate][offer]" )
{
    struct row_t { const char * name; rws::deflate_options_t ours; const char * offer; const char * expected; };
    const row_t rows[] = {
        { "takeover both ways", rws::deflate_options_t{}.server_no_context_takeover( false ).client_no_context_takeover( false ),
          "permessage-deflate; client_max_window_bits", "permessage-deflate" },
        { "client asks us not to take over", rws::deflate_options_t{}.server_no_context_takeover( false ).client_no_context_takeover( false ),
          "permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover" },
        { "our windows, client allows limiting it",
          rws::deflate_options_t{}.server_no_context_takeover( false ).client_no_context_takeover( false )
                  .server_max_window_bits( 12 ).client_max_window_bits( 11 ),
          "permessage-deflate; client_max_window_bits",
          "permessage-deflate; server_max_window_bits=12; client_max_window_bits=11" },
        { "our client window, client does not allow limiting it",
          rws::deflate_options_t{}.server_no_context_takeover( false ).client_no_context_takeover( false )
                  .client_max_window_bits( 11 ),
          "permessage-deflate", "permessage-deflate" },
        { "the smaller window wins",
          rws::deflate_options_t{}.server_no_context_takeover( false ).client_no_context_takeover( false )
                  .server_max_window_bits( 12 ).client_max_window_bits( 11 ),
          "permessage-deflate; server_max_window_bits=10; client_max_window_bits=13",
          "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11" },
        { "8 bits for our compressor is 9", rws::deflate_options_t{}.server_max_window_bits( 8 ),
          "permessage-deflate", "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name << ": " << row.offer );
        CHECK( answer( row.offer, row.ours ) == row.expected );
    }
}

TEST_CASE( "what was agreed is what the response says", "[websocket][deflate][offer]" )
{
    const auto params = rwi::negotiate_deflate( "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12",
            rws::deflate_options_t{}.client_no_context_takeover( false ) );
    REQUIRE( params );
    CHECK( params->server_no_context_takeover );
    CHECK_FALSE( params->client_no_context_takeover );
    CHECK( 10 == params->server_max_window_bits );
    CHECK( 12 == params->client_max_window_bits );
}

TEST_CASE( "no list crashes the parser: every prefix of every case", "[websocket][deflate][offer]" )
{
    const std::string lists[] = {
        "foo; bar=\"a,b\\\"c\"; baz, permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits",
        "permessage-deflate;;,,=\"\\",
    };
    for( const auto & list : lists )
        for( std::size_t n = 0; n <= list.size(); ++n )
            (void)rwi::negotiate_deflate( restinio::string_view_t{ list.data(), n }, rws::deflate_options_t{} );
    SUCCEED();
}
