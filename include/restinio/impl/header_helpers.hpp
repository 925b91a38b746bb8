// Serialisation of a response header into the bytes the server writes (server.md 8.2).
//
// The layout is fixed: the status line, then Connection, then Content-Length (or
// Transfer-Encoding: chunked, or neither), then every field in insertion order, then the blank
// line. append_header_string() writes into a caller's buffer (std::string or
// fmt::memory_buffer), so a connection can reuse one buffer for every response;
// create_header_string() is the allocating convenience with RESTinio's signature.
#pragma once

#include <restinio/http_headers.hpp>
#include <restinio/string_view.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>

namespace restinio
{

namespace impl
{

// What goes between the Connection line and the fields.
enum class content_length_field_presence_t : std::uint8_t
{
    // "Content-Length: <h.content_length()>": the body's size is known up front.
    add_content_length,
    // Nothing: the user writes the length as a field, or the message has no body (101).
    skip_content_length,
    // "Transfer-Encoding: chunked": the chunked output builder.
    add_chunked_transfer_encoding
};

// Appends bytes to either buffer type: both std::string and fmt::basic_memory_buffer take a
// [begin, end) character range.
template< typename Buffer >
void append_to( Buffer & to, string_view_t text )
{
    to.append( text.data(), text.data() + text.size() );
}

template< typename Buffer >
void append_unsigned_to( Buffer & to, std::uint64_t value )
{
    char digits[ 20 ];      // 2^64 - 1 has 20 decimal digits
    const auto r = std::to_chars( digits, digits + sizeof( digits ), value );
    to.append( digits, r.ptr );
}

[[nodiscard]] inline string_view_t connection_field_line( http_connection_header_t ch ) noexcept
{
    switch( ch )
    {
    case http_connection_header_t::keep_alive: return "Connection: keep-alive\r\n";
    case http_connection_header_t::close:      return "Connection: close\r\n";
    case http_connection_header_t::upgrade:    return "Connection: Upgrade\r\n";
    }
    return "Connection: close\r\n";
}

// An upper bound for the header's size, to reserve once.
[[nodiscard]] inline std::size_t calculate_approx_buffer_size_for_header(
    const http_response_header_t & h ) noexcept
{
    std::size_t size = 9 + 4 + h.reason_phrase().size() + 2;   // "HTTP/x.y ccc reason\r\n"
    size += 24;                                                 // the longest Connection line
    size += 36 + 20;                                            // the longest length line
    h.for_each_field( [&size]( const http_header_field_t & f ) noexcept {
        size += f.name().size() + 2 + f.value().size() + 2;
    } );
    return size + 2;
}

// Appends the whole header, blank line included, to `to`.
template< typename Buffer >
void append_header_string(
    Buffer & to,
    const http_response_header_t & h,
    content_length_field_presence_t content_length_field_presence =
        content_length_field_presence_t::add_content_length )
{
    append_to( to, "HTTP/" );
    append_unsigned_to( to, h.http_major() );
    append_to( to, "." );
    append_unsigned_to( to, h.http_minor() );

    // The status code is always three digits on the wire (RFC 9112 4).
    const unsigned code = h.status_code().raw_code() % 1000u;
    const char status[ 5 ] = { ' ',
        static_cast< char >( '0' + code / 100u ),
        static_cast< char >( '0' + code / 10u % 10u ),
        static_cast< char >( '0' + code % 10u ),
        ' ' };
    append_to( to, string_view_t{ status, sizeof( status ) } );
    append_to( to, h.reason_phrase() );
    append_to( to, "\r\n" );

    append_to( to, connection_field_line( h.connection() ) );

    switch( content_length_field_presence )
    {
    case content_length_field_presence_t::add_content_length:
        append_to( to, "Content-Length: " );
        append_unsigned_to( to, h.content_length() );
        append_to( to, "\r\n" );
        break;
    case content_length_field_presence_t::skip_content_length:
        break;
    case content_length_field_presence_t::add_chunked_transfer_encoding:
        append_to( to, "Transfer-Encoding: chunked\r\n" );
        break;
    }

    h.for_each_field( [&to]( const http_header_field_t & f ) {
        append_to( to, f.name() );
        append_to( to, ": " );
        append_to( to, f.value() );
        append_to( to, "\r\n" );
    } );

    append_to( to, "\r\n" );
}

// The header as a new string. buffer_size, if not 0, is the capacity to reserve; otherwise an
// upper bound is computed from the header.
[[nodiscard]] inline std::string create_header_string(
    const http_response_header_t & h,
    content_length_field_presence_t content_length_field_presence =
        content_length_field_presence_t::add_content_length,
    std::size_t buffer_size = 0 )
{
    std::string result;
    result.reserve( 0 != buffer_size ? buffer_size : calculate_approx_buffer_size_for_header( h ) );
    append_header_string( result, h, content_length_field_presence );
    return result;
}

} // namespace impl

} // namespace restinio
