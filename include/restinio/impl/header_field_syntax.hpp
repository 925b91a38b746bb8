// What a header field and a status line may hold, checked when the text is set.
//
// A field name is a token (RFC 9110 5.1). A field value or a reason phrase never holds CR, LF or
// NUL (RFC 9110 5.5, RFC 9112 4): a CR or LF would end the line early, and whoever chose the text
// (a client, when a handler copies a query parameter into a header) could add header lines or a
// whole second response of their own. Such text is a programming error, so it is refused with
// exception_t at the call that sets it, before anything reaches the wire.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <string>

namespace restinio
{
namespace impl
{

// tchar of RFC 9110 5.6.2.
[[nodiscard]] constexpr bool is_token_char( char c ) noexcept
{
    if( ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' ) )
        return true;
    switch( c )
    {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

[[nodiscard]] constexpr bool is_line_breaking_char( char c ) noexcept
{
    return '\r' == c || '\n' == c || '\0' == c;
}

// The byte is printed in hex: the text may be a client's, and is not copied into the message.
[[noreturn]] inline void throw_bad_header_text(
    const char * what, std::size_t offset, char byte, const char * rule )
{
    static constexpr char hex_digits[] = "0123456789ABCDEF";
    const auto b = static_cast< unsigned char >( byte );
    std::string text{ what };
    text += ": byte 0x";
    text += hex_digits[ b >> 4 ];
    text += hex_digits[ b & 0xF ];
    text += " at offset ";
    text += std::to_string( offset );
    text += "; ";
    text += rule;
    throw exception_t{ text };
}

// Throws exception_t unless `name` is a non-empty token.
inline void check_field_name( string_view_t name )
{
    if( name.empty() )
        throw exception_t{ "invalid HTTP field name: it is empty; a field name is a token "
                           "(RFC 9110 5.1)" };
    for( std::size_t i = 0; i != name.size(); ++i )
        if( !is_token_char( name[ i ] ) )
            throw_bad_header_text( "invalid HTTP field name", i, name[ i ],
                    "a field name is a token (RFC 9110 5.1)" );
}

inline void check_no_line_break( string_view_t text, const char * what, const char * rule )
{
    for( std::size_t i = 0; i != text.size(); ++i )
        if( is_line_breaking_char( text[ i ] ) )
            throw_bad_header_text( what, i, text[ i ], rule );
}

// Throws exception_t if `value` (or a piece appended to a value) holds CR, LF or NUL.
inline void check_field_value( string_view_t value )
{
    check_no_line_break( value, "invalid HTTP field value",
            "a field value must not contain CR, LF or NUL (RFC 9110 5.5)" );
}

// Throws exception_t if `reason` holds CR, LF or NUL.
inline void check_reason_phrase( string_view_t reason )
{
    check_no_line_break( reason, "invalid HTTP reason phrase",
            "a reason phrase must not contain CR, LF or NUL (RFC 9112 4)" );
}

} // namespace impl
} // namespace restinio
