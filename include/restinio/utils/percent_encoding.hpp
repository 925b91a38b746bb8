// Percent-encoding (RFC 3986 2.1): escaping and unescaping of query-string parts, and the
// normalisation of request paths the express router matches against.
//
// A traits type says which characters may appear unescaped (`ordinary_char`). Unescaping also
// turns '+' into a space, as HTML forms and every RESTinio query parser do. Bad input (a
// character that should have been escaped, or a '%' not followed by two hex digits) throws
// exception_t from the throwing functions; the try_ and normalisation functions never throw.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace restinio
{

namespace utils
{

namespace impl
{

[[nodiscard]] constexpr bool is_alnum( char c ) noexcept
{
    return ( '0' <= c && c <= '9' ) || ( 'a' <= c && c <= 'z' ) || ( 'A' <= c && c <= 'Z' );
}

[[nodiscard]] constexpr bool is_hexdigit( char c ) noexcept
{
    return ( '0' <= c && c <= '9' ) || ( 'a' <= c && c <= 'f' ) || ( 'A' <= c && c <= 'F' );
}

[[nodiscard]] constexpr int hex_value( char c ) noexcept
{
    return c <= '9' ? c - '0' : ( c | 0x20 ) - 'a' + 10;
}

[[nodiscard]] constexpr char decode_escape( char high, char low ) noexcept
{
    return static_cast< char >( hex_value( high ) * 16 + hex_value( low ) );
}

} // namespace impl

// RFC 3986 2.3 unreserved characters: ALPHA DIGIT - . _ ~
struct restinio_default_unescape_traits
{
    static constexpr bool ordinary_char( char c ) noexcept
    {
        return impl::is_alnum( c ) || c == '-' || c == '.' || c == '_' || c == '~';
    }
};

// What JavaScript's encodeURIComponent leaves alone: the unreserved set plus ! ' ( ) *
struct javascript_compatible_unescape_traits
{
    static constexpr bool ordinary_char( char c ) noexcept
    {
        return restinio_default_unescape_traits::ordinary_char( c ) || c == '!' || c == '\''
            || c == '(' || c == ')' || c == '*';
    }
};

// What the application/x-www-form-urlencoded serializer leaves alone: ALPHA DIGIT * - . _
struct x_www_form_urlencoded_unescape_traits
{
    static constexpr bool ordinary_char( char c ) noexcept
    {
        return impl::is_alnum( c ) || c == '*' || c == '-' || c == '.' || c == '_';
    }
};

// Anything but the two characters unescaping gives a meaning to ('%' and '+'), for clients
// that escape too little.
struct relaxed_unescape_traits
{
    static constexpr bool ordinary_char( char c ) noexcept { return c != '%' && c != '+'; }
};

namespace impl
{

// The outcome of an unescaping pass: the output size, or where and why it failed.
struct unescape_result_t
{
    std::size_t size{ 0 };
    const char * error{ nullptr };
    std::size_t error_pos{ 0 };
};

// Unescapes [from, from + size) into `to`, which may be `from` itself: the output never runs
// ahead of the input.
template< typename Traits >
unescape_result_t unescape_to( const char * from, std::size_t size, char * to ) noexcept
{
    unescape_result_t result;
    std::size_t i = 0;
    while( i < size )
    {
        const char c = from[ i ];
        if( Traits::ordinary_char( c ) )
        {
            to[ result.size++ ] = c;
            ++i;
        }
        else if( c == '+' )
        {
            to[ result.size++ ] = ' ';
            ++i;
        }
        else if( c == '%' )
        {
            if( size - i < 3 || !is_hexdigit( from[ i + 1 ] ) || !is_hexdigit( from[ i + 2 ] ) )
            {
                result.error = "invalid escape sequence";
                result.error_pos = i;
                return result;
            }
            to[ result.size++ ] = decode_escape( from[ i + 1 ], from[ i + 2 ] );
            i += 3;
        }
        else
        {
            result.error = "invalid non-escaped char";
            result.error_pos = i;
            return result;
        }
    }
    return result;
}

[[noreturn]] inline void throw_unescape_error( const unescape_result_t & r )
{
    throw exception_t{ std::string{ r.error } + " at pos " + std::to_string( r.error_pos ) };
}

} // namespace impl

// Escapes every character that is not ordinary for Traits as %XX (upper-case hex).
template< typename Traits = restinio_default_unescape_traits >
[[nodiscard]] std::string escape_percent_encoding( string_view_t data )
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string result;
    result.reserve( data.size() );
    for( const char c : data )
    {
        if( Traits::ordinary_char( c ) )
            result += c;
        else
        {
            const auto byte = static_cast< unsigned char >( c );
            result += '%';
            result += hex[ byte >> 4 ];
            result += hex[ byte & 0x0F ];
        }
    }
    return result;
}

// Decodes %XX and '+'. Throws exception_t "invalid escape sequence at pos N" or
// "invalid non-escaped char at pos N".
template< typename Traits = restinio_default_unescape_traits >
[[nodiscard]] std::string unescape_percent_encoding( string_view_t data )
{
    std::string result( data.size(), '\0' );
    const auto r = impl::unescape_to< Traits >( data.data(), data.size(), result.data() );
    if( r.error )
        impl::throw_unescape_error( r );
    result.resize( r.size );
    return result;
}

// As unescape_percent_encoding, but nullopt instead of an exception.
template< typename Traits = restinio_default_unescape_traits >
[[nodiscard]] std::optional< std::string > try_unescape_percent_encoding( string_view_t data )
{
    std::string result( data.size(), '\0' );
    const auto r = impl::unescape_to< Traits >( data.data(), data.size(), result.data() );
    if( r.error )
        return std::nullopt;
    result.resize( r.size );
    return result;
}

// Unescapes in place; returns the new size. Throws like unescape_percent_encoding.
template< typename Traits = restinio_default_unescape_traits >
std::size_t inplace_unescape_percent_encoding( char * data, std::size_t size )
{
    const auto r = impl::unescape_to< Traits >( data, size, data );
    if( r.error )
        impl::throw_unescape_error( r );
    return r.size;
}

namespace uri_normalization
{

namespace unreserved_chars
{

// RFC 3986 6.2.2.2: percent-encoded unreserved characters are equivalent to the characters
// themselves, so "/%7Euser" and "/~user" are one path. Everything else stays as it is,
// including a malformed '%' sequence: normalising a path must not fail, and the route then
// simply sees the raw text.

[[nodiscard]] constexpr bool is_unreserved_char( char c ) noexcept
{
    return restinio_default_unescape_traits::ordinary_char( c );
}

[[nodiscard]] constexpr bool is_encoded_unreserved_at( string_view_t what, std::size_t i ) noexcept
{
    return what[ i ] == '%' && what.size() - i >= 3 && impl::is_hexdigit( what[ i + 1 ] )
        && impl::is_hexdigit( what[ i + 2 ] )
        && is_unreserved_char( impl::decode_escape( what[ i + 1 ], what[ i + 2 ] ) );
}

// The size of what after normalisation.
[[nodiscard]] inline std::size_t estimate_required_capacity( string_view_t what ) noexcept
{
    std::size_t size = what.size();
    for( std::size_t i = 0; i < what.size(); ++i )
        if( is_encoded_unreserved_at( what, i ) )
        {
            size -= 2;
            i += 2;
        }
    return size;
}

// Writes the normalised what to dest, which must have estimate_required_capacity( what ) chars.
inline void normalize_to( string_view_t what, char * dest ) noexcept
{
    for( std::size_t i = 0; i < what.size(); ++i )
    {
        if( is_encoded_unreserved_at( what, i ) )
        {
            *dest++ = impl::decode_escape( what[ i + 1 ], what[ i + 2 ] );
            i += 2;
        }
        else
            *dest++ = what[ i ];
    }
}

} // namespace unreserved_chars

} // namespace uri_normalization

} // namespace utils

} // namespace restinio
