// impl/request_target.hpp: which Host values are a uri-host with an optional port, and how an
// absolute-form request target splits into its authority and its origin-form part.
#include <restinio/impl/request_target.hpp>

#include <catch2/catch.hpp>

#include <string>

using restinio::impl::is_valid_host;
using restinio::impl::split_absolute_form;

TEST_CASE( "is_valid_host: uri-host [ \":\" port ] (RFC 9110 7.2)", "[http][host]" )
{
    struct row_t { const char * host; bool valid; };
    const row_t rows[] = {
        { "", true }, { "example.com", true }, { "example.com:8080", true }, { "example.com:", true },
        { "127.0.0.1", true }, { "[::1]", true }, { "[::1]:80", true }, { "[v1.fe80::a+en1]", true },
        { "xn--bcher-kva.example", true }, { "a%2Fb", true }, { "sub-delims!$&'()*+,;=", true },
        { "a b", false }, { "a/b", false }, { "a?b", false }, { "a#b", false }, { "u@a", false },
        { "a:8o", false }, { "a:80:80", false }, { "a%2", false }, { "a%zz", false }, { "[::1", false },
        { "[]", false }, { "[::1]x", false }, { "[::1]:8x", false }, { "a\\b", false }, { "\xC3\xA9", false },
    };
    for( const auto & row : rows )
    {
        INFO( '"' << row.host << '"' );
        CHECK( is_valid_host( row.host ) == row.valid );
    }
}

TEST_CASE( "split_absolute_form: http and https URIs with a host, no userinfo", "[http][target]" )
{
    struct row_t { const char * target; const char * authority; const char * rest; };
    const row_t rows[] = {
        { "http://example.com/a?b", "example.com", "/a?b" },
        { "HtTpS://example.com:443", "example.com:443", "" },
        { "http://example.com?q", "example.com", "?q" },
        { "http://[::1]:8080/x", "[::1]:8080", "/x" },
        { "http://example.com#f", "example.com", "#f" },
        { "ftp://example.com/a", nullptr, nullptr },
        { "httpx://example.com/a", nullptr, nullptr },
        { "http:/example.com/a", nullptr, nullptr },
        { "http:///a", nullptr, nullptr },
        { "http://:80/a", nullptr, nullptr },
        { "http://user@example.com/a", nullptr, nullptr },
        { "http://exa mple.com/a", nullptr, nullptr },
        { "example.com:80", nullptr, nullptr },
        { "/a", nullptr, nullptr },
    };
    for( const auto & row : rows )
    {
        INFO( row.target );
        const auto parts = split_absolute_form( row.target );
        if( !row.authority )
        {
            CHECK_FALSE( parts );
            continue;
        }
        REQUIRE( parts );
        CHECK( parts->m_authority == row.authority );
        CHECK( parts->m_path_and_query == row.rest );
    }
}
