// http_method_id_t and the http_method_*() functions: the request methods the router and the
// parser talk about.
//
// A method is a (raw id, name) pair. The raw ids equal llhttp's llhttp_method_t values (and
// those of nodejs http_parser, which agree for all 33), so the parser's number maps straight to
// a method through default_http_methods_t::from_nodejs(). The method list is one X-macro,
// RESTINIO_HTTP_METHOD_MAP, from which the functions and from_nodejs() are both generated.
#pragma once

#include <ostream>

namespace restinio
{

class http_method_id_t
{
public:
    static constexpr const int unknown_method = -1;

    constexpr http_method_id_t() noexcept
        : m_value{ unknown_method }
        , m_name{ "<undefined>" }
    {}

    constexpr http_method_id_t( int value, const char * name ) noexcept
        : m_value{ value }
        , m_name{ name }
    {}

    [[nodiscard]] constexpr auto raw_id() const noexcept { return m_value; }
    [[nodiscard]] constexpr const char * c_str() const noexcept { return m_name; }

    // Methods compare by raw id only: the name is a label for it.
    friend constexpr bool operator==( const http_method_id_t & a, const http_method_id_t & b ) noexcept
    {
        return a.raw_id() == b.raw_id();
    }
    friend constexpr bool operator!=( const http_method_id_t & a, const http_method_id_t & b ) noexcept
    {
        return a.raw_id() != b.raw_id();
    }
    friend constexpr bool operator<( const http_method_id_t & a, const http_method_id_t & b ) noexcept
    {
        return a.raw_id() < b.raw_id();
    }

private:
    int m_value;
    const char * m_name;
};

inline std::ostream & operator<<( std::ostream & to, const http_method_id_t & m )
{
    return to << m.c_str();
}

// RESTINIO_GEN( function suffix, llhttp raw id, method token ), in llhttp's order.
// llhttp's SOURCE (33) is left out, as in RESTinio.
#define RESTINIO_HTTP_METHOD_MAP( RESTINIO_GEN ) \
    RESTINIO_GEN( delete, 0, "DELETE" ) \
    RESTINIO_GEN( get, 1, "GET" ) \
    RESTINIO_GEN( head, 2, "HEAD" ) \
    RESTINIO_GEN( post, 3, "POST" ) \
    RESTINIO_GEN( put, 4, "PUT" ) \
    RESTINIO_GEN( connect, 5, "CONNECT" ) \
    RESTINIO_GEN( options, 6, "OPTIONS" ) \
    RESTINIO_GEN( trace, 7, "TRACE" ) \
    RESTINIO_GEN( copy, 8, "COPY" ) \
    RESTINIO_GEN( lock, 9, "LOCK" ) \
    RESTINIO_GEN( mkcol, 10, "MKCOL" ) \
    RESTINIO_GEN( move, 11, "MOVE" ) \
    RESTINIO_GEN( propfind, 12, "PROPFIND" ) \
    RESTINIO_GEN( proppatch, 13, "PROPPATCH" ) \
    RESTINIO_GEN( search, 14, "SEARCH" ) \
    RESTINIO_GEN( unlock, 15, "UNLOCK" ) \
    RESTINIO_GEN( bind, 16, "BIND" ) \
    RESTINIO_GEN( rebind, 17, "REBIND" ) \
    RESTINIO_GEN( unbind, 18, "UNBIND" ) \
    RESTINIO_GEN( acl, 19, "ACL" ) \
    RESTINIO_GEN( report, 20, "REPORT" ) \
    RESTINIO_GEN( mkactivity, 21, "MKACTIVITY" ) \
    RESTINIO_GEN( checkout, 22, "CHECKOUT" ) \
    RESTINIO_GEN( merge, 23, "MERGE" ) \
    RESTINIO_GEN( msearch, 24, "M-SEARCH" ) \
    RESTINIO_GEN( notify, 25, "NOTIFY" ) \
    RESTINIO_GEN( subscribe, 26, "SUBSCRIBE" ) \
    RESTINIO_GEN( unsubscribe, 27, "UNSUBSCRIBE" ) \
    RESTINIO_GEN( patch, 28, "PATCH" ) \
    RESTINIO_GEN( purge, 29, "PURGE" ) \
    RESTINIO_GEN( mkcalendar, 30, "MKCALENDAR" ) \
    RESTINIO_GEN( link, 31, "LINK" ) \
    RESTINIO_GEN( unlink, 32, "UNLINK" )

#define RESTINIO_HTTP_METHOD_FUNC_GEN( suffix, raw_id, token ) \
    [[nodiscard]] inline constexpr http_method_id_t http_method_##suffix() noexcept \
    { \
        return http_method_id_t{ raw_id, token }; \
    }
RESTINIO_HTTP_METHOD_MAP( RESTINIO_HTTP_METHOD_FUNC_GEN )
#undef RESTINIO_HTTP_METHOD_FUNC_GEN

[[nodiscard]] inline constexpr http_method_id_t http_method_unknown() noexcept
{
    return http_method_id_t{};
}

// Maps the parser's method number to a method; anything not in the list is unknown.
class default_http_methods_t
{
public:
    [[nodiscard]] static constexpr http_method_id_t from_nodejs( int value ) noexcept
    {
        switch( value )
        {
#define RESTINIO_HTTP_METHOD_CASE_GEN( suffix, raw_id, token ) \
        case raw_id: return http_method_##suffix();
        RESTINIO_HTTP_METHOD_MAP( RESTINIO_HTTP_METHOD_CASE_GEN )
#undef RESTINIO_HTTP_METHOD_CASE_GEN
        default: break;
        }
        return http_method_unknown();
    }
};

} // namespace restinio
