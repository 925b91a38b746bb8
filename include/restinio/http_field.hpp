// http_field_t: the header field names RESTinio knows by id, and the fast, case-insensitive
// mapping between an id and its canonical name.
//
// The enumerators, their order and the canonical names all come from the single list
// RESTINIO_HTTP_FIELDS_MAP below, so the enum and the name table cannot drift apart.
// `Connection` and `Content-Length` have no enumerator on purpose: the headers keep them as
// typed members (connection(), content_length()), as RESTinio does.
#pragma once

#include <restinio/string_view.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace restinio
{

// RESTINIO_GEN( enumerator, canonical name ), in RESTinio's order (server.md, appendix A).
#define RESTINIO_HTTP_FIELDS_MAP( RESTINIO_GEN ) \
    RESTINIO_GEN( a_im, "A-IM" ) \
    RESTINIO_GEN( accept, "Accept" ) \
    RESTINIO_GEN( accept_additions, "Accept-Additions" ) \
    RESTINIO_GEN( accept_charset, "Accept-Charset" ) \
    RESTINIO_GEN( accept_datetime, "Accept-Datetime" ) \
    RESTINIO_GEN( accept_encoding, "Accept-Encoding" ) \
    RESTINIO_GEN( accept_features, "Accept-Features" ) \
    RESTINIO_GEN( accept_language, "Accept-Language" ) \
    RESTINIO_GEN( accept_patch, "Accept-Patch" ) \
    RESTINIO_GEN( accept_post, "Accept-Post" ) \
    RESTINIO_GEN( accept_ranges, "Accept-Ranges" ) \
    RESTINIO_GEN( age, "Age" ) \
    RESTINIO_GEN( allow, "Allow" ) \
    RESTINIO_GEN( alpn, "ALPN" ) \
    RESTINIO_GEN( alt_svc, "Alt-Svc" ) \
    RESTINIO_GEN( alt_used, "Alt-Used" ) \
    RESTINIO_GEN( alternates, "Alternates" ) \
    RESTINIO_GEN( apply_to_redirect_ref, "Apply-To-Redirect-Ref" ) \
    RESTINIO_GEN( authentication_control, "Authentication-Control" ) \
    RESTINIO_GEN( authentication_info, "Authentication-Info" ) \
    RESTINIO_GEN( authorization, "Authorization" ) \
    RESTINIO_GEN( c_ext, "C-Ext" ) \
    RESTINIO_GEN( c_man, "C-Man" ) \
    RESTINIO_GEN( c_opt, "C-Opt" ) \
    RESTINIO_GEN( c_pep, "C-PEP" ) \
    RESTINIO_GEN( c_pep_info, "C-PEP-Info" ) \
    RESTINIO_GEN( cache_control, "Cache-Control" ) \
    RESTINIO_GEN( caldav_timezones, "CalDAV-Timezones" ) \
    RESTINIO_GEN( close, "Close" ) \
    RESTINIO_GEN( content_base, "Content-Base" ) \
    RESTINIO_GEN( content_disposition, "Content-Disposition" ) \
    RESTINIO_GEN( content_encoding, "Content-Encoding" ) \
    RESTINIO_GEN( content_id, "Content-ID" ) \
    RESTINIO_GEN( content_language, "Content-Language" ) \
    RESTINIO_GEN( content_location, "Content-Location" ) \
    RESTINIO_GEN( content_md5, "Content-MD5" ) \
    RESTINIO_GEN( content_range, "Content-Range" ) \
    RESTINIO_GEN( content_script_type, "Content-Script-Type" ) \
    RESTINIO_GEN( content_style_type, "Content-Style-Type" ) \
    RESTINIO_GEN( content_type, "Content-Type" ) \
    RESTINIO_GEN( content_version, "Content-Version" ) \
    RESTINIO_GEN( cookie, "Cookie" ) \
    RESTINIO_GEN( cookie2, "Cookie2" ) \
    RESTINIO_GEN( dasl, "DASL" ) \
    RESTINIO_GEN( dav, "DAV" ) \
    RESTINIO_GEN( date, "Date" ) \
    RESTINIO_GEN( default_style, "Default-Style" ) \
    RESTINIO_GEN( delta_base, "Delta-Base" ) \
    RESTINIO_GEN( depth, "Depth" ) \
    RESTINIO_GEN( derived_from, "Derived-From" ) \
    RESTINIO_GEN( destination, "Destination" ) \
    RESTINIO_GEN( differential_id, "Differential-ID" ) \
    RESTINIO_GEN( digest, "Digest" ) \
    RESTINIO_GEN( etag, "ETag" ) \
    RESTINIO_GEN( expect, "Expect" ) \
    RESTINIO_GEN( expires, "Expires" ) \
    RESTINIO_GEN( ext, "Ext" ) \
    RESTINIO_GEN( forwarded, "Forwarded" ) \
    RESTINIO_GEN( from, "From" ) \
    RESTINIO_GEN( getprofile, "GetProfile" ) \
    RESTINIO_GEN( hobareg, "Hobareg" ) \
    RESTINIO_GEN( host, "Host" ) \
    RESTINIO_GEN( http2_settings, "HTTP2-Settings" ) \
    RESTINIO_GEN( im, "IM" ) \
    RESTINIO_GEN( if_, "If" ) \
    RESTINIO_GEN( if_match, "If-Match" ) \
    RESTINIO_GEN( if_modified_since, "If-Modified-Since" ) \
    RESTINIO_GEN( if_none_match, "If-None-Match" ) \
    RESTINIO_GEN( if_range, "If-Range" ) \
    RESTINIO_GEN( if_schedule_tag_match, "If-Schedule-Tag-Match" ) \
    RESTINIO_GEN( if_unmodified_since, "If-Unmodified-Since" ) \
    RESTINIO_GEN( keep_alive, "Keep-Alive" ) \
    RESTINIO_GEN( label, "Label" ) \
    RESTINIO_GEN( last_modified, "Last-Modified" ) \
    RESTINIO_GEN( link, "Link" ) \
    RESTINIO_GEN( location, "Location" ) \
    RESTINIO_GEN( lock_token, "Lock-Token" ) \
    RESTINIO_GEN( man, "Man" ) \
    RESTINIO_GEN( max_forwards, "Max-Forwards" ) \
    RESTINIO_GEN( memento_datetime, "Memento-Datetime" ) \
    RESTINIO_GEN( meter, "Meter" ) \
    RESTINIO_GEN( mime_version, "MIME-Version" ) \
    RESTINIO_GEN( negotiate, "Negotiate" ) \
    RESTINIO_GEN( opt, "Opt" ) \
    RESTINIO_GEN( optional_www_authenticate, "Optional-WWW-Authenticate" ) \
    RESTINIO_GEN( ordering_type, "Ordering-Type" ) \
    RESTINIO_GEN( origin, "Origin" ) \
    RESTINIO_GEN( overwrite, "Overwrite" ) \
    RESTINIO_GEN( p3p, "P3P" ) \
    RESTINIO_GEN( pep, "PEP" ) \
    RESTINIO_GEN( pics_label, "PICS-Label" ) \
    RESTINIO_GEN( pep_info, "Pep-Info" ) \
    RESTINIO_GEN( position, "Position" ) \
    RESTINIO_GEN( pragma, "Pragma" ) \
    RESTINIO_GEN( prefer, "Prefer" ) \
    RESTINIO_GEN( preference_applied, "Preference-Applied" ) \
    RESTINIO_GEN( profileobject, "ProfileObject" ) \
    RESTINIO_GEN( protocol, "Protocol" ) \
    RESTINIO_GEN( protocol_info, "Protocol-Info" ) \
    RESTINIO_GEN( protocol_query, "Protocol-Query" ) \
    RESTINIO_GEN( protocol_request, "Protocol-Request" ) \
    RESTINIO_GEN( proxy_authenticate, "Proxy-Authenticate" ) \
    RESTINIO_GEN( proxy_authentication_info, "Proxy-Authentication-Info" ) \
    RESTINIO_GEN( proxy_authorization, "Proxy-Authorization" ) \
    RESTINIO_GEN( proxy_features, "Proxy-Features" ) \
    RESTINIO_GEN( proxy_instruction, "Proxy-Instruction" ) \
    RESTINIO_GEN( public_, "Public" ) \
    RESTINIO_GEN( public_key_pins, "Public-Key-Pins" ) \
    RESTINIO_GEN( public_key_pins_report_only, "Public-Key-Pins-Report-Only" ) \
    RESTINIO_GEN( range, "Range" ) \
    RESTINIO_GEN( redirect_ref, "Redirect-Ref" ) \
    RESTINIO_GEN( referer, "Referer" ) \
    RESTINIO_GEN( retry_after, "Retry-After" ) \
    RESTINIO_GEN( safe, "Safe" ) \
    RESTINIO_GEN( schedule_reply, "Schedule-Reply" ) \
    RESTINIO_GEN( schedule_tag, "Schedule-Tag" ) \
    RESTINIO_GEN( sec_websocket_accept, "Sec-WebSocket-Accept" ) \
    RESTINIO_GEN( sec_websocket_extensions, "Sec-WebSocket-Extensions" ) \
    RESTINIO_GEN( sec_websocket_key, "Sec-WebSocket-Key" ) \
    RESTINIO_GEN( sec_websocket_protocol, "Sec-WebSocket-Protocol" ) \
    RESTINIO_GEN( sec_websocket_version, "Sec-WebSocket-Version" ) \
    RESTINIO_GEN( security_scheme, "Security-Scheme" ) \
    RESTINIO_GEN( server, "Server" ) \
    RESTINIO_GEN( set_cookie, "Set-Cookie" ) \
    RESTINIO_GEN( set_cookie2, "Set-Cookie2" ) \
    RESTINIO_GEN( setprofile, "SetProfile" ) \
    RESTINIO_GEN( slug, "SLUG" ) \
    RESTINIO_GEN( soapaction, "SoapAction" ) \
    RESTINIO_GEN( status_uri, "Status-URI" ) \
    RESTINIO_GEN( strict_transport_security, "Strict-Transport-Security" ) \
    RESTINIO_GEN( surrogate_capability, "Surrogate-Capability" ) \
    RESTINIO_GEN( surrogate_control, "Surrogate-Control" ) \
    RESTINIO_GEN( tcn, "TCN" ) \
    RESTINIO_GEN( te, "TE" ) \
    RESTINIO_GEN( timeout, "Timeout" ) \
    RESTINIO_GEN( topic, "Topic" ) \
    RESTINIO_GEN( trailer, "Trailer" ) \
    RESTINIO_GEN( transfer_encoding, "Transfer-Encoding" ) \
    RESTINIO_GEN( ttl, "TTL" ) \
    RESTINIO_GEN( urgency, "Urgency" ) \
    RESTINIO_GEN( uri, "URI" ) \
    RESTINIO_GEN( upgrade, "Upgrade" ) \
    RESTINIO_GEN( user_agent, "User-Agent" ) \
    RESTINIO_GEN( variant_vary, "Variant-Vary" ) \
    RESTINIO_GEN( vary, "Vary" ) \
    RESTINIO_GEN( via, "Via" ) \
    RESTINIO_GEN( www_authenticate, "WWW-Authenticate" ) \
    RESTINIO_GEN( want_digest, "Want-Digest" ) \
    RESTINIO_GEN( warning, "Warning" ) \
    RESTINIO_GEN( x_frame_options, "X-Frame-Options" ) \
    RESTINIO_GEN( access_control, "Access-Control" ) \
    RESTINIO_GEN( access_control_allow_credentials, "Access-Control-Allow-Credentials" ) \
    RESTINIO_GEN( access_control_allow_headers, "Access-Control-Allow-Headers" ) \
    RESTINIO_GEN( access_control_allow_methods, "Access-Control-Allow-Methods" ) \
    RESTINIO_GEN( access_control_allow_origin, "Access-Control-Allow-Origin" ) \
    RESTINIO_GEN( access_control_max_age, "Access-Control-Max-Age" ) \
    RESTINIO_GEN( access_control_request_method, "Access-Control-Request-Method" ) \
    RESTINIO_GEN( access_control_request_headers, "Access-Control-Request-Headers" ) \
    RESTINIO_GEN( compliance, "Compliance" ) \
    RESTINIO_GEN( content_transfer_encoding, "Content-Transfer-Encoding" ) \
    RESTINIO_GEN( cost, "Cost" ) \
    RESTINIO_GEN( ediint_features, "EDIINT-Features" ) \
    RESTINIO_GEN( message_id, "Message-ID" ) \
    RESTINIO_GEN( method_check, "Method-Check" ) \
    RESTINIO_GEN( method_check_expires, "Method-Check-Expires" ) \
    RESTINIO_GEN( non_compliance, "Non-Compliance" ) \
    RESTINIO_GEN( optional, "Optional" ) \
    RESTINIO_GEN( referer_root, "Referer-Root" ) \
    RESTINIO_GEN( resolution_hint, "Resolution-Hint" ) \
    RESTINIO_GEN( resolver_location, "Resolver-Location" ) \
    RESTINIO_GEN( subok, "SubOK" ) \
    RESTINIO_GEN( subst, "Subst" ) \
    RESTINIO_GEN( title, "Title" ) \
    RESTINIO_GEN( ua_color, "UA-Color" ) \
    RESTINIO_GEN( ua_media, "UA-Media" ) \
    RESTINIO_GEN( ua_pixels, "UA-Pixels" ) \
    RESTINIO_GEN( ua_resolution, "UA-Resolution" ) \
    RESTINIO_GEN( ua_windowpixels, "UA-Windowpixels" ) \
    RESTINIO_GEN( version, "Version" ) \
    RESTINIO_GEN( x_device_accept, "X-Device-Accept" ) \
    RESTINIO_GEN( x_device_accept_charset, "X-Device-Accept-Charset" ) \
    RESTINIO_GEN( x_device_accept_encoding, "X-Device-Accept-Encoding" ) \
    RESTINIO_GEN( x_device_accept_language, "X-Device-Accept-Language" ) \
    RESTINIO_GEN( x_device_user_agent, "X-Device-User-Agent" )

enum class http_field_t : std::uint8_t
{
#define RESTINIO_HTTP_FIELD_GEN( name, text ) name,
    RESTINIO_HTTP_FIELDS_MAP( RESTINIO_HTTP_FIELD_GEN )
#undef RESTINIO_HTTP_FIELD_GEN
    field_unspecified
};

// Seed-era code writes http_field::host.
using http_field = http_field_t;

namespace impl
{

inline constexpr std::size_t http_field_count =
    static_cast< std::size_t >( http_field_t::field_unspecified );

inline constexpr std::array< string_view_t, http_field_count > http_field_names{ {
#define RESTINIO_HTTP_FIELD_GEN( name, text ) string_view_t{ text },
    RESTINIO_HTTP_FIELDS_MAP( RESTINIO_HTTP_FIELD_GEN )
#undef RESTINIO_HTTP_FIELD_GEN
} };

inline constexpr char ascii_to_lower( char c ) noexcept
{
    return ( c >= 'A' && c <= 'Z' ) ? static_cast< char >( c - 'A' + 'a' ) : c;
}

inline constexpr bool equal_ignoring_ascii_case( string_view_t a, string_view_t b ) noexcept
{
    if( a.size() != b.size() )
        return false;
    for( std::size_t i = 0; i != a.size(); ++i )
        if( ascii_to_lower( a[ i ] ) != ascii_to_lower( b[ i ] ) )
            return false;
    return true;
}

// FNV-1a over the lower-cased bytes: one pass over the name, so the lookup below costs a hash,
// usually one probe, and a single case-insensitive comparison.
inline constexpr std::uint32_t field_name_hash( string_view_t name ) noexcept
{
    std::uint32_t h = 2166136261u;
    for( const char c : name )
    {
        h ^= static_cast< unsigned char >( ascii_to_lower( c ) );
        h *= 16777619u;
    }
    return h;
}

// An open-addressing table (linear probing) from hash to field index, built at compile time.
// 512 slots for 184 names keeps it under 40% full, so probe chains stay short.
inline constexpr std::size_t field_table_size = 512;
inline constexpr std::uint8_t field_table_empty_slot = 0xFF;

inline constexpr std::array< std::uint8_t, field_table_size > make_field_lookup_table() noexcept
{
    std::array< std::uint8_t, field_table_size > table{};
    for( auto & slot : table )
        slot = field_table_empty_slot;
    for( std::size_t i = 0; i != http_field_count; ++i )
    {
        std::size_t slot = field_name_hash( http_field_names[ i ] ) % field_table_size;
        while( table[ slot ] != field_table_empty_slot )
            slot = ( slot + 1 ) % field_table_size;
        table[ slot ] = static_cast< std::uint8_t >( i );
    }
    return table;
}

inline constexpr std::array< std::uint8_t, field_table_size > field_lookup_table =
    make_field_lookup_table();

} // namespace impl

// The id for a field name, ignoring ASCII case; field_unspecified for any name not in the list.
[[nodiscard]] inline constexpr http_field_t string_to_field( string_view_t field ) noexcept
{
    std::size_t slot = impl::field_name_hash( field ) % impl::field_table_size;
    for( ;; )
    {
        const std::uint8_t index = impl::field_lookup_table[ slot ];
        if( index == impl::field_table_empty_slot )
            return http_field_t::field_unspecified;
        if( impl::equal_ignoring_ascii_case( impl::http_field_names[ index ], field ) )
            return static_cast< http_field_t >( index );
        slot = ( slot + 1 ) % impl::field_table_size;
    }
}

// The canonical name of a field; "" for field_unspecified (and for any out-of-range value).
[[nodiscard]] inline constexpr const char * field_to_string( http_field_t f ) noexcept
{
    const auto index = static_cast< std::size_t >( f );
    // Every name in the table is a string literal, so data() is NUL-terminated.
    return index < impl::http_field_count ? impl::http_field_names[ index ].data() : "";
}

} // namespace restinio
