// Limits on an incoming HTTP request: URL, field name and value sizes, field count, body size.
// All unlimited by default, as in RESTinio, except the field count. A request over a limit is
// answered with 414/431/413 and the connection is closed: memory stays bounded whatever the
// peer sends. The header section is also capped at 1 MiB on the wire whatever these say
// (impl/request_parser.hpp).
#pragma once

#include <cstdint>
#include <cstddef>
#include <limits>
#include <utility>

namespace restinio
{

class incoming_http_msg_limits_t
{
public:
    incoming_http_msg_limits_t() noexcept = default;

    [[nodiscard]] std::size_t max_url_size() const noexcept { return m_max_url_size; }
    incoming_http_msg_limits_t & max_url_size( std::size_t v ) & noexcept { m_max_url_size = v; return *this; }
    incoming_http_msg_limits_t && max_url_size( std::size_t v ) && noexcept { return std::move( max_url_size( v ) ); }

    [[nodiscard]] std::size_t max_field_name_size() const noexcept { return m_max_field_name_size; }
    incoming_http_msg_limits_t & max_field_name_size( std::size_t v ) & noexcept { m_max_field_name_size = v; return *this; }
    incoming_http_msg_limits_t && max_field_name_size( std::size_t v ) && noexcept { return std::move( max_field_name_size( v ) ); }

    [[nodiscard]] std::size_t max_field_value_size() const noexcept { return m_max_field_value_size; }
    incoming_http_msg_limits_t & max_field_value_size( std::size_t v ) & noexcept { m_max_field_value_size = v; return *this; }
    incoming_http_msg_limits_t && max_field_value_size( std::size_t v ) && noexcept { return std::move( max_field_value_size( v ) ); }

    [[nodiscard]] std::size_t max_field_count() const noexcept { return m_max_field_count; }
    incoming_http_msg_limits_t & max_field_count( std::size_t v ) & noexcept { m_max_field_count = v; return *this; }
    incoming_http_msg_limits_t && max_field_count( std::size_t v ) && noexcept { return std::move( max_field_count( v ) ); }

    [[nodiscard]] std::uint64_t max_body_size() const noexcept { return m_max_body_size; }
    incoming_http_msg_limits_t & max_body_size( std::uint64_t v ) & noexcept { m_max_body_size = v; return *this; }
    incoming_http_msg_limits_t && max_body_size( std::uint64_t v ) && noexcept { return std::move( max_body_size( v ) ); }

private:
    // Not unlimited, unlike RESTinio: 8 KiB is nginx's limit for a request line. The express
    // router's default engine is linear in the path's length, but a router on
    // std_regex_engine_t recurses per path byte (a 300,000-byte path overflowed an 8 MiB
    // stack), so a server that raises this limit should not route with std::regex.
    std::size_t m_max_url_size{ 8u * 1024u };
    std::size_t m_max_field_name_size{ std::numeric_limits< std::size_t >::max() };
    std::size_t m_max_field_value_size{ std::numeric_limits< std::size_t >::max() };
    // Not unlimited, unlike RESTinio: each field costs about 100 bytes of bookkeeping on top of
    // its text, so within the 1 MiB header cap a flood of empty fields ("a:", 4 bytes on the
    // wire) would cost 25 times what was sent. 100 is Apache's LimitRequestFields; browsers
    // send 10 to 20. Fields of a chunked body's trailer section count too.
    std::size_t m_max_field_count{ 100 };
    std::uint64_t m_max_body_size{ std::numeric_limits< std::uint64_t >::max() };
};

} // namespace restinio
