// HTTP status codes and status lines: http_status_code_t, the status_code:: constants,
// http_status_line_t and the status_*() helpers that pair a code with its reason phrase.
// A reason phrase with CR, LF or NUL is refused with exception_t (impl/header_field_syntax.hpp).
//
// Everything is generated from one X-macro, RESTINIO_HTTP_STATUS_MAP, in RESTinio's order
// (server.md, appendix C), with RESTinio's exact reason phrases. Unlike RESTinio, != and < on
// http_status_code_t compare the two operands (upstream compares an operand with itself).
#pragma once

#include <restinio/impl/header_field_syntax.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

namespace restinio
{

class http_status_code_t
{
public:
    constexpr http_status_code_t() noexcept = default;

    constexpr explicit http_status_code_t( std::uint16_t status_code ) noexcept
        : m_status_code{ status_code }
    {}

    [[nodiscard]] constexpr auto raw_code() const noexcept { return m_status_code; }

    constexpr bool operator==( const http_status_code_t & sc ) const noexcept
    {
        return m_status_code == sc.m_status_code;
    }
    constexpr bool operator!=( const http_status_code_t & sc ) const noexcept
    {
        return m_status_code != sc.m_status_code;
    }
    constexpr bool operator<( const http_status_code_t & sc ) const noexcept
    {
        return m_status_code < sc.m_status_code;
    }

private:
    std::uint16_t m_status_code{ 0 };
};

template< typename Char, typename Traits >
std::basic_ostream< Char, Traits > & operator<<(
    std::basic_ostream< Char, Traits > & to, const http_status_code_t & sc )
{
    return to << sc.raw_code();
}

// RESTINIO_GEN( status_code:: constant, helper function, code, reason phrase ).
#define RESTINIO_HTTP_STATUS_MAP( RESTINIO_GEN ) \
    RESTINIO_GEN( continue_, status_continue, 100, "Continue" ) \
    RESTINIO_GEN( switching_protocols, status_switching_protocols, 101, "Switching Protocols" ) \
    RESTINIO_GEN( ok, status_ok, 200, "OK" ) \
    RESTINIO_GEN( created, status_created, 201, "Created" ) \
    RESTINIO_GEN( accepted, status_accepted, 202, "Accepted" ) \
    RESTINIO_GEN( non_authoritative_information, status_non_authoritative_information, 203, "Non-Authoritative Information" ) \
    RESTINIO_GEN( no_content, status_no_content, 204, "No Content" ) \
    RESTINIO_GEN( reset_content, status_reset_content, 205, "Reset Content" ) \
    RESTINIO_GEN( partial_content, status_partial_content, 206, "Partial Content" ) \
    RESTINIO_GEN( multiple_choices, status_multiple_choices, 300, "Multiple Choices" ) \
    RESTINIO_GEN( moved_permanently, status_moved_permanently, 301, "Moved Permanently" ) \
    RESTINIO_GEN( found, status_found, 302, "Found" ) \
    RESTINIO_GEN( see_other, status_see_other, 303, "See Other" ) \
    RESTINIO_GEN( not_modified, status_not_modified, 304, "Not Modified" ) \
    RESTINIO_GEN( use_proxy, status_use_proxy, 305, "Use Proxy" ) \
    RESTINIO_GEN( temporary_redirect, status_temporary_redirect, 307, "Temporary Redirect" ) \
    RESTINIO_GEN( bad_request, status_bad_request, 400, "Bad Request" ) \
    RESTINIO_GEN( unauthorized, status_unauthorized, 401, "Unauthorized" ) \
    RESTINIO_GEN( payment_required, status_payment_required, 402, "Payment Required" ) \
    RESTINIO_GEN( forbidden, status_forbidden, 403, "Forbidden" ) \
    RESTINIO_GEN( not_found, status_not_found, 404, "Not Found" ) \
    RESTINIO_GEN( method_not_allowed, status_method_not_allowed, 405, "Method Not Allowed" ) \
    RESTINIO_GEN( not_acceptable, status_not_acceptable, 406, "Not Acceptable" ) \
    RESTINIO_GEN( proxy_authentication_required, status_proxy_authentication_required, 407, "Proxy Authentication Required" ) \
    RESTINIO_GEN( request_time_out, status_request_time_out, 408, "Request Timeout" ) \
    RESTINIO_GEN( conflict, status_conflict, 409, "Conflict" ) \
    RESTINIO_GEN( gone, status_gone, 410, "Gone" ) \
    RESTINIO_GEN( length_required, status_length_required, 411, "Length Required" ) \
    RESTINIO_GEN( precondition_failed, status_precondition_failed, 412, "Precondition Failed" ) \
    RESTINIO_GEN( payload_too_large, status_payload_too_large, 413, "Payload Too Large" ) \
    RESTINIO_GEN( uri_too_long, status_uri_too_long, 414, "URI Too Long" ) \
    RESTINIO_GEN( unsupported_media_type, status_unsupported_media_type, 415, "Unsupported Media Type" ) \
    RESTINIO_GEN( requested_range_not_satisfiable, status_requested_range_not_satisfiable, 416, "Requested Range Not Satisfiable" ) \
    RESTINIO_GEN( expectation_failed, status_expectation_failed, 417, "Expectation Failed" ) \
    RESTINIO_GEN( internal_server_error, status_internal_server_error, 500, "Internal Server Error" ) \
    RESTINIO_GEN( not_implemented, status_not_implemented, 501, "Not Implemented" ) \
    RESTINIO_GEN( bad_gateway, status_bad_gateway, 502, "Bad Gateway" ) \
    RESTINIO_GEN( service_unavailable, status_service_unavailable, 503, "Service Unavailable" ) \
    RESTINIO_GEN( gateway_time_out, status_gateway_time_out, 504, "Gateway Timeout" ) \
    RESTINIO_GEN( http_version_not_supported, status_http_version_not_supported, 505, "HTTP Version not supported" ) \
    RESTINIO_GEN( permanent_redirect, status_permanent_redirect, 308, "Permanent Redirect" ) \
    RESTINIO_GEN( processing, status_processing, 102, "Processing" ) \
    RESTINIO_GEN( multi_status, status_multi_status, 207, "Multi-Status" ) \
    RESTINIO_GEN( unprocessable_entity, status_unprocessable_entity, 422, "Unprocessable Entity" ) \
    RESTINIO_GEN( locked, status_locked, 423, "Locked" ) \
    RESTINIO_GEN( failed_dependency, status_failed_dependency, 424, "Failed Dependency" ) \
    RESTINIO_GEN( insufficient_storage, status_insufficient_storage, 507, "Insufficient Storage" ) \
    RESTINIO_GEN( precondition_required, status_precondition_required, 428, "Precondition Required" ) \
    RESTINIO_GEN( too_many_requests, status_too_many_requests, 429, "Too Many Requests" ) \
    RESTINIO_GEN( request_header_fields_too_large, status_request_header_fields_too_large, 431, "Request Header Fields Too Large" ) \
    RESTINIO_GEN( network_authentication_required, status_network_authentication_required, 511, "Network Authentication Required" )

namespace status_code
{

#define RESTINIO_HTTP_STATUS_CONSTANT_GEN( constant, function, code, reason ) \
    inline constexpr http_status_code_t constant{ code };
RESTINIO_HTTP_STATUS_MAP( RESTINIO_HTTP_STATUS_CONSTANT_GEN )
#undef RESTINIO_HTTP_STATUS_CONSTANT_GEN

} // namespace status_code

class http_status_line_t
{
public:
    http_status_line_t() = default;

    http_status_line_t( http_status_code_t sc, std::string reason_phrase )
        : m_status_code{ sc }
        , m_reason_phrase{ std::move( reason_phrase ) }
    {
        impl::check_reason_phrase( m_reason_phrase );
    }

    [[nodiscard]] http_status_code_t status_code() const noexcept { return m_status_code; }
    void status_code( http_status_code_t c ) noexcept { m_status_code = c; }

    [[nodiscard]] const std::string & reason_phrase() const noexcept { return m_reason_phrase; }
    void reason_phrase( std::string r )
    {
        impl::check_reason_phrase( r );
        m_reason_phrase = std::move( r );
    }

private:
    http_status_code_t m_status_code{ status_code::ok };
    std::string m_reason_phrase;
};

// Prints {code, reason}, e.g. {404, Not Found}.
inline std::ostream & operator<<( std::ostream & to, const http_status_line_t & sl )
{
    return to << '{' << sl.status_code().raw_code() << ", " << sl.reason_phrase() << '}';
}

#define RESTINIO_HTTP_STATUS_FUNC_GEN( constant, function, code, reason ) \
    inline http_status_line_t function() \
    { \
        return http_status_line_t{ status_code::constant, reason }; \
    }
RESTINIO_HTTP_STATUS_MAP( RESTINIO_HTTP_STATUS_FUNC_GEN )
#undef RESTINIO_HTTP_STATUS_FUNC_GEN

} // namespace restinio
