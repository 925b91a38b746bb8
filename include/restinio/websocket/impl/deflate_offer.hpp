// The permessage-deflate negotiation (RFC 7692 7.1) on the server's side: the client's
// Sec-WebSocket-Extensions list in, the first acceptable permessage-deflate offer and the
// response's extension value out.
//
// The list follows RFC 6455 9.1: extensions separated by commas, each a token with parameters
// after semicolons, a parameter's value a token or a quoted string (whose unescaped content must
// be a token). Other extensions are skipped. An offer is declined, and the next one tried, when
// RFC 7692 7.1 says so (an unknown or repeated parameter, a value out of range) or when we
// cannot honour it; a list we cannot parse ends the search there. Pure: no allocation but the
// response string, no exception for bad input.
#pragma once

#include <restinio/string_view.hpp>
#include <restinio/websocket/deflate_options.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

namespace deflate_offer_details
{

// RFC 7230 3.2.6 tchar.
[[nodiscard]] constexpr bool
is_tchar( char c ) noexcept
{
    if( ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' ) )
        return true;
    switch( c )
    {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

[[nodiscard]] constexpr bool
equal_ignoring_case( string_view_t a, string_view_t b ) noexcept
{
    if( a.size() != b.size() )
        return false;
    for( std::size_t i = 0; i != a.size(); ++i )
    {
        const char x = ( a[ i ] >= 'A' && a[ i ] <= 'Z' ) ? static_cast< char >( a[ i ] + 32 ) : a[ i ];
        const char y = ( b[ i ] >= 'A' && b[ i ] <= 'Z' ) ? static_cast< char >( b[ i ] + 32 ) : b[ i ];
        if( x != y )
            return false;
    }
    return true;
}

// A cursor over the list; every parse_* returns false on a syntax error.
class list_reader_t
{
public:
    explicit constexpr list_reader_t( string_view_t list ) noexcept : m_list{ list } {}

    [[nodiscard]] constexpr bool at_end() const noexcept { return m_pos == m_list.size(); }
    [[nodiscard]] constexpr char peek() const noexcept { return m_list[ m_pos ]; }
    constexpr void advance() noexcept { ++m_pos; }

    constexpr void skip_ows() noexcept
    {
        while( !at_end() && ( ' ' == peek() || '\t' == peek() ) )
            advance();
    }

    [[nodiscard]] constexpr bool skip( char c ) noexcept
    {
        skip_ows();
        if( at_end() || c != peek() )
            return false;
        advance();
        skip_ows();
        return true;
    }

    [[nodiscard]] constexpr string_view_t token() noexcept
    {
        const std::size_t start = m_pos;
        while( !at_end() && is_tchar( peek() ) )
            advance();
        return m_list.substr( start, m_pos - start );
    }

    // RFC 7230 3.2.6 quoted-string, unescaped into `out` (at most `capacity` bytes: the only
    // values we accept are two digits). Returns false if malformed; `size` gets the length, or
    // capacity + 1 if the content is longer.
    [[nodiscard]] constexpr bool quoted( char * out, std::size_t capacity, std::size_t & size ) noexcept
    {
        size = 0;
        advance();  // the opening quote
        while( !at_end() )
        {
            char c = peek();
            advance();
            if( '"' == c )
                return true;
            if( '\\' == c )
            {
                if( at_end() )
                    return false;
                c = peek();
                advance();
            }
            else if( static_cast< unsigned char >( c ) < 0x20 && '\t' != c )
                return false;
            if( size < capacity )
                out[ size ] = c;
            if( size <= capacity )
                ++size;
        }
        return false;
    }

private:
    string_view_t m_list;
    std::size_t m_pos{ 0 };
};

// A window-bits value: "8".."15", no sign, no leading zero (RFC 7692 7.1.2.1 and 7.1.2.2).
[[nodiscard]] constexpr int
window_bits_value( string_view_t v ) noexcept
{
    if( 1u == v.size() && ( '8' == v[ 0 ] || '9' == v[ 0 ] ) )
        return v[ 0 ] - '0';
    if( 2u == v.size() && '1' == v[ 0 ] && v[ 1 ] >= '0' && v[ 1 ] <= '5' )
        return 10 + ( v[ 1 ] - '0' );
    return 0;
}

// One permessage-deflate offer's parameters, as read.
struct offer_t
{
    bool valid{ true };
    bool server_no_context_takeover{ false };
    bool client_no_context_takeover{ false };
    int server_max_window_bits{ 0 };    // 0: absent
    bool client_max_window_bits{ false };
    int client_max_window_bits_value{ 0 };  // 0: absent or without a value

    // RFC 7692 7.1: unknown names, repeated names and bad values decline the offer.
    void add( string_view_t name, bool has_value, string_view_t value ) noexcept
    {
        if( equal_ignoring_case( name, "server_no_context_takeover" ) )
            valid = valid && !has_value && !std::exchange( server_no_context_takeover, true );
        else if( equal_ignoring_case( name, "client_no_context_takeover" ) )
            valid = valid && !has_value && !std::exchange( client_no_context_takeover, true );
        else if( equal_ignoring_case( name, "server_max_window_bits" ) )
        {
            // 7.1.2.1: the value is mandatory.
            valid = valid && has_value && 0 == server_max_window_bits;
            server_max_window_bits = window_bits_value( value );
            valid = valid && 0 != server_max_window_bits;
        }
        else if( equal_ignoring_case( name, "client_max_window_bits" ) )
        {
            valid = valid && !std::exchange( client_max_window_bits, true );
            if( has_value )
            {
                client_max_window_bits_value = window_bits_value( value );
                valid = valid && 0 != client_max_window_bits_value;
            }
        }
        else
            valid = false;
    }
};

// What we answer to an acceptable offer, with our options.
[[nodiscard]] inline std::optional< deflate_params_t >
accept( const offer_t & offer, const deflate_options_t & ours ) noexcept
{
    if( !offer.valid )
        return std::nullopt;
    deflate_params_t params;
    params.server_no_context_takeover = offer.server_no_context_takeover || ours.server_no_context_takeover();
    params.client_no_context_takeover = offer.client_no_context_takeover || ours.client_no_context_takeover();

    params.server_max_window_bits = ours.server_max_window_bits();
    if( 0 != offer.server_max_window_bits )
    {
        // zlib's raw deflate has no 256-byte window: a stream made with 512 bytes could refer
        // further back than such a client keeps, so this offer cannot be honoured.
        if( 8 == offer.server_max_window_bits )
            return std::nullopt;
        if( offer.server_max_window_bits < params.server_max_window_bits )
            params.server_max_window_bits = static_cast< std::uint8_t >( offer.server_max_window_bits );
    }

    // 7.1.2.2: without client_max_window_bits in the offer the response may not limit the
    // client, which then may use 15.
    if( offer.client_max_window_bits )
    {
        params.client_max_window_bits = ours.client_max_window_bits();
        if( 0 != offer.client_max_window_bits_value &&
                offer.client_max_window_bits_value < params.client_max_window_bits )
            params.client_max_window_bits = static_cast< std::uint8_t >( offer.client_max_window_bits_value );
    }
    return params;
}

} // namespace deflate_offer_details

// The first acceptable permessage-deflate offer in `extensions` (the Sec-WebSocket-Extensions
// fields of a request, joined with commas), agreed with `ours`; nullopt if there is none.
[[nodiscard]] inline std::optional< deflate_params_t >
negotiate_deflate( string_view_t extensions, const deflate_options_t & ours ) noexcept
{
    using namespace deflate_offer_details;
    list_reader_t reader{ extensions };
    for(;;)
    {
        // RFC 7230 7: empty list elements are allowed and mean nothing.
        reader.skip_ows();
        while( reader.skip( ',' ) ) {}
        if( reader.at_end() )
            return std::nullopt;

        const string_view_t name = reader.token();
        if( name.empty() )
            return std::nullopt;
        const bool is_deflate = equal_ignoring_case( name, "permessage-deflate" );
        offer_t offer;
        while( reader.skip( ';' ) )
        {
            const string_view_t param = reader.token();
            if( param.empty() )
                return std::nullopt;
            bool has_value = false;
            string_view_t value;
            char unquoted[ 2 ] = {};
            if( reader.skip( '=' ) )
            {
                has_value = true;
                if( !reader.at_end() && '"' == reader.peek() )
                {
                    std::size_t size = 0;
                    if( !reader.quoted( unquoted, sizeof( unquoted ), size ) )
                        return std::nullopt;
                    // RFC 6455 9.1: a quoted value must still be a token.
                    value = string_view_t{ unquoted, size > sizeof( unquoted ) ? 0u : size };
                    if( size > sizeof( unquoted ) )
                        offer.valid = false;
                    for( const char c : value )
                        offer.valid = offer.valid && is_tchar( c );
                    if( value.empty() )
                        offer.valid = false;
                }
                else
                {
                    value = reader.token();
                    if( value.empty() )
                        return std::nullopt;
                }
            }
            offer.add( param, has_value, value );
        }
        reader.skip_ows();
        if( !reader.at_end() && ',' != reader.peek() )
            return std::nullopt;
        if( is_deflate )
            if( auto params = accept( offer, ours ) )
                return params;
    }
}

// The response's Sec-WebSocket-Extensions value for what was agreed. Window sizes of 15 go
// unsaid: it is what their absence means.
[[nodiscard]] inline std::string
deflate_response_value( const deflate_params_t & params )
{
    std::string value{ "permessage-deflate" };
    if( params.server_no_context_takeover )
        value += "; server_no_context_takeover";
    if( params.client_no_context_takeover )
        value += "; client_no_context_takeover";
    if( params.server_max_window_bits < 15 )
        value += "; server_max_window_bits=" + std::to_string( params.server_max_window_bits );
    if( params.client_max_window_bits < 15 )
        value += "; client_max_window_bits=" + std::to_string( params.client_max_window_bits );
    return value;
}

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
