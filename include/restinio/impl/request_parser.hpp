// An incremental HTTP/1.x request parser on llhttp: bytes in, one complete request out.
//
// It stops after each request (so pipelined requests are handled one at a time and the bytes
// after an upgrade request stay with the caller, for the WebSocket), enforces the incoming
// message limits as the bytes arrive (keeping no byte over a limit; a URL, field name or value
// over one is answered when it ends, so the status does not depend on how reads split it), and
// reports a bad request as the HTTP status to answer it with. No I/O: the connection feeds it,
// the unit tests feed it byte by byte.
#pragma once

#include <restinio/http_headers.hpp>
#include <restinio/incoming_http_msg_limits.hpp>
#include <restinio/impl/request_target.hpp>
#include <restinio/request_handler.hpp>

#include <llhttp.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace restinio
{
namespace impl
{

// Whatever the per-field limits say, the request line and header section of one request never
// take more than this many bytes on the wire: every byte from the end of the previous request
// (empty lines before a request line included) to the blank line that ends the header, with
// every separator, whitespace and CRLF. Field lines in a chunked body's trailer section count
// too. Counting wire bytes rather than names and values keeps a flood of empty fields (`a:`) or of
// whitespace from costing more than its own size; the field count limit bounds the per-field
// bookkeeping.
constexpr std::size_t max_header_section_size = 1024 * 1024;

// The least a field line takes on the wire besides its name and value: ':' and CRLF.
constexpr std::size_t min_field_line_overhead = 3;

enum class request_parse_status_t : std::uint8_t
{
    need_more,          // everything given was consumed; the request is not complete yet
    request_ready,      // a request is complete: take_request(); `consumed` stops after it
    failed              // not a valid request: answer error_status() and close
};

struct request_parse_result_t
{
    std::size_t consumed;
    request_parse_status_t status;
};

struct parsed_request_t
{
    http_request_header_t m_header;
    std::string m_body;
    chunked_input_info_unique_ptr_t m_chunked_input_info;
};

class request_parser_t
{
public:
    explicit request_parser_t( const incoming_http_msg_limits_t & limits ) noexcept
        : m_limits{ limits }
    {
        llhttp_settings_init( &m_settings );
        m_settings.on_message_begin = &request_parser_t::on_message_begin;
        m_settings.on_url = &request_parser_t::on_url;
        m_settings.on_url_complete = &request_parser_t::on_element_complete;
        m_settings.on_header_field = &request_parser_t::on_header_field;
        m_settings.on_header_field_complete = &request_parser_t::on_header_field_complete;
        m_settings.on_header_value = &request_parser_t::on_header_value;
        m_settings.on_header_value_complete = &request_parser_t::on_header_value_complete;
        m_settings.on_headers_complete = &request_parser_t::on_headers_complete;
        m_settings.on_body = &request_parser_t::on_body;
        m_settings.on_chunk_header = &request_parser_t::on_chunk_header;
        m_settings.on_message_complete = &request_parser_t::on_message_complete;
        llhttp_init( &m_parser, HTTP_REQUEST, &m_settings );
        m_parser.data = this;
    }

    request_parser_t( const request_parser_t & ) = delete;
    request_parser_t & operator=( const request_parser_t & ) = delete;

    [[nodiscard]] request_parse_result_t parse( const char * data, std::size_t size ) noexcept
    {
        if( m_failed )
            return { 0, request_parse_status_t::failed };

        std::size_t header_bytes = 0;
        if( !m_headers_done )
        {
            // The header section is fed no further than the cap, so that its size on the wire
            // is known exactly; on_headers_complete pauses the parser where it ends.
            const std::size_t budget = max_header_section_size - m_header_section_size;
            const std::size_t fed = std::min( size, budget );
            const llhttp_errno_t err = llhttp_execute( &m_parser, data, fed );
            if( HPE_OK == err )
            {
                m_header_section_size += fed;
                if( fed == size )
                    return { size, request_parse_status_t::need_more };
                m_error_status = 431;
                return failure();
            }
            if( HPE_PAUSED != err || !m_headers_done )
                return failure();
            header_bytes = static_cast< std::size_t >( llhttp_get_error_pos( &m_parser ) - data );
            m_header_section_size += header_bytes;
            llhttp_resume( &m_parser );
        }

        const llhttp_errno_t err = llhttp_execute( &m_parser, data + header_bytes, size - header_bytes );
        if( HPE_OK == err )
            return { size, request_parse_status_t::need_more };

        if( HPE_PAUSED == err && m_request_complete )
        {
            const auto consumed = static_cast< std::size_t >( llhttp_get_error_pos( &m_parser ) - data );
            // An upgrade request ends the HTTP stream: what follows is another protocol's.
            if( http_connection_header_t::upgrade != m_request.m_header.connection() )
                llhttp_resume( &m_parser );
            return { consumed, request_parse_status_t::request_ready };
        }
        return failure();
    }

    [[nodiscard]] parsed_request_t take_request() noexcept
    {
        m_request_complete = false;
        return std::move( m_request );
    }

    // The HTTP status to answer a failed request with: 400, 413, 414, 431, 500, 501 or 505.
    [[nodiscard]] std::uint16_t error_status() const noexcept { return m_error_status; }

    // True once per request that asked for `Expect: 100-continue` and has a body to send.
    [[nodiscard]] bool take_continue_request() noexcept
    {
        return std::exchange( m_continue_requested, false );
    }

    // True while a request has begun but not ended (the peer is in the middle of sending one).
    [[nodiscard]] bool in_request() const noexcept { return m_in_request; }

private:
    static request_parser_t & self( llhttp_t * p ) noexcept
    {
        return *static_cast< request_parser_t * >( p->data );
    }

    int fail( std::uint16_t status ) noexcept
    {
        m_error_status = status;
        return -1;
    }

    [[nodiscard]] request_parse_result_t failure() noexcept
    {
        m_failed = true;
        if( 0 == m_error_status )
            m_error_status = 400;
        return { 0, request_parse_status_t::failed };
    }

    // The trailer section is counted by its fields, as the least room they take on the wire;
    // the header section is counted by parse() as it is fed.
    bool trailer_grows( std::size_t by ) noexcept
    {
        if( !m_headers_done )
            return true;
        m_header_section_size += by;
        return m_header_section_size <= max_header_section_size;
    }

    // Whether `length` more bytes of the element being read (URL, field name or value), now
    // `size` bytes, stay within `limit` and the header section cap. If not, the element's
    // bytes are no longer kept and `status` is answered when it ends: llhttp hands over an
    // element in pieces when reads split it but rejects a malformed one before handing it over
    // whole, so failing on a piece would answer 414/431 or 400 depending on the reads.
    bool element_may_grow( std::size_t size, std::size_t length, std::size_t limit, std::uint16_t status ) noexcept
    {
        if( 0 == m_element_status && size + length > limit )
            m_element_status = status;
        else if( 0 == m_element_status && !trailer_grows( length ) )
            m_element_status = 431;
        return 0 == m_element_status;
    }

    static int on_element_complete( llhttp_t * p ) noexcept
    {
        auto & s = self( p );
        return 0 == s.m_element_status ? 0 : s.fail( s.m_element_status );
    }

    static int on_message_begin( llhttp_t * p ) noexcept
    {
        auto & s = self( p );
        s.m_request = parsed_request_t{};
        s.m_field_name.clear();
        s.m_field_value.clear();
        s.m_field_count = 0;
        s.m_host_count = 0;
        s.m_in_request = true;
        s.m_chunks.clear();
        // Trailers went into the last chunked request's info; a new field list (an allocation)
        // is needed only if some were left behind.
        if( 0 != s.m_trailing_fields.fields_count() )
            s.m_trailing_fields = http_header_fields_t{};
        return 0;
    }

    static int on_url( llhttp_t * p, const char * at, std::size_t length ) noexcept
    {
        auto & s = self( p );
        if( !s.element_may_grow( s.m_request.m_header.request_target().size(), length,
                s.m_limits.max_url_size(), 414 ) )
            return 0;
        try { s.m_request.m_header.append_request_target( at, length ); }
        catch( ... ) { return s.fail( 500 ); }
        return 0;
    }

    static int on_header_field( llhttp_t * p, const char * at, std::size_t length ) noexcept
    {
        auto & s = self( p );
        if( !s.element_may_grow( s.m_field_name.size(), length, s.m_limits.max_field_name_size(), 431 ) )
            return 0;
        try { s.m_field_name.append( at, length ); }
        catch( ... ) { return s.fail( 500 ); }
        return 0;
    }

    static int on_header_field_complete( llhttp_t * p ) noexcept
    {
        if( const int r = on_element_complete( p ); 0 != r )
            return r;
        // RFC 9110 5.1: a field name is a token, so never empty; llhttp 8 lets ": x" through.
        auto & s = self( p );
        return s.m_field_name.empty() ? s.fail( 400 ) : 0;
    }

    static int on_header_value( llhttp_t * p, const char * at, std::size_t length ) noexcept
    {
        auto & s = self( p );
        if( !s.element_may_grow( s.m_field_value.size(), length, s.m_limits.max_field_value_size(), 431 ) )
            return 0;
        try { s.m_field_value.append( at, length ); }
        catch( ... ) { return s.fail( 500 ); }
        return 0;
    }

    static int on_header_value_complete( llhttp_t * p ) noexcept
    {
        auto & s = self( p );
        if( const int r = on_element_complete( p ); 0 != r )
            return r;
        if( ++s.m_field_count > s.m_limits.max_field_count()
            || !s.trailer_grows( min_field_line_overhead ) )
            return s.fail( 431 );
        try
        {
            auto & fields = s.m_headers_done
                    ? s.m_trailing_fields
                    : static_cast< http_header_fields_t & >( s.m_request.m_header );
            if( !s.m_headers_done && impl::equal_ignoring_ascii_case( s.m_field_name, "host" ) )
                ++s.m_host_count;
            fields.add_field( std::move( s.m_field_name ), std::move( s.m_field_value ) );
        }
        catch( ... ) { return s.fail( 500 ); }
        s.m_field_name.clear();
        s.m_field_value.clear();
        return 0;
    }

    static int on_headers_complete( llhttp_t * p ) noexcept
    {
        auto & s = self( p );
        auto & h = s.m_request.m_header;
        s.m_headers_done = true;
        // Only HTTP/1.x speaks this syntax: "HTTP/2.0" in a request line, or a version-less
        // HTTP/0.9 line, is not something to answer as if it were 1.1.
        if( 1 != p->http_major )
            return s.fail( 505 );
        h.method( default_http_methods_t::from_nodejs( p->method ) );
        h.http_major( p->http_major );
        h.http_minor( p->http_minor );
        if( const auto status = s.check_host_and_target( p->method ) )
            return s.fail( status );

        const bool has_content_length = 0 != ( p->flags & F_CONTENT_LENGTH );
        if( has_content_length )
        {
            if( p->content_length > s.m_limits.max_body_size() )
                return s.fail( 413 );
            h.content_length( p->content_length );
        }

        if( p->upgrade )
            h.connection( http_connection_header_t::upgrade );
        else
            h.should_keep_alive( 0 != llhttp_should_keep_alive( p ) );

        const bool has_body = 0 != ( p->flags & F_CHUNKED ) || p->content_length > 0;
        if( has_body && h.http_major() == 1 && h.http_minor() >= 1 )
        {
            if( const auto expect = h.opt_value_of( http_field_t::expect ) )
                s.m_continue_requested = impl::equal_ignoring_ascii_case( *expect, "100-continue" );
        }

        // A declared body is taken in gradually: a length alone reserves at most 1 MiB.
        if( has_content_length )
        {
            try { s.m_request.m_body.reserve( std::min< std::uint64_t >( p->content_length, 1024 * 1024 ) ); }
            catch( ... ) { return s.fail( 500 ); }
        }
        // parse() takes the header section's size on the wire from where this stops.
        return HPE_PAUSED;
    }

    // RFC 9112 3.2: an HTTP/1.1 request has exactly one Host field, and any request at most
    // one, with a valid value. An absolute-form target is turned into the origin-form that
    // routes see, and its authority replaces the Host field's value (RFC 9112 3.2.2: the server
    // MUST ignore the received Host); an HTTP/1.1 request still needs a Host field to be valid.
    // "*" is for OPTIONS alone (3.2.4); CONNECT (3.2.3) asks for a tunnel, which an origin
    // server does not provide: 501. Returns the status to fail with, or 0.
    [[nodiscard]] std::uint16_t check_host_and_target( unsigned method ) noexcept
    {
        auto & h = m_request.m_header;
        if( m_host_count > 1 || ( 0 == m_host_count && h.http_minor() >= 1 ) )
            return 400;
        if( 1 == m_host_count && !is_valid_host( *h.opt_value_of( http_field_t::host ) ) )
            return 400;
        if( HTTP_CONNECT == method )
            return 501;

        const auto & target = h.request_target();
        if( !target.empty() && '/' == target[ 0 ] )
            return 0;
        if( "*" == target )
            return HTTP_OPTIONS == method ? 0 : 400;
        const auto absolute = split_absolute_form( target );
        if( !absolute )
            return 400;
        try
        {
            h.set_field( http_field_t::host, std::string{ absolute->m_authority } );
            std::string origin_form;
            if( absolute->m_path_and_query.empty() || '/' != absolute->m_path_and_query[ 0 ] )
                origin_form = "/";
            origin_form.append( absolute->m_path_and_query.data(), absolute->m_path_and_query.size() );
            h.request_target( std::move( origin_form ) );
        }
        catch( ... ) { return 500; }
        return 0;
    }

    static int on_body( llhttp_t * p, const char * at, std::size_t length ) noexcept
    {
        auto & s = self( p );
        auto & body = s.m_request.m_body;
        if( body.size() + length > s.m_limits.max_body_size() )
            return s.fail( 413 );
        try { body.append( at, length ); }
        catch( ... ) { return s.fail( 500 ); }
        return 0;
    }

    static int on_chunk_header( llhttp_t * p ) noexcept
    {
        auto & s = self( p );
        const auto & body = s.m_request.m_body;
        if( p->content_length > s.m_limits.max_body_size() - body.size() )
            return s.fail( 413 );
        if( 0 != p->content_length )
        {
            try { s.m_chunks.emplace_back( body.size(), static_cast< std::size_t >( p->content_length ) ); }
            catch( ... ) { return s.fail( 500 ); }
        }
        return 0;
    }

    static int on_message_complete( llhttp_t * p ) noexcept
    {
        auto & s = self( p );
        if( 0 != ( p->flags & F_CHUNKED ) )
        {
            try
            {
                s.m_request.m_chunked_input_info = std::make_unique< chunked_input_info_t >(
                        std::move( s.m_chunks ), std::move( s.m_trailing_fields ) );
            }
            catch( ... ) { return s.fail( 500 ); }
        }
        s.m_request_complete = true;
        s.m_in_request = false;
        s.m_headers_done = false;
        s.m_header_section_size = 0;
        return HPE_PAUSED;
    }

    const incoming_http_msg_limits_t m_limits;
    llhttp_settings_t m_settings;
    llhttp_t m_parser;

    parsed_request_t m_request;
    std::string m_field_name;
    std::string m_field_value;
    std::vector< chunk_info_t > m_chunks;
    http_header_fields_t m_trailing_fields;
    std::size_t m_field_count{ 0 };
    std::size_t m_host_count{ 0 };
    std::size_t m_header_section_size{ 0 };
    std::uint16_t m_error_status{ 0 };
    std::uint16_t m_element_status{ 0 };    // what the element being read will be answered with
    bool m_headers_done{ false };
    bool m_request_complete{ false };
    bool m_continue_requested{ false };
    bool m_in_request{ false };
    bool m_failed{ false };
};

} // namespace impl
} // namespace restinio
