// libFuzzer target for impl::request_parser_t, the llhttp wrapper the HTTP connection feeds.
//
// Input layout: five limit bytes (URL, field name, field value, field count, body: a byte
// below 0x80 is that limit, 0x80 and up leaves it unlimited, so small limits are hit often),
// then the read sizes (input_reader_t::piece_sizes), then the wire. The wire is parsed three
// times, as the connection does (parse, take the request, parse the rest):
//   1. whole, with the limits;
//   2. in pieces of the read sizes, with the limits: the same requests must come out, ending
//      at the same offsets, with the same 100-continue requests and the same end (error
//      status, request left incomplete, bytes left after an upgrade);
//   3. whole, every limit at its maximum: it must give what run 1 gave, except that run 1 may stop
//      earlier with 413, 414 or 431, and only where the next request of run 3 breaks that
//      limit.
// Every request is checked against the limits and against what the parser promises its
// callers (chunks tile the body, the body has the declared length, names are tokens, ...).
#include <restinio/impl/request_parser.hpp>

#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace
{

using restinio::http_connection_header_t;
using restinio::incoming_http_msg_limits_t;
using restinio::impl::parsed_request_t;
using restinio::impl::request_parse_status_t;
using restinio::impl::request_parser_t;

// What one request gave the handler, and the sizes the limits apply to.
struct request_record_t
{
    std::string description;
    std::size_t end_offset;
    bool continue_requested;

    std::size_t target_size;
    std::size_t longest_name;
    std::size_t longest_value;
    std::size_t field_count;        // headers and trailers: one limit covers both
    std::uint64_t body_size;
    std::uint64_t content_length;

    bool operator==( const request_record_t & o ) const
    {
        return description == o.description && end_offset == o.end_offset &&
                continue_requested == o.continue_requested;
    }
};

struct outcome_t
{
    std::vector< request_record_t > requests;
    std::uint16_t error_status = 0;     // 0: no failure
    bool incomplete = false;            // the wire ended inside a request
    bool continue_pending = false;      // a 100-continue for a request that did not complete
    std::optional< std::size_t > upgrade_end;

    bool operator==( const outcome_t & o ) const
    {
        return requests == o.requests && error_status == o.error_status &&
                incomplete == o.incomplete && continue_pending == o.continue_pending &&
                upgrade_end == o.upgrade_end;
    }
};

bool
is_tchar( char c )
{
    // RFC 9110 5.6.2.
    return ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' ) ||
            std::string_view{ "!#$%&'*+-.^_`|~" }.find( c ) != std::string_view::npos;
}

bool
equals_ignoring_case( std::string_view a, std::string_view b )
{
    return a.size() == b.size() && std::equal( a.begin(), a.end(), b.begin(), []( char x, char y ) {
        return ( 'A' <= x && x <= 'Z' ? x + 32 : x ) == ( 'A' <= y && y <= 'Z' ? y + 32 : y );
    } );
}

void
describe_fields( const restinio::http_header_fields_t & fields, request_record_t & r )
{
    fields.for_each_field( [&]( const restinio::http_header_field_t & f ) {
        FUZZ_REQUIRE( !f.name().empty() );
        FUZZ_REQUIRE( std::all_of( f.name().begin(), f.name().end(), is_tchar ) );
        FUZZ_REQUIRE( f.value().find_first_of( std::string_view{ "\r\n\0", 3 } ) == std::string::npos );
        r.longest_name = std::max( r.longest_name, f.name().size() );
        r.longest_value = std::max( r.longest_value, f.value().size() );
        ++r.field_count;
        r.description += f.name();
        r.description += ':';
        r.description += f.value();
        r.description += '\n';
    } );
}

// Checks what the parser promises about one request and turns it into a record.
request_record_t
record_of( parsed_request_t & request, const incoming_http_msg_limits_t & limits )
{
    const auto & h = request.m_header;
    request_record_t r{};
    r.target_size = h.request_target().size();
    r.body_size = request.m_body.size();
    r.content_length = h.content_length();

    FUZZ_REQUIRE( 1 == h.http_major() && h.http_minor() <= 9 );
    FUZZ_REQUIRE( restinio::http_method_unknown() != h.method() );

    // The target is one token of the request line, split without loss into its parts.
    const std::string & target = h.request_target();
    FUZZ_REQUIRE( !target.empty() );
    FUZZ_REQUIRE( target.find_first_of( std::string_view{ " \r\n\0", 4 } ) == std::string::npos );
    const auto path = h.path();
    const auto query = h.query();
    const auto fragment = h.fragment();
    FUZZ_REQUIRE( path.data() == target.data() );
    FUZZ_REQUIRE( path.find_first_of( "?#" ) == std::string_view::npos );
    FUZZ_REQUIRE( query.find( '#' ) == std::string_view::npos );
    const bool has_query = path.size() != target.size() && '?' == target[ path.size() ];
    const bool has_fragment = target.find( '#' ) != std::string::npos;
    FUZZ_REQUIRE( path.size() + ( has_query ? 1 + query.size() : 0 ) +
            ( has_fragment ? 1 + fragment.size() : 0 ) == target.size() );

    r.description = std::string{ h.method().c_str() } + ' ' + target + " HTTP/1." +
            std::to_string( h.http_minor() ) + ' ' +
            std::to_string( static_cast< int >( h.connection() ) ) + " length=" +
            std::to_string( h.content_length() ) + '\n';
    describe_fields( h, r );
    r.description += "body=" + request.m_body + '\n';

    if( const auto * info = request.m_chunked_input_info.get() )
    {
        // Chunks tile the body, in order, none empty; a length can't come with chunking.
        FUZZ_REQUIRE( 0 == h.content_length() );
        std::size_t next = 0;
        for( const auto & c : info->chunks() )
        {
            FUZZ_REQUIRE( c.started_at() == next && 0 != c.size() );
            next += c.size();
            r.description += "chunk " + std::to_string( c.size() ) + '\n';
        }
        FUZZ_REQUIRE( next == request.m_body.size() );
        r.description += "trailers\n";
        describe_fields( info->trailing_fields(), r );
    }
    else
        FUZZ_REQUIRE( request.m_body.size() == h.content_length() );

    FUZZ_REQUIRE( r.target_size <= limits.max_url_size() );
    FUZZ_REQUIRE( r.longest_name <= limits.max_field_name_size() );
    FUZZ_REQUIRE( r.longest_value <= limits.max_field_value_size() );
    FUZZ_REQUIRE( r.field_count <= limits.max_field_count() );
    FUZZ_REQUIRE( r.body_size <= limits.max_body_size() );
    FUZZ_REQUIRE( r.content_length <= limits.max_body_size() );
    return r;
}

bool
asks_for_continue( const parsed_request_t & request )
{
    const auto & h = request.m_header;
    const bool has_body = request.m_chunked_input_info || 0 != h.content_length();
    const auto expect = h.opt_value_of( restinio::http_field_t::expect );
    return has_body && h.http_minor() >= 1 && expect && equals_ignoring_case( *expect, "100-continue" );
}

outcome_t
parse_wire(
    std::string_view wire,
    const incoming_http_msg_limits_t & limits,
    const std::vector< std::size_t > & piece_sizes )
{
    request_parser_t parser{ limits };
    outcome_t out;
    bool stopped = false;
    fuzz_support::for_each_piece( wire.size(), piece_sizes, [&]( std::size_t offset, std::size_t n ) {
        // An exact-size heap copy, so that ASan sees a read past the piece.
        const std::vector< char > piece( wire.begin() + offset, wire.begin() + offset + n );
        std::size_t at = 0;
        while( at < n )
        {
            const auto r = parser.parse( piece.data() + at, n - at );
            FUZZ_REQUIRE( r.consumed <= n - at );
            if( parser.take_continue_request() )
            {
                FUZZ_REQUIRE( !out.continue_pending );
                out.continue_pending = true;
            }
            if( request_parse_status_t::failed == r.status )
            {
                const auto status = parser.error_status();
                FUZZ_REQUIRE( 0 == r.consumed );
                FUZZ_REQUIRE( 400 == status || 413 == status || 414 == status || 431 == status ||
                        501 == status || 505 == status );
                // A failed parser stays failed.
                const auto again = parser.parse( piece.data() + at, n - at );
                FUZZ_REQUIRE( request_parse_status_t::failed == again.status && 0 == again.consumed );
                FUZZ_REQUIRE( parser.error_status() == status );
                out.error_status = status;
                stopped = true;
                return false;
            }
            if( request_parse_status_t::need_more == r.status )
            {
                FUZZ_REQUIRE( r.consumed == n - at );
                break;
            }
            // A request ends on one of its own bytes.
            FUZZ_REQUIRE( 0 != r.consumed );
            FUZZ_REQUIRE( !parser.in_request() );
            at += r.consumed;
            auto request = parser.take_request();
            FUZZ_REQUIRE( asks_for_continue( request ) == out.continue_pending );
            auto record = record_of( request, limits );
            record.end_offset = offset + at;
            record.continue_requested = std::exchange( out.continue_pending, false );
            out.requests.push_back( std::move( record ) );
            // What follows an upgrade request is not HTTP: the connection stops here.
            if( http_connection_header_t::upgrade == request.m_header.connection() )
            {
                out.upgrade_end = offset + at;
                stopped = true;
                return false;
            }
        }
        return true;
    } );
    if( !stopped )
        out.incomplete = parser.in_request();
    return out;
}

bool
is_limit_status( std::uint16_t status )
{
    return 413 == status || 414 == status || 431 == status;
}

// Whether a request that completed without limits breaks the limit that `status` stands for.
bool
breaks_limit( const request_record_t & r, const incoming_http_msg_limits_t & limits, std::uint16_t status )
{
    switch( status )
    {
    case 414:
        return r.target_size > limits.max_url_size();
    case 431:
        return r.longest_name > limits.max_field_name_size() ||
                r.longest_value > limits.max_field_value_size() ||
                r.field_count > limits.max_field_count();
    case 413:
        return r.body_size > limits.max_body_size() || r.content_length > limits.max_body_size();
    }
    return false;
}

std::size_t
limit_from( std::uint8_t b )
{
    return b < 0x80 ? b : std::numeric_limits< std::size_t >::max();
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    fuzz_support::input_reader_t input{ data, size };
    incoming_http_msg_limits_t limits;
    limits.max_url_size( limit_from( input.byte() ) )
            .max_field_name_size( limit_from( input.byte() ) )
            .max_field_value_size( limit_from( input.byte() ) )
            .max_field_count( limit_from( input.byte() ) );
    const std::uint8_t body_limit = input.byte();
    limits.max_body_size( body_limit < 0x80 ? body_limit : std::numeric_limits< std::uint64_t >::max() );
    const auto piece_sizes = input.piece_sizes();
    const std::string_view wire = input.rest();

    const outcome_t whole = parse_wire( wire, limits, {} );
    const outcome_t split = parse_wire( wire, limits, piece_sizes );
    FUZZ_REQUIRE( split == whole );

    // Limits only ever stop the parse, at the request that breaks one.
    const auto no_limits = incoming_http_msg_limits_t{}
            .max_url_size( std::numeric_limits< std::size_t >::max() )
            .max_field_name_size( std::numeric_limits< std::size_t >::max() )
            .max_field_value_size( std::numeric_limits< std::size_t >::max() )
            .max_field_count( std::numeric_limits< std::size_t >::max() )
            .max_body_size( std::numeric_limits< std::uint64_t >::max() );
    const outcome_t unlimited = parse_wire( wire, no_limits, {} );
    if( !is_limit_status( whole.error_status ) )
        FUZZ_REQUIRE( whole == unlimited );
    else
    {
        const std::size_t n = whole.requests.size();
        FUZZ_REQUIRE( unlimited.requests.size() >= n );
        FUZZ_REQUIRE( std::equal( whole.requests.begin(), whole.requests.end(), unlimited.requests.begin() ) );
        if( unlimited.requests.size() > n )
            FUZZ_REQUIRE( breaks_limit( unlimited.requests[ n ], limits, whole.error_status ) );
    }
    return 0;
}
