// Tests for restinio/http_headers.hpp and restinio/impl/header_helpers.hpp: field ids and names,
// the field list, request targets, methods, status lines, the Date format and the exact bytes
// of a serialised response header.
#include <restinio/http_headers.hpp>
#include <restinio/impl/header_helpers.hpp>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace restinio;

namespace
{

struct field_row_t
{
    int index;
    http_field_t field;
    const char * name;
};

// server.md, appendix A, row by row.
const field_row_t field_rows[] = {
        { 0, http_field_t::a_im, "A-IM" },
        { 1, http_field_t::accept, "Accept" },
        { 2, http_field_t::accept_additions, "Accept-Additions" },
        { 3, http_field_t::accept_charset, "Accept-Charset" },
        { 4, http_field_t::accept_datetime, "Accept-Datetime" },
        { 5, http_field_t::accept_encoding, "Accept-Encoding" },
        { 6, http_field_t::accept_features, "Accept-Features" },
        { 7, http_field_t::accept_language, "Accept-Language" },
        { 8, http_field_t::accept_patch, "Accept-Patch" },
        { 9, http_field_t::accept_post, "Accept-Post" },
        { 10, http_field_t::accept_ranges, "Accept-Ranges" },
        { 11, http_field_t::age, "Age" },
        { 12, http_field_t::allow, "Allow" },
        { 13, http_field_t::alpn, "ALPN" },
        { 14, http_field_t::alt_svc, "Alt-Svc" },
        { 15, http_field_t::alt_used, "Alt-Used" },
        { 16, http_field_t::alternates, "Alternates" },
        { 17, http_field_t::apply_to_redirect_ref, "Apply-To-Redirect-Ref" },
        { 18, http_field_t::authentication_control, "Authentication-Control" },
        { 19, http_field_t::authentication_info, "Authentication-Info" },
        { 20, http_field_t::authorization, "Authorization" },
        { 21, http_field_t::c_ext, "C-Ext" },
        { 22, http_field_t::c_man, "C-Man" },
        { 23, http_field_t::c_opt, "C-Opt" },
        { 24, http_field_t::c_pep, "C-PEP" },
        { 25, http_field_t::c_pep_info, "C-PEP-Info" },
        { 26, http_field_t::cache_control, "Cache-Control" },
        { 27, http_field_t::caldav_timezones, "CalDAV-Timezones" },
        { 28, http_field_t::close, "Close" },
        { 29, http_field_t::content_base, "Content-Base" },
        { 30, http_field_t::content_disposition, "Content-Disposition" },
        { 31, http_field_t::content_encoding, "Content-Encoding" },
        { 32, http_field_t::content_id, "Content-ID" },
        { 33, http_field_t::content_language, "Content-Language" },
        { 34, http_field_t::content_location, "Content-Location" },
        { 35, http_field_t::content_md5, "Content-MD5" },
        { 36, http_field_t::content_range, "Content-Range" },
        { 37, http_field_t::content_script_type, "Content-Script-Type" },
        { 38, http_field_t::content_style_type, "Content-Style-Type" },
        { 39, http_field_t::content_type, "Content-Type" },
        { 40, http_field_t::content_version, "Content-Version" },
        { 41, http_field_t::cookie, "Cookie" },
        { 42, http_field_t::cookie2, "Cookie2" },
        { 43, http_field_t::dasl, "DASL" },
        { 44, http_field_t::dav, "DAV" },
        { 45, http_field_t::date, "Date" },
        { 46, http_field_t::default_style, "Default-Style" },
        { 47, http_field_t::delta_base, "Delta-Base" },
        { 48, http_field_t::depth, "Depth" },
        { 49, http_field_t::derived_from, "Derived-From" },
        { 50, http_field_t::destination, "Destination" },
        { 51, http_field_t::differential_id, "Differential-ID" },
        { 52, http_field_t::digest, "Digest" },
        { 53, http_field_t::etag, "ETag" },
        { 54, http_field_t::expect, "Expect" },
        { 55, http_field_t::expires, "Expires" },
        { 56, http_field_t::ext, "Ext" },
        { 57, http_field_t::forwarded, "Forwarded" },
        { 58, http_field_t::from, "From" },
        { 59, http_field_t::getprofile, "GetProfile" },
        { 60, http_field_t::hobareg, "Hobareg" },
        { 61, http_field_t::host, "Host" },
        { 62, http_field_t::http2_settings, "HTTP2-Settings" },
        { 63, http_field_t::im, "IM" },
        { 64, http_field_t::if_, "If" },
        { 65, http_field_t::if_match, "If-Match" },
        { 66, http_field_t::if_modified_since, "If-Modified-Since" },
        { 67, http_field_t::if_none_match, "If-None-Match" },
        { 68, http_field_t::if_range, "If-Range" },
        { 69, http_field_t::if_schedule_tag_match, "If-Schedule-Tag-Match" },
        { 70, http_field_t::if_unmodified_since, "If-Unmodified-Since" },
        { 71, http_field_t::keep_alive, "Keep-Alive" },
        { 72, http_field_t::label, "Label" },
        { 73, http_field_t::last_modified, "Last-Modified" },
        { 74, http_field_t::link, "Link" },
        { 75, http_field_t::location, "Location" },
        { 76, http_field_t::lock_token, "Lock-Token" },
        { 77, http_field_t::man, "Man" },
        { 78, http_field_t::max_forwards, "Max-Forwards" },
        { 79, http_field_t::memento_datetime, "Memento-Datetime" },
        { 80, http_field_t::meter, "Meter" },
        { 81, http_field_t::mime_version, "MIME-Version" },
        { 82, http_field_t::negotiate, "Negotiate" },
        { 83, http_field_t::opt, "Opt" },
        { 84, http_field_t::optional_www_authenticate, "Optional-WWW-Authenticate" },
        { 85, http_field_t::ordering_type, "Ordering-Type" },
        { 86, http_field_t::origin, "Origin" },
        { 87, http_field_t::overwrite, "Overwrite" },
        { 88, http_field_t::p3p, "P3P" },
        { 89, http_field_t::pep, "PEP" },
        { 90, http_field_t::pics_label, "PICS-Label" },
        { 91, http_field_t::pep_info, "Pep-Info" },
        { 92, http_field_t::position, "Position" },
        { 93, http_field_t::pragma, "Pragma" },
        { 94, http_field_t::prefer, "Prefer" },
        { 95, http_field_t::preference_applied, "Preference-Applied" },
        { 96, http_field_t::profileobject, "ProfileObject" },
        { 97, http_field_t::protocol, "Protocol" },
        { 98, http_field_t::protocol_info, "Protocol-Info" },
        { 99, http_field_t::protocol_query, "Protocol-Query" },
        { 100, http_field_t::protocol_request, "Protocol-Request" },
        { 101, http_field_t::proxy_authenticate, "Proxy-Authenticate" },
        { 102, http_field_t::proxy_authentication_info, "Proxy-Authentication-Info" },
        { 103, http_field_t::proxy_authorization, "Proxy-Authorization" },
        { 104, http_field_t::proxy_features, "Proxy-Features" },
        { 105, http_field_t::proxy_instruction, "Proxy-Instruction" },
        { 106, http_field_t::public_, "Public" },
        { 107, http_field_t::public_key_pins, "Public-Key-Pins" },
        { 108, http_field_t::public_key_pins_report_only, "Public-Key-Pins-Report-Only" },
        { 109, http_field_t::range, "Range" },
        { 110, http_field_t::redirect_ref, "Redirect-Ref" },
        { 111, http_field_t::referer, "Referer" },
        { 112, http_field_t::retry_after, "Retry-After" },
        { 113, http_field_t::safe, "Safe" },
        { 114, http_field_t::schedule_reply, "Schedule-Reply" },
        { 115, http_field_t::schedule_tag, "Schedule-Tag" },
        { 116, http_field_t::sec_websocket_accept, "Sec-WebSocket-Accept" },
        { 117, http_field_t::sec_websocket_extensions, "Sec-WebSocket-Extensions" },
        { 118, http_field_t::sec_websocket_key, "Sec-WebSocket-Key" },
        { 119, http_field_t::sec_websocket_protocol, "Sec-WebSocket-Protocol" },
        { 120, http_field_t::sec_websocket_version, "Sec-WebSocket-Version" },
        { 121, http_field_t::security_scheme, "Security-Scheme" },
        { 122, http_field_t::server, "Server" },
        { 123, http_field_t::set_cookie, "Set-Cookie" },
        { 124, http_field_t::set_cookie2, "Set-Cookie2" },
        { 125, http_field_t::setprofile, "SetProfile" },
        { 126, http_field_t::slug, "SLUG" },
        { 127, http_field_t::soapaction, "SoapAction" },
        { 128, http_field_t::status_uri, "Status-URI" },
        { 129, http_field_t::strict_transport_security, "Strict-Transport-Security" },
        { 130, http_field_t::surrogate_capability, "Surrogate-Capability" },
        { 131, http_field_t::surrogate_control, "Surrogate-Control" },
        { 132, http_field_t::tcn, "TCN" },
        { 133, http_field_t::te, "TE" },
        { 134, http_field_t::timeout, "Timeout" },
        { 135, http_field_t::topic, "Topic" },
        { 136, http_field_t::trailer, "Trailer" },
        { 137, http_field_t::transfer_encoding, "Transfer-Encoding" },
        { 138, http_field_t::ttl, "TTL" },
        { 139, http_field_t::urgency, "Urgency" },
        { 140, http_field_t::uri, "URI" },
        { 141, http_field_t::upgrade, "Upgrade" },
        { 142, http_field_t::user_agent, "User-Agent" },
        { 143, http_field_t::variant_vary, "Variant-Vary" },
        { 144, http_field_t::vary, "Vary" },
        { 145, http_field_t::via, "Via" },
        { 146, http_field_t::www_authenticate, "WWW-Authenticate" },
        { 147, http_field_t::want_digest, "Want-Digest" },
        { 148, http_field_t::warning, "Warning" },
        { 149, http_field_t::x_frame_options, "X-Frame-Options" },
        { 150, http_field_t::access_control, "Access-Control" },
        { 151, http_field_t::access_control_allow_credentials, "Access-Control-Allow-Credentials" },
        { 152, http_field_t::access_control_allow_headers, "Access-Control-Allow-Headers" },
        { 153, http_field_t::access_control_allow_methods, "Access-Control-Allow-Methods" },
        { 154, http_field_t::access_control_allow_origin, "Access-Control-Allow-Origin" },
        { 155, http_field_t::access_control_max_age, "Access-Control-Max-Age" },
        { 156, http_field_t::access_control_request_method, "Access-Control-Request-Method" },
        { 157, http_field_t::access_control_request_headers, "Access-Control-Request-Headers" },
        { 158, http_field_t::compliance, "Compliance" },
        { 159, http_field_t::content_transfer_encoding, "Content-Transfer-Encoding" },
        { 160, http_field_t::cost, "Cost" },
        { 161, http_field_t::ediint_features, "EDIINT-Features" },
        { 162, http_field_t::message_id, "Message-ID" },
        { 163, http_field_t::method_check, "Method-Check" },
        { 164, http_field_t::method_check_expires, "Method-Check-Expires" },
        { 165, http_field_t::non_compliance, "Non-Compliance" },
        { 166, http_field_t::optional, "Optional" },
        { 167, http_field_t::referer_root, "Referer-Root" },
        { 168, http_field_t::resolution_hint, "Resolution-Hint" },
        { 169, http_field_t::resolver_location, "Resolver-Location" },
        { 170, http_field_t::subok, "SubOK" },
        { 171, http_field_t::subst, "Subst" },
        { 172, http_field_t::title, "Title" },
        { 173, http_field_t::ua_color, "UA-Color" },
        { 174, http_field_t::ua_media, "UA-Media" },
        { 175, http_field_t::ua_pixels, "UA-Pixels" },
        { 176, http_field_t::ua_resolution, "UA-Resolution" },
        { 177, http_field_t::ua_windowpixels, "UA-Windowpixels" },
        { 178, http_field_t::version, "Version" },
        { 179, http_field_t::x_device_accept, "X-Device-Accept" },
        { 180, http_field_t::x_device_accept_charset, "X-Device-Accept-Charset" },
        { 181, http_field_t::x_device_accept_encoding, "X-Device-Accept-Encoding" },
        { 182, http_field_t::x_device_accept_language, "X-Device-Accept-Language" },
        { 183, http_field_t::x_device_user_agent, "X-Device-User-Agent" },
};

std::string random_case( const std::string & s, std::mt19937 & rng )
{
    std::string r = s;
    for( auto & c : r )
        if( rng() % 2u )
            c = static_cast< char >( std::toupper( static_cast< unsigned char >( c ) ) );
        else
            c = static_cast< char >( std::tolower( static_cast< unsigned char >( c ) ) );
    return r;
}

} // namespace

TEST_CASE( "http_field_t has appendix A's enumerators, order and names", "[header][field]" )
{
    REQUIRE( std::size( field_rows ) == 184u );
    REQUIRE( static_cast< int >( http_field_t::field_unspecified ) == 184 );
    for( const auto & row : field_rows )
    {
        INFO( row.name );
        CHECK( static_cast< int >( row.field ) == row.index );
        CHECK( std::string{ field_to_string( row.field ) } == row.name );
        CHECK( string_to_field( row.name ) == row.field );
    }
    CHECK( std::string{ field_to_string( http_field_t::field_unspecified ) }.empty() );
    static_assert( std::is_same_v< http_field, http_field_t > );
    static_assert( string_to_field( "sec-websocket-key" ) == http_field_t::sec_websocket_key );
}

TEST_CASE( "string_to_field ignores case and rejects near misses", "[header][field]" )
{
    const std::uint32_t seed = 20240601u;      // fixed, so a failure reproduces
    INFO( "seed " << seed );
    std::mt19937 rng{ seed };
    for( const auto & row : field_rows )
    {
        for( int i = 0; i != 8; ++i )
        {
            const auto name = random_case( row.name, rng );
            INFO( name );
            CHECK( string_to_field( name ) == row.field );
        }
        const std::string name{ row.name };
        INFO( name );
        CHECK( string_to_field( name + "x" ) == http_field_t::field_unspecified );
        CHECK( string_to_field( name.substr( 0, name.size() - 1 ) ) != row.field );
        CHECK( string_to_field( " " + name ) == http_field_t::field_unspecified );
    }

    const char * unknown[] = { "Connection", "Content-Length", "connection", "", "-", "X-Foo",
        "Sec-WebSocket-Kez", "Upgrade\r", "Upgrad", "A-IMx" };
    for( const char * name : unknown )
    {
        INFO( name );
        CHECK( string_to_field( name ) == http_field_t::field_unspecified );
    }
    CHECK( string_to_field( "UPGRADE" ) == http_field_t::upgrade );
    CHECK( string_to_field( "sEc-WeBsOcKeT-vErSiOn" ) == http_field_t::sec_websocket_version );
}

TEST_CASE( "http_header_field_t keeps name and id in step", "[header][field]" )
{
    http_header_field_t empty;
    CHECK( empty.field_id() == http_field_t::field_unspecified );
    CHECK( empty.name().empty() );

    http_header_field_t by_name{ std::string{ "content-type" }, std::string{ "text/plain" } };
    CHECK( by_name.field_id() == http_field_t::content_type );
    CHECK( by_name.name() == "content-type" );

    http_header_field_t by_view{ string_view_t{ "X-Custom" }, string_view_t{ "1" } };
    CHECK( by_view.field_id() == http_field_t::field_unspecified );

    http_header_field_t by_id{ http_field_t::sec_websocket_accept, std::string{ "abc" } };
    CHECK( by_id.name() == "Sec-WebSocket-Accept" );
    by_id.append_value( "def" );
    CHECK( by_id.value() == "abcdef" );

    by_id.name( "Host" );
    CHECK( by_id.field_id() == http_field_t::host );
    by_id.field_id( http_field_t::date );
    CHECK( by_id.name() == "Date" );

    http_header_field_t by_id_view{ http_field_t::upgrade, string_view_t{ "websocket" } };
    CHECK( by_id_view.name() == "Upgrade" );
    CHECK( by_id_view.value() == "websocket" );
}

TEST_CASE( "http_header_fields_t add, set, get and remove", "[header][fields]" )
{
    http_header_fields_t fields;
    CHECK( fields.fields_count() == 0u );
    CHECK_FALSE( fields.has_field( "Host" ) );

    fields.add_field( http_field_t::host, "example.org" );
    fields.add_field( "X-Thing", "1" );
    fields.add_field( http_header_field_t{ http_field_t::accept, std::string{ "*/*" } } );
    fields.add_field( "x-thing", "2" );     // add always appends
    REQUIRE( fields.fields_count() == 4u );

    CHECK( fields.has_field( "HOST" ) );
    CHECK( fields.has_field( http_field_t::host ) );
    CHECK( fields.has_field( "x-THING" ) );
    CHECK_FALSE( fields.has_field( http_field_t::field_unspecified ) );
    CHECK( fields.get_field( "host" ) == "example.org" );
    CHECK( fields.get_field( "X-THING" ) == "1" );          // the first match
    CHECK( fields.get_field( http_field_t::accept ) == "*/*" );
    CHECK( fields.value_of( "accept" ) == "*/*" );
    CHECK( fields.value_of( http_field_t::host ) == "example.org" );

    // set replaces the first match, or appends.
    fields.set_field( "x-thing", "3" );
    CHECK( fields.get_field( "X-Thing" ) == "3" );
    CHECK( fields.fields_count() == 4u );
    fields.set_field( http_field_t::host, "example.com" );
    CHECK( fields.get_field( http_field_t::host ) == "example.com" );
    fields.set_field( http_field_t::date, "today" );
    CHECK( fields.fields_count() == 5u );
    fields.set_field( http_field_t::field_unspecified, "ignored" );
    CHECK( fields.fields_count() == 5u );
    fields.set_field( http_header_field_t{ std::string{ "ACCEPT" }, std::string{ "text/html" } } );
    CHECK( fields.get_field( http_field_t::accept ) == "text/html" );
    CHECK( fields.fields_count() == 5u );

    // append extends the value of the first match, or adds.
    fields.append_field( "Date", ", really" );
    CHECK( fields.get_field( "date" ) == "today, really" );
    fields.append_field( http_field_t::server, "ours" );
    CHECK( fields.get_field( http_field_t::server ) == "ours" );
    fields.append_field( "X-New", "a" );
    fields.append_field( "x-new", "b" );
    CHECK( fields.get_field( "X-New" ) == "ab" );
    CHECK( fields.fields_count() == 7u );

    // try_get and opt_value_of.
    REQUIRE( fields.try_get_field( "HOST" ) != nullptr );
    CHECK( *fields.try_get_field( "HOST" ) == "example.com" );
    CHECK( fields.try_get_field( "nope" ) == nullptr );
    CHECK( fields.try_get_field( http_field_t::field_unspecified ) == nullptr );
    CHECK( fields.opt_value_of( http_field_t::host ) == string_view_t{ "example.com" } );
    CHECK_FALSE( fields.opt_value_of( "nope" ).has_value() );
    CHECK_FALSE( fields.opt_value_of( http_field_t::etag ).has_value() );

    // remove
    CHECK( fields.remove_field( "x-thing" ) );
    CHECK( fields.get_field( "X-Thing" ) == "2" );
    CHECK( fields.remove_all_of( "X-THING" ) == 1u );
    CHECK_FALSE( fields.remove_field( "X-Thing" ) );
    fields.add_field( http_field_t::via, "a" );
    fields.add_field( "VIA", "b" );
    CHECK( fields.remove_all_of( http_field_t::via ) == 2u );
    CHECK( fields.remove_field( http_field_t::date ) );
    CHECK_FALSE( fields.remove_field( http_field_t::date ) );
    CHECK( fields.remove_all_of( http_field_t::field_unspecified ) == 0u );
}

TEST_CASE( "get_field throws exception_t with RESTinio's text", "[header][fields]" )
{
    http_header_fields_t fields;
    fields.add_field( "A", "1" );
    CHECK_THROWS_AS( fields.get_field( "B" ), exception_t );
    CHECK_THROWS_WITH( fields.get_field( "Missing-One" ), "field 'Missing-One' doesn't exist" );
    CHECK_THROWS_WITH( fields.get_field( http_field_t::host ), "field 'Host' doesn't exist" );
    CHECK_THROWS_WITH( fields.get_field( http_field_t::field_unspecified ),
        "unspecified fields cannot be searched by id" );
    CHECK_THROWS_WITH( fields.value_of( "B" ), "field 'B' doesn't exist" );
}

TEST_CASE( "get_field_or overloads", "[header][fields]" )
{
    http_header_fields_t fields;
    fields.add_field( http_field_t::host, "h" );

    const std::string def{ "def" };
    std::string movable{ "moved" };

    CHECK( fields.get_field_or( "host", "x" ) == "h" );
    CHECK( fields.get_field_or( "nope", "x" ) == "x" );
    CHECK( fields.get_field_or( "nope", string_view_t{ "sv" } ) == "sv" );
    CHECK( fields.get_field_or( "nope", def ) == "def" );
    CHECK( fields.get_field_or( "nope", std::string{ "tmp" } ) == "tmp" );
    CHECK( fields.get_field_or( "nope", std::move( movable ) ) == "moved" );
    CHECK( fields.get_field_or( http_field_t::host, "x" ) == "h" );
    CHECK( fields.get_field_or( http_field_t::date, "x" ) == "x" );
    CHECK( fields.get_field_or( http_field_t::date, string_view_t{ "sv" } ) == "sv" );
    CHECK( fields.get_field_or( http_field_t::date, def ) == "def" );
    CHECK( fields.get_field_or( http_field_t::date, std::string{ "tmp" } ) == "tmp" );
    CHECK( fields.get_field_or( http_field_t::field_unspecified, "u" ) == "u" );

    static_assert( std::is_same_v< decltype( fields.get_field_or( "a", "b" ) ), std::string > );
    static_assert( std::is_same_v< decltype( fields.get_field_or( http_field_t::host, def ) ),
        std::string > );
}

TEST_CASE( "for_each_field and for_each_value_of", "[header][fields]" )
{
    http_header_fields_t fields;
    fields.add_field( "Via", "1" );
    fields.add_field( http_field_t::host, "h" );
    fields.add_field( "VIA", "2" );
    fields.add_field( http_field_t::via, "3" );

    std::vector< std::string > names;
    fields.for_each_field( [&]( const http_header_field_t & f ) { names.push_back( f.name() ); } );
    CHECK( names == std::vector< std::string >{ "Via", "Host", "VIA", "Via" } );

    std::vector< std::string > values;
    fields.for_each_value_of( http_field_t::via, [&]( string_view_t v ) {
        values.emplace_back( v );
        return http_header_fields_t::continue_enumeration();
    } );
    CHECK( values == std::vector< std::string >{ "1", "2", "3" } );

    values.clear();
    fields.for_each_value_of( "via", [&]( string_view_t v ) {
        values.emplace_back( v );
        return values.size() == 2u ? http_header_fields_t::stop_enumeration()
                                   : http_header_fields_t::continue_enumeration();
    } );
    CHECK( values == std::vector< std::string >{ "1", "2" } );

    std::size_t n = 0;
    for( const auto & f : fields )
        n += f.value().size();
    CHECK( n == 4u );

    http_header_fields_t other;
    other.add_field( "Only", "one" );
    other.swap_fields( fields );
    CHECK( fields.fields_count() == 1u );
    CHECK( other.fields_count() == 4u );

    http_header_fields_t copy{ other };
    http_header_fields_t moved{ std::move( copy ) };
    CHECK( moved.fields_count() == 4u );
}

TEST_CASE( "http_header_common_t defaults and setters", "[header][common]" )
{
    http_request_header_t h;
    CHECK( h.http_major() == 1 );
    CHECK( h.http_minor() == 1 );
    CHECK( h.content_length() == 0u );
    CHECK( h.connection() == http_connection_header_t::close );
    CHECK_FALSE( h.should_keep_alive() );
    h.should_keep_alive( true );
    CHECK( h.connection() == http_connection_header_t::keep_alive );
    CHECK( h.should_keep_alive() );
    h.connection( http_connection_header_t::upgrade );
    CHECK_FALSE( h.should_keep_alive() );
    h.should_keep_alive( false );
    CHECK( h.connection() == http_connection_header_t::close );
    h.http_minor( 0 );
    h.content_length( 42 );
    CHECK( h.http_minor() == 0 );
    CHECK( h.content_length() == 42u );
}

TEST_CASE( "request target splits into path, query and fragment", "[header][request]" )
{
    struct row_t { const char * target; const char * path; const char * query; const char * fragment; };
    const row_t rows[] = {
        { "",                    "",         "",        ""     },
        { "/",                   "/",        "",        ""     },
        { "/chat",               "/chat",    "",        ""     },
        { "/chat?",              "/chat",    "",        ""     },
        { "/chat?x=1",           "/chat",    "x=1",     ""     },
        { "/chat?x=1&y=2#frag",  "/chat",    "x=1&y=2", "frag" },
        { "/chat#frag",          "/chat",    "",        "frag" },
        { "/chat#fr?ag",         "/chat",    "",        "fr?ag" },
        { "/a?b?c",              "/a",       "b?c",     ""     },
        { "/a?#",                "/a",       "",        ""     },
        { "?q",                  "",         "q",       ""     },
        { "*",                   "*",        "",        ""     },
    };
    for( const auto & row : rows )
    {
        INFO( row.target );
        http_request_header_t h{ http_method_post(), row.target };
        CHECK( h.method() == http_method_post() );
        CHECK( h.request_target() == row.target );
        CHECK( h.path() == row.path );
        CHECK( h.query() == row.query );
        CHECK( h.fragment() == row.fragment );
    }
}

TEST_CASE( "request target assembled from pieces", "[header][request]" )
{
    http_request_header_t h;
    CHECK( h.method() == http_method_get() );
    CHECK( h.path().empty() );
    const std::string target{ "/chat/42?room=a#top" };
    for( std::size_t split = 0; split <= target.size(); ++split )
    {
        INFO( "split at " << split );
        h.request_target( target.substr( 0, split ) );
        h.append_request_target( target.data() + split, target.size() - split );
        CHECK( h.path() == "/chat/42" );
        CHECK( h.query() == "room=a" );
        CHECK( h.fragment() == "top" );
    }
    h.method( http_method_delete() );
    CHECK( h.method() == http_method_delete() );
}

TEST_CASE( "http methods match llhttp's numbers", "[header][method]" )
{
    struct row_t { http_method_id_t method; int raw_id; const char * name; };
    const row_t rows[] = {
        { http_method_delete(), 0, "DELETE" },
        { http_method_get(), 1, "GET" },
        { http_method_head(), 2, "HEAD" },
        { http_method_post(), 3, "POST" },
        { http_method_put(), 4, "PUT" },
        { http_method_connect(), 5, "CONNECT" },
        { http_method_options(), 6, "OPTIONS" },
        { http_method_trace(), 7, "TRACE" },
        { http_method_copy(), 8, "COPY" },
        { http_method_lock(), 9, "LOCK" },
        { http_method_mkcol(), 10, "MKCOL" },
        { http_method_move(), 11, "MOVE" },
        { http_method_propfind(), 12, "PROPFIND" },
        { http_method_proppatch(), 13, "PROPPATCH" },
        { http_method_search(), 14, "SEARCH" },
        { http_method_unlock(), 15, "UNLOCK" },
        { http_method_bind(), 16, "BIND" },
        { http_method_rebind(), 17, "REBIND" },
        { http_method_unbind(), 18, "UNBIND" },
        { http_method_acl(), 19, "ACL" },
        { http_method_report(), 20, "REPORT" },
        { http_method_mkactivity(), 21, "MKACTIVITY" },
        { http_method_checkout(), 22, "CHECKOUT" },
        { http_method_merge(), 23, "MERGE" },
        { http_method_msearch(), 24, "M-SEARCH" },
        { http_method_notify(), 25, "NOTIFY" },
        { http_method_subscribe(), 26, "SUBSCRIBE" },
        { http_method_unsubscribe(), 27, "UNSUBSCRIBE" },
        { http_method_patch(), 28, "PATCH" },
        { http_method_purge(), 29, "PURGE" },
        { http_method_mkcalendar(), 30, "MKCALENDAR" },
        { http_method_link(), 31, "LINK" },
        { http_method_unlink(), 32, "UNLINK" },
        { http_method_unknown(), -1, "<undefined>" },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        CHECK( row.method.raw_id() == row.raw_id );
        CHECK( std::string{ row.method.c_str() } == row.name );
        CHECK( default_http_methods_t::from_nodejs( row.raw_id ) == row.method );
        CHECK( std::string{ default_http_methods_t::from_nodejs( row.raw_id ).c_str() } == row.name );
        std::ostringstream out;
        out << row.method;
        CHECK( out.str() == row.name );
    }
    CHECK( default_http_methods_t::from_nodejs( 33 ) == http_method_unknown() );   // SOURCE
    CHECK( default_http_methods_t::from_nodejs( 1000 ) == http_method_unknown() );
    CHECK( http_method_id_t{} == http_method_unknown() );
    CHECK( http_method_get() != http_method_post() );
    CHECK( http_method_delete() < http_method_get() );
    CHECK_FALSE( http_method_get() < http_method_get() );
    static_assert( http_method_get().raw_id() == 1 );
    static_assert( http_method_id_t::unknown_method == -1 );
}

TEST_CASE( "status helpers have appendix C's codes and reason phrases", "[header][status]" )
{
    struct row_t { http_status_line_t line; http_status_code_t constant; std::uint16_t code; const char * reason; };
    const row_t rows[] = {
        { status_continue(), status_code::continue_, 100, "Continue" },
        { status_switching_protocols(), status_code::switching_protocols, 101, "Switching Protocols" },
        { status_ok(), status_code::ok, 200, "OK" },
        { status_created(), status_code::created, 201, "Created" },
        { status_accepted(), status_code::accepted, 202, "Accepted" },
        { status_non_authoritative_information(), status_code::non_authoritative_information, 203, "Non-Authoritative Information" },
        { status_no_content(), status_code::no_content, 204, "No Content" },
        { status_reset_content(), status_code::reset_content, 205, "Reset Content" },
        { status_partial_content(), status_code::partial_content, 206, "Partial Content" },
        { status_multiple_choices(), status_code::multiple_choices, 300, "Multiple Choices" },
        { status_moved_permanently(), status_code::moved_permanently, 301, "Moved Permanently" },
        { status_found(), status_code::found, 302, "Found" },
        { status_see_other(), status_code::see_other, 303, "See Other" },
        { status_not_modified(), status_code::not_modified, 304, "Not Modified" },
        { status_use_proxy(), status_code::use_proxy, 305, "Use Proxy" },
        { status_temporary_redirect(), status_code::temporary_redirect, 307, "Temporary Redirect" },
        { status_bad_request(), status_code::bad_request, 400, "Bad Request" },
        { status_unauthorized(), status_code::unauthorized, 401, "Unauthorized" },
        { status_payment_required(), status_code::payment_required, 402, "Payment Required" },
        { status_forbidden(), status_code::forbidden, 403, "Forbidden" },
        { status_not_found(), status_code::not_found, 404, "Not Found" },
        { status_method_not_allowed(), status_code::method_not_allowed, 405, "Method Not Allowed" },
        { status_not_acceptable(), status_code::not_acceptable, 406, "Not Acceptable" },
        { status_proxy_authentication_required(), status_code::proxy_authentication_required, 407, "Proxy Authentication Required" },
        { status_request_time_out(), status_code::request_time_out, 408, "Request Timeout" },
        { status_conflict(), status_code::conflict, 409, "Conflict" },
        { status_gone(), status_code::gone, 410, "Gone" },
        { status_length_required(), status_code::length_required, 411, "Length Required" },
        { status_precondition_failed(), status_code::precondition_failed, 412, "Precondition Failed" },
        { status_payload_too_large(), status_code::payload_too_large, 413, "Payload Too Large" },
        { status_uri_too_long(), status_code::uri_too_long, 414, "URI Too Long" },
        { status_unsupported_media_type(), status_code::unsupported_media_type, 415, "Unsupported Media Type" },
        { status_requested_range_not_satisfiable(), status_code::requested_range_not_satisfiable, 416, "Requested Range Not Satisfiable" },
        { status_expectation_failed(), status_code::expectation_failed, 417, "Expectation Failed" },
        { status_internal_server_error(), status_code::internal_server_error, 500, "Internal Server Error" },
        { status_not_implemented(), status_code::not_implemented, 501, "Not Implemented" },
        { status_bad_gateway(), status_code::bad_gateway, 502, "Bad Gateway" },
        { status_service_unavailable(), status_code::service_unavailable, 503, "Service Unavailable" },
        { status_gateway_time_out(), status_code::gateway_time_out, 504, "Gateway Timeout" },
        { status_http_version_not_supported(), status_code::http_version_not_supported, 505, "HTTP Version not supported" },
        { status_permanent_redirect(), status_code::permanent_redirect, 308, "Permanent Redirect" },
        { status_processing(), status_code::processing, 102, "Processing" },
        { status_multi_status(), status_code::multi_status, 207, "Multi-Status" },
        { status_unprocessable_entity(), status_code::unprocessable_entity, 422, "Unprocessable Entity" },
        { status_locked(), status_code::locked, 423, "Locked" },
        { status_failed_dependency(), status_code::failed_dependency, 424, "Failed Dependency" },
        { status_insufficient_storage(), status_code::insufficient_storage, 507, "Insufficient Storage" },
        { status_precondition_required(), status_code::precondition_required, 428, "Precondition Required" },
        { status_too_many_requests(), status_code::too_many_requests, 429, "Too Many Requests" },
        { status_request_header_fields_too_large(), status_code::request_header_fields_too_large, 431, "Request Header Fields Too Large" },
        { status_network_authentication_required(), status_code::network_authentication_required, 511, "Network Authentication Required" },
    };
    REQUIRE( std::size( rows ) == 51u );
    for( const auto & row : rows )
    {
        INFO( row.reason );
        CHECK( row.line.status_code() == row.constant );
        CHECK( row.constant.raw_code() == row.code );
        CHECK( row.line.reason_phrase() == row.reason );
    }
}

TEST_CASE( "http_status_code_t compares both operands", "[header][status]" )
{
    constexpr http_status_code_t a{ 200 };
    constexpr http_status_code_t b{ 404 };
    static_assert( a == status_code::ok );
    static_assert( a != b );
    static_assert( !( a != status_code::ok ) );
    static_assert( a < b );
    static_assert( !( b < a ) );
    static_assert( !( a < a ) );
    static_assert( http_status_code_t{}.raw_code() == 0 );
    CHECK( a != b );
    CHECK( a < b );

    std::ostringstream out;
    out << b << ' ' << status_not_found() << ' ' << http_status_line_t{};
    CHECK( out.str() == "404 {404, Not Found} {200, }" );

    http_status_line_t line;
    line.status_code( status_code::gone );
    line.reason_phrase( "Gone Away" );
    CHECK( line.status_code() == status_code::gone );
    CHECK( line.reason_phrase() == "Gone Away" );
}

TEST_CASE( "make_date_field_value uses the IMF-fixdate form", "[header][date]" )
{
    // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example.
    const auto tp = std::chrono::system_clock::from_time_t( 784111777 );
    CHECK( make_date_field_value( tp ) == "Sun, 06 Nov 1994 08:49:37 GMT" );
    CHECK( make_date_field_value( std::chrono::system_clock::from_time_t( 0 ) )
        == "Thu, 01 Jan 1970 00:00:00 GMT" );
    CHECK( make_date_field_value( std::chrono::system_clock::from_time_t( 951782400 ) )
        == "Tue, 29 Feb 2000 00:00:00 GMT" );
    CHECK( make_date_field_value( std::chrono::system_clock::from_time_t( 1703980799 ) )
        == "Sat, 30 Dec 2023 23:59:59 GMT" );
}

TEST_CASE( "http_response_header_t", "[header][response]" )
{
    http_response_header_t h;
    CHECK( h.status_code() == status_code::ok );
    CHECK( h.reason_phrase().empty() );

    http_response_header_t nf{ status_not_found() };
    CHECK( nf.status_code() == status_code::not_found );
    CHECK( nf.reason_phrase() == "Not Found" );
    nf.status_line( status_switching_protocols() );
    CHECK( nf.status_line().status_code() == status_code::switching_protocols );
    nf.status_code( status_code::gone );
    nf.reason_phrase( "Gone" );
    CHECK( nf.status_code() == status_code::gone );
    CHECK( nf.reason_phrase() == "Gone" );
}

TEST_CASE( "create_header_string writes server.md 8.2's bytes", "[header][serialise]" )
{
    using impl::content_length_field_presence_t;
    using impl::create_header_string;

    http_response_header_t nf{ status_not_found() };
    nf.connection( http_connection_header_t::keep_alive );
    nf.content_length( 2 );
    nf.add_field( http_field_t::content_type, "text/plain" );
    CHECK( create_header_string( nf )
        == "HTTP/1.1 404 Not Found\r\nConnection: keep-alive\r\nContent-Length: 2\r\n"
           "Content-Type: text/plain\r\n\r\n" );

    http_response_header_t ni{ status_not_implemented() };
    CHECK( create_header_string( ni )
        == "HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n" );

    http_response_header_t up{ status_switching_protocols() };
    up.connection( http_connection_header_t::upgrade );
    up.add_field( http_field_t::sec_websocket_accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" );
    up.add_field( http_field_t::upgrade, "websocket" );
    CHECK( create_header_string( up, content_length_field_presence_t::skip_content_length )
        == "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nUpgrade: websocket\r\n\r\n" );

    http_response_header_t chunked{ status_ok() };
    chunked.http_minor( 0 );
    chunked.add_field( "x-b", "2" );
    chunked.add_field( "X-A", "1" );
    CHECK( create_header_string( chunked,
               content_length_field_presence_t::add_chunked_transfer_encoding, 8 )
        == "HTTP/1.0 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
           "x-b: 2\r\nX-A: 1\r\n\r\n" );

    http_response_header_t odd{ http_status_line_t{ http_status_code_t{ 42 }, "" } };
    odd.content_length( 18446744073709551615ull );
    CHECK( create_header_string( odd )
        == "HTTP/1.1 042 \r\nConnection: close\r\nContent-Length: 18446744073709551615\r\n\r\n" );

    // Appending into buffers a connection may reuse.
    std::string buffer{ "prefix|" };
    impl::append_header_string( buffer, ni );
    CHECK( buffer
        == "prefix|HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n" );

    fmt::memory_buffer mb;
    impl::append_header_string( mb, nf );
    CHECK( fmt::to_string( mb ) == create_header_string( nf ) );
    CHECK( impl::calculate_approx_buffer_size_for_header( nf ) >= create_header_string( nf ).size() );
}

namespace
{

// Every way a user can put a name or a value into a field, a field list or a status line.
// Each setter is tried on a list that already holds "X-Old: old", so that setters which change
// an existing field are exercised too; `check` then looks at what the list holds.
struct field_setter_t
{
    const char * name;
    void ( *set )( http_header_fields_t & fields, const std::string & name, const std::string & value );
};

const field_setter_t name_and_value_setters[] = {
    { "field_t( string, string )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.add_field( http_header_field_t{ n, v } ); } },
    { "field_t( view, view )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.add_field( http_header_field_t{ string_view_t{ n }, string_view_t{ v } } ); } },
    { "field_t::name() and value()", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        http_header_field_t f;
        f.name( n );
        f.value( v );
        fs.add_field( std::move( f ) ); } },
    { "add_field( name, value )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.add_field( n, v ); } },
    { "set_field( name, value )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.set_field( n, v ); } },
    { "set_field( name, value ) on X-Old", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.set_field( "X-Old", v );
        fs.set_field( n, "1" ); } },
    { "append_field( name, value )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.append_field( n, v ); } },
    { "append_field( name, value ) to X-Old", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.append_field( "x-old", v );
        fs.append_field( n, "1" ); } },
    { "field_t( id, string ) and add_field( id, value )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.add_field( http_header_field_t{ http_field_t::set_cookie, v } );
        fs.add_field( http_field_t::set_cookie, v );
        fs.add_field( n, "1" ); } },
    { "field_t( id, view ) and set_field( id, value )", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.add_field( http_header_field_t{ http_field_t::set_cookie, string_view_t{ v } } );
        fs.set_field( http_field_t::set_cookie, v );
        fs.add_field( n, "1" ); } },
    { "append_field( id, value ) and field_t::append_value", []( http_header_fields_t & fs, const std::string & n, const std::string & v ) {
        fs.append_field( http_field_t::set_cookie, "a" );
        fs.append_field( http_field_t::set_cookie, v );
        http_header_field_t f{ n, "1" };
        f.append_value( v );
        fs.add_field( std::move( f ) ); } },
};

} // namespace

TEST_CASE( "a field name must be a token and a value must not hold CR, LF or NUL",
           "[header][fields][injection]" )
{
    struct row_t { const char * name; std::string field_name; std::string value; bool valid; };
    const row_t rows[] = {
        { "plain",                      "X-Echo", "hello", true },
        { "every tchar",                "!#$%&'*+-.^_`|~09azAZ", "v", true },
        { "empty value",                "X-Echo", "", true },
        { "SP, HTAB and obs-text",      "X-Echo", "a b\tc \xC3\xA9 \xFF", true },
        { "CRLF and a second field",    "X-Echo", "x\r\nSet-Cookie: session=stolen", false },
        { "a whole second response",    "X-Echo", "x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false },
        { "bare LF",                    "X-Echo", "x\nSet-Cookie: a=b", false },
        { "bare CR",                    "X-Echo", "x\r", false },
        { "NUL",                        "X-Echo", std::string( "x\0y", 3 ), false },
        { "empty name",                 "", "v", false },
        { "space in the name",          "X Echo", "v", false },
        { "colon in the name",          "X-Echo:", "v", false },
        { "CRLF in the name",           "X-A: 1\r\nSet-Cookie", "v", false },
        { "NUL in the name",            std::string( "X\0", 2 ), "v", false },
        { "non-ASCII name",             "X-\xC3\xA9", "v", false },
        { "separator in the name",      "X(Echo)", "v", false },
    };
    for( const auto & setter : name_and_value_setters )
        for( const auto & row : rows )
        {
            INFO( setter.name << ": " << row.name );
            http_header_fields_t fields;
            fields.add_field( "X-Old", "old" );
            if( row.valid )
            {
                REQUIRE_NOTHROW( setter.set( fields, row.field_name, row.value ) );
                continue;
            }
            REQUIRE_THROWS_AS( setter.set( fields, row.field_name, row.value ), exception_t );
            // Nothing that was refused went into the list.
            fields.for_each_field( [&]( const http_header_field_t & f ) {
                CHECK( f.name().find_first_of( std::string( " :()\r\n\0", 8 ) ) == std::string::npos );
                CHECK( f.value().find_first_of( std::string( "\r\n\0", 3 ) ) == std::string::npos );
            } );
        }
}

TEST_CASE( "a refused field names the rule and the byte, not the text", "[header][fields][injection]" )
{
    http_header_fields_t fields;
    CHECK_THROWS_WITH( fields.add_field( "X-Echo", "ab\r\nSet-Cookie: x" ),
        "invalid HTTP field value: byte 0x0D at offset 2; "
        "a field value must not contain CR, LF or NUL (RFC 9110 5.5)" );
    CHECK_THROWS_WITH( fields.set_field( "Bad Name", "v" ),
        "invalid HTTP field name: byte 0x20 at offset 3; a field name is a token (RFC 9110 5.1)" );
    CHECK_THROWS_WITH( fields.add_field( "", "v" ),
        "invalid HTTP field name: it is empty; a field name is a token (RFC 9110 5.1)" );
    CHECK_THROWS_WITH( fields.add_field( http_field_t::field_unspecified, "v" ),
        "invalid HTTP field name: it is empty; a field name is a token (RFC 9110 5.1)" );
    CHECK( fields.fields_count() == 0u );
}

TEST_CASE( "a reason phrase must not hold CR, LF or NUL", "[header][status][injection]" )
{
    struct row_t { const char * name; std::string reason; bool valid; };
    const row_t rows[] = {
        { "plain",              "Not Quite OK", true },
        { "empty",              "", true },
        { "HTAB and obs-text",  "a\tb \xFF", true },
        { "CRLF and a field",   "OK\r\nSet-Cookie: a=b", false },
        { "bare LF",            "OK\n", false },
        { "bare CR",            "OK\r", false },
        { "NUL",                std::string( "O\0K", 3 ), false },
    };
    using set_t = void ( * )( const std::string & );
    const std::pair< const char *, set_t > setters[] = {
        { "status_line_t( code, reason )", []( const std::string & r ) {
            http_status_line_t sl{ status_code::ok, r }; } },
        { "status_line_t::reason_phrase()", []( const std::string & r ) {
            http_status_line_t sl{ status_ok() };
            sl.reason_phrase( r ); } },
        { "response_header_t::reason_phrase()", []( const std::string & r ) {
            http_response_header_t h;
            h.reason_phrase( r ); } },
    };
    for( const auto & setter : setters )
        for( const auto & row : rows )
        {
            INFO( setter.first << ": " << row.name );
            if( row.valid )
                CHECK_NOTHROW( setter.second( row.reason ) );
            else
                CHECK_THROWS_AS( setter.second( row.reason ), exception_t );
        }
    CHECK_THROWS_WITH( ( http_status_line_t{ status_code::ok, "OK\nX" } ),
        "invalid HTTP reason phrase: byte 0x0A at offset 2; "
        "a reason phrase must not contain CR, LF or NUL (RFC 9112 4)" );
}
