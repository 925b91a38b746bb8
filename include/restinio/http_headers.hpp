// HTTP message headers: a field, the ordered list of fields, and the request and response
// headers built on it, plus the Date field's value format.
//
// http_header_fields_t keeps fields in insertion order (responses are written in that order)
// and matches names ignoring ASCII case. http_header_common_t adds what the protocol layer keeps
// as typed members rather than fields: the HTTP version, Content-Length and the Connection
// decision. Field ids, methods and status lines live in their own headers, included here, so
// that including this one header gives the whole vocabulary, as in RESTinio.
#pragma once

#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/http_field.hpp>
#include <restinio/http_method.hpp>
#include <restinio/http_status.hpp>
#include <restinio/impl/header_field_syntax.hpp>
#include <restinio/string_view.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#if !defined( RESTINIO_HEADER_FIELDS_DEFAULT_RESERVE_COUNT )
    // Most requests and responses carry a handful of fields; reserving a few saves the first
    // reallocations without making an empty header expensive.
    #define RESTINIO_HEADER_FIELDS_DEFAULT_RESERVE_COUNT 4
#endif

namespace restinio
{

//
// http_header_field_t
//

// One field: its name as given, its value, and the id derived from the name (or the name
// derived from the id), kept in step by every setter. Every setter refuses, with exception_t, a
// name that is not a token and a value with CR, LF or NUL (impl/header_field_syntax.hpp): such a
// field would write lines of its own on the wire.
class http_header_field_t
{
public:
    http_header_field_t()
        : m_field_id{ http_field_t::field_unspecified }
    {}

    http_header_field_t( std::string name, std::string value )
        : m_name{ checked_name( std::move( name ) ) }
        , m_value{ checked_value( std::move( value ) ) }
        , m_field_id{ string_to_field( m_name ) }
    {}

    http_header_field_t( string_view_t name, string_view_t value )
        : http_header_field_t{ std::string{ name }, std::string{ value } }
    {}

    http_header_field_t( http_field_t field_id, std::string value )
        : m_name{ name_of( field_id ) }
        , m_value{ checked_value( std::move( value ) ) }
        , m_field_id{ field_id }
    {}

    http_header_field_t( http_field_t field_id, string_view_t value )
        : http_header_field_t{ field_id, std::string{ value } }
    {}

    [[nodiscard]] const std::string & name() const noexcept { return m_name; }
    void name( std::string n )
    {
        m_name = checked_name( std::move( n ) );
        m_field_id = string_to_field( m_name );
    }

    [[nodiscard]] const std::string & value() const noexcept { return m_value; }
    void value( std::string v ) { m_value = checked_value( std::move( v ) ); }
    void append_value( string_view_t v )
    {
        impl::check_field_value( v );
        m_value.append( v.data(), v.size() );
    }

    [[nodiscard]] http_field_t field_id() const noexcept { return m_field_id; }
    void field_id( http_field_t field_id )
    {
        m_name = name_of( field_id );
        m_field_id = field_id;
    }

private:
    static std::string checked_name( std::string name )
    {
        impl::check_field_name( name );
        return name;
    }
    static std::string checked_value( std::string value )
    {
        impl::check_field_value( value );
        return value;
    }
    // field_unspecified has no name to write.
    static std::string name_of( http_field_t field_id )
    {
        return checked_name( std::string{ field_to_string( field_id ) } );
    }

    std::string m_name;
    std::string m_value;
    http_field_t m_field_id;
};

//
// http_header_fields_t
//

// The fields of a message, in insertion order. Name lookups ignore ASCII case; id lookups never
// match field_unspecified, since that id stands for many different names.
class http_header_fields_t
{
public:
    using fields_container_t = std::vector< http_header_field_t >;
    using const_iterator = fields_container_t::const_iterator;

    enum class handling_result_t
    {
        continue_enumeration,
        stop_enumeration
    };

    static constexpr handling_result_t continue_enumeration() noexcept
    {
        return handling_result_t::continue_enumeration;
    }
    static constexpr handling_result_t stop_enumeration() noexcept
    {
        return handling_result_t::stop_enumeration;
    }

    http_header_fields_t()
    {
        m_fields.reserve( RESTINIO_HEADER_FIELDS_DEFAULT_RESERVE_COUNT );
    }
    http_header_fields_t( const http_header_fields_t & ) = default;
    http_header_fields_t( http_header_fields_t && ) = default;
    http_header_fields_t & operator=( const http_header_fields_t & ) = default;
    http_header_fields_t & operator=( http_header_fields_t && ) = default;
    virtual ~http_header_fields_t() = default;

    void swap_fields( http_header_fields_t & other ) { std::swap( m_fields, other.m_fields ); }

    [[nodiscard]] bool has_field( string_view_t field_name ) const noexcept
    {
        return find( field_name ) != m_fields.end();
    }
    [[nodiscard]] bool has_field( http_field_t field_id ) const noexcept
    {
        return find( field_id ) != m_fields.end();
    }

    // Replaces the value (and the spelling of the name) of the first match, or appends.
    void set_field( http_header_field_t field )
    {
        const auto it = find( string_view_t{ field.name() } );
        if( it != m_fields.end() )
            *it = std::move( field );
        else
            m_fields.push_back( std::move( field ) );
    }

    void set_field( std::string field_name, std::string field_value )
    {
        set_field( http_header_field_t{ std::move( field_name ), std::move( field_value ) } );
    }

    // A no-op for field_unspecified: there is no name to give the field.
    void set_field( http_field_t field_id, std::string field_value )
    {
        if( field_id == http_field_t::field_unspecified )
            return;
        const auto it = find( field_id );
        if( it != m_fields.end() )
            it->value( std::move( field_value ) );
        else
            m_fields.emplace_back( field_id, std::move( field_value ) );
    }

    // Always appends, even when a field of that name exists (RESTinio 0.6.9 and later).
    void add_field( http_field_t field_id, std::string field_value )
    {
        m_fields.emplace_back( field_id, std::move( field_value ) );
    }
    void add_field( std::string field_name, std::string field_value )
    {
        m_fields.emplace_back( std::move( field_name ), std::move( field_value ) );
    }
    void add_field( http_header_field_t field ) { m_fields.push_back( std::move( field ) ); }

    // Appends text to the value of the first match (the parser delivers values in pieces), or
    // adds the field.
    void append_field( string_view_t field_name, string_view_t field_value )
    {
        const auto it = find( field_name );
        if( it != m_fields.end() )
            it->append_value( field_value );
        else
            m_fields.emplace_back( field_name, field_value );
    }
    void append_field( http_field_t field_id, string_view_t field_value )
    {
        const auto it = find( field_id );
        if( it != m_fields.end() )
            it->append_value( field_value );
        else
            m_fields.emplace_back( field_id, field_value );
    }

    // Throws exception_t "field '<name>' doesn't exist".
    [[nodiscard]] const std::string & get_field( string_view_t field_name ) const
    {
        const auto it = find( field_name );
        if( it == m_fields.end() )
            throw_no_such_field( field_name );
        return it->value();
    }
    [[nodiscard]] const std::string & get_field( http_field_t field_id ) const
    {
        throw_if_unspecified( field_id );
        const auto it = find( field_id );
        if( it == m_fields.end() )
            throw_no_such_field( field_to_string( field_id ) );
        return it->value();
    }

    [[nodiscard]] nullable_pointer_t< const std::string > try_get_field(
        string_view_t field_name ) const noexcept
    {
        const auto it = find( field_name );
        return it != m_fields.end() ? &it->value() : nullptr;
    }
    [[nodiscard]] nullable_pointer_t< const std::string > try_get_field(
        http_field_t field_id ) const noexcept
    {
        const auto it = find( field_id );
        return it != m_fields.end() ? &it->value() : nullptr;
    }

    [[nodiscard]] std::string get_field_or( string_view_t field_name,
        string_view_t default_value ) const
    {
        const auto * v = try_get_field( field_name );
        return v ? *v : std::string{ default_value };
    }
    [[nodiscard]] std::string get_field_or( string_view_t field_name,
        std::string && default_value ) const
    {
        const auto * v = try_get_field( field_name );
        return v ? *v : std::move( default_value );
    }
    [[nodiscard]] auto get_field_or( string_view_t field_name, const char * default_value ) const
    {
        return get_field_or( field_name, string_view_t{ default_value } );
    }
    [[nodiscard]] auto get_field_or( string_view_t field_name,
        const std::string & default_value ) const
    {
        return get_field_or( field_name, string_view_t{ default_value } );
    }
    [[nodiscard]] std::string get_field_or( http_field_t field_id,
        string_view_t default_value ) const
    {
        const auto * v = try_get_field( field_id );
        return v ? *v : std::string{ default_value };
    }
    [[nodiscard]] auto get_field_or( http_field_t field_id, const char * default_value ) const
    {
        return get_field_or( field_id, string_view_t{ default_value } );
    }
    [[nodiscard]] auto get_field_or( http_field_t field_id,
        const std::string & default_value ) const
    {
        return get_field_or( field_id, string_view_t{ default_value } );
    }
    [[nodiscard]] std::string get_field_or( http_field_t field_id,
        std::string && default_value ) const
    {
        const auto * v = try_get_field( field_id );
        return v ? *v : std::move( default_value );
    }

    // Like get_field, but as a view.
    [[nodiscard]] string_view_t value_of( string_view_t field_name ) const
    {
        return get_field( field_name );
    }
    [[nodiscard]] string_view_t value_of( http_field_t field_id ) const
    {
        return get_field( field_id );
    }

    [[nodiscard]] std::optional< string_view_t > opt_value_of(
        string_view_t field_name ) const noexcept
    {
        const auto * v = try_get_field( field_name );
        return v ? std::optional< string_view_t >{ *v } : std::nullopt;
    }
    [[nodiscard]] std::optional< string_view_t > opt_value_of(
        http_field_t field_id ) const noexcept
    {
        const auto * v = try_get_field( field_id );
        return v ? std::optional< string_view_t >{ *v } : std::nullopt;
    }

    // Removes the first match; true if there was one.
    bool remove_field( string_view_t field_name ) noexcept
    {
        return erase_first( find( field_name ) );
    }
    bool remove_field( http_field_t field_id ) noexcept
    {
        return erase_first( find( field_id ) );
    }

    // Removes every match; returns how many went.
    std::size_t remove_all_of( string_view_t field_name ) noexcept
    {
        return erase_all( [field_name]( const http_header_field_t & f ) noexcept {
            return impl::equal_ignoring_ascii_case( f.name(), field_name );
        } );
    }
    std::size_t remove_all_of( http_field_t field_id ) noexcept
    {
        if( field_id == http_field_t::field_unspecified )
            return 0u;
        return erase_all( [field_id]( const http_header_field_t & f ) noexcept {
            return f.field_id() == field_id;
        } );
    }

    // lambda( const http_header_field_t & ) for every field, in order.
    template< typename Lambda >
    void for_each_field( Lambda && lambda ) const
    {
        for( const auto & f : m_fields )
            lambda( f );
    }

    // lambda( string_view_t value ) -> handling_result_t for every field with that id or name,
    // in order, until it returns stop_enumeration. Values are not split at commas.
    template< typename Lambda >
    void for_each_value_of( http_field_t field_id, Lambda && lambda ) const
    {
        if( field_id == http_field_t::field_unspecified )
            return;
        for( const auto & f : m_fields )
            if( f.field_id() == field_id
                && handling_result_t::stop_enumeration == lambda( string_view_t{ f.value() } ) )
                return;
    }
    template< typename Lambda >
    void for_each_value_of( string_view_t field_name, Lambda && lambda ) const
    {
        for( const auto & f : m_fields )
            if( impl::equal_ignoring_ascii_case( f.name(), field_name )
                && handling_result_t::stop_enumeration == lambda( string_view_t{ f.value() } ) )
                return;
    }

    [[nodiscard]] const_iterator begin() const noexcept { return m_fields.cbegin(); }
    [[nodiscard]] const_iterator end() const noexcept { return m_fields.cend(); }
    [[nodiscard]] auto fields_count() const noexcept { return m_fields.size(); }

private:
    using iterator = fields_container_t::iterator;

    [[noreturn]] static void throw_no_such_field( string_view_t field_name )
    {
        std::string text{ "field '" };
        text.append( field_name.data(), field_name.size() );
        text += "' doesn't exist";
        throw exception_t{ text };
    }

    static void throw_if_unspecified( http_field_t field_id )
    {
        if( field_id == http_field_t::field_unspecified )
            throw exception_t{ "unspecified fields cannot be searched by id" };
    }

    // One body for the const and non-const lookups.
    template< typename Fields >
    static auto find_in( Fields & fields, string_view_t field_name ) noexcept
    {
        return std::find_if( fields.begin(), fields.end(),
            [field_name]( const http_header_field_t & f ) noexcept {
                return impl::equal_ignoring_ascii_case( f.name(), field_name );
            } );
    }
    template< typename Fields >
    static auto find_in( Fields & fields, http_field_t field_id ) noexcept
    {
        if( field_id == http_field_t::field_unspecified )
            return fields.end();
        return std::find_if( fields.begin(), fields.end(),
            [field_id]( const http_header_field_t & f ) noexcept {
                return f.field_id() == field_id;
            } );
    }

    iterator find( string_view_t field_name ) noexcept { return find_in( m_fields, field_name ); }
    const_iterator find( string_view_t field_name ) const noexcept
    {
        return find_in( m_fields, field_name );
    }
    iterator find( http_field_t field_id ) noexcept { return find_in( m_fields, field_id ); }
    const_iterator find( http_field_t field_id ) const noexcept
    {
        return find_in( m_fields, field_id );
    }

    bool erase_first( const_iterator it ) noexcept
    {
        if( it == m_fields.cend() )
            return false;
        m_fields.erase( it );
        return true;
    }

    template< typename Predicate >
    std::size_t erase_all( Predicate && pred ) noexcept
    {
        const auto new_end = std::remove_if( m_fields.begin(), m_fields.end(), pred );
        const auto removed = static_cast< std::size_t >( m_fields.end() - new_end );
        m_fields.erase( new_end, m_fields.end() );
        return removed;
    }

    fields_container_t m_fields;
};

//
// http_connection_header_t
//

// What happens to the connection after this message.
enum class http_connection_header_t : std::uint8_t
{
    keep_alive,
    close,
    upgrade
};

//
// http_header_common_t
//

// The part of a header shared by requests and responses: version, body length and the
// Connection decision, kept apart from the field list.
struct http_header_common_t : public http_header_fields_t
{
public:
    [[nodiscard]] std::uint16_t http_major() const noexcept { return m_http_major; }
    void http_major( std::uint16_t v ) noexcept { m_http_major = v; }

    [[nodiscard]] std::uint16_t http_minor() const noexcept { return m_http_minor; }
    void http_minor( std::uint16_t v ) noexcept { m_http_minor = v; }

    [[nodiscard]] std::uint64_t content_length() const noexcept { return m_content_length; }
    void content_length( std::uint64_t l ) noexcept { m_content_length = l; }

    [[nodiscard]] bool should_keep_alive() const noexcept
    {
        return http_connection_header_t::keep_alive == m_http_connection_header_field_value;
    }
    void should_keep_alive( bool keep_alive ) noexcept
    {
        m_http_connection_header_field_value = keep_alive
            ? http_connection_header_t::keep_alive
            : http_connection_header_t::close;
    }

    [[nodiscard]] http_connection_header_t connection() const
    {
        return m_http_connection_header_field_value;
    }
    void connection( http_connection_header_t ch ) noexcept
    {
        m_http_connection_header_field_value = ch;
    }

private:
    std::uint16_t m_http_major{ 1 };
    std::uint16_t m_http_minor{ 1 };
    std::uint64_t m_content_length{ 0 };
    http_connection_header_t m_http_connection_header_field_value{
        http_connection_header_t::close };
};

//
// http_request_header_t
//

// A request's header: method, request target and fields. path(), query() and fragment() are
// views into the request target, split once whenever the target changes.
struct http_request_header_t final : public http_header_common_t
{
public:
    http_request_header_t() = default;

    http_request_header_t( http_method_id_t method, std::string request_target_ )
        : m_method{ method }
    {
        request_target( std::move( request_target_ ) );
    }

    [[nodiscard]] http_method_id_t method() const noexcept { return m_method; }
    void method( http_method_id_t m ) noexcept { m_method = m; }

    [[nodiscard]] const std::string & request_target() const noexcept
    {
        return m_request_target;
    }
    void request_target( std::string t )
    {
        m_request_target = std::move( t );
        split_request_target();
    }

    // The part before '?' (and before '#').
    [[nodiscard]] string_view_t path() const noexcept
    {
        return string_view_t{ m_request_target.data(), m_query_separator_pos };
    }

    // The part between '?' and '#', without the '?'; empty if there is no '?'.
    [[nodiscard]] string_view_t query() const noexcept
    {
        if( m_query_separator_pos == m_fragment_separator_pos )
            return {};
        const std::size_t begin = m_query_separator_pos + 1u;
        return string_view_t{ m_request_target.data() + begin, m_fragment_separator_pos - begin };
    }

    // The part after '#'; empty if there is no '#'.
    [[nodiscard]] string_view_t fragment() const
    {
        if( m_fragment_separator_pos == m_request_target.size() )
            return {};
        return string_view_t{ m_request_target }.substr( m_fragment_separator_pos + 1u );
    }

    // The parser delivers the target in pieces.
    void append_request_target( const char * at, std::size_t length )
    {
        m_request_target.append( at, length );
        split_request_target();
    }

private:
    // '#' ends the query, and a '?' after '#' belongs to the fragment.
    void split_request_target() noexcept
    {
        const string_view_t target{ m_request_target };
        m_fragment_separator_pos = std::min( target.find( '#' ), target.size() );
        m_query_separator_pos = std::min(
            target.substr( 0, m_fragment_separator_pos ).find( '?' ), m_fragment_separator_pos );
    }

    http_method_id_t m_method{ http_method_get() };
    std::string m_request_target;
    // Both are m_request_target.size() when the separator is absent.
    std::size_t m_query_separator_pos{ 0 };
    std::size_t m_fragment_separator_pos{ 0 };
};

//
// http_response_header_t
//

// A response's header: status line and fields.
struct http_response_header_t final : public http_header_common_t
{
public:
    http_response_header_t() = default;

    http_response_header_t( http_status_line_t status_line )
        : m_status_line{ std::move( status_line ) }
    {}

    [[nodiscard]] http_status_code_t status_code() const noexcept
    {
        return m_status_line.status_code();
    }
    void status_code( http_status_code_t c ) noexcept { m_status_line.status_code( c ); }

    [[nodiscard]] const std::string & reason_phrase() const noexcept
    {
        return m_status_line.reason_phrase();
    }
    void reason_phrase( std::string r ) { m_status_line.reason_phrase( std::move( r ) ); }

    [[nodiscard]] const http_status_line_t & status_line() const noexcept
    {
        return m_status_line;
    }
    void status_line( http_status_line_t sl ) { m_status_line = std::move( sl ); }

private:
    http_status_line_t m_status_line;
};

//
// make_date_field_value
//

// The IMF-fixdate form of RFC 9110 5.6.7, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". Written by
// hand rather than with strftime, whose day and month names follow the C locale setting.
inline std::string make_date_field_value( std::time_t t )
{
    std::tm tm{};
#if defined( _WIN32 )
    gmtime_s( &tm, &t );
#else
    gmtime_r( &t, &tm );     // gmtime() shares one static buffer between threads
#endif

    static constexpr const char day_names[ 7 ][ 4 ] = {
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static constexpr const char month_names[ 12 ][ 4 ] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

    const auto two_digits = []( std::string & to, int v ) {
        to += static_cast< char >( '0' + v / 10 );
        to += static_cast< char >( '0' + v % 10 );
    };

    std::string result;
    result.reserve( 29 );
    result.append( day_names[ tm.tm_wday ], 3 );
    result += ", ";
    two_digits( result, tm.tm_mday );
    result += ' ';
    result.append( month_names[ tm.tm_mon ], 3 );
    result += ' ';
    result += std::to_string( tm.tm_year + 1900 );
    result += ' ';
    two_digits( result, tm.tm_hour );
    result += ':';
    two_digits( result, tm.tm_min );
    result += ':';
    two_digits( result, tm.tm_sec );
    result += " GMT";
    return result;
}

inline std::string make_date_field_value( std::chrono::system_clock::time_point tp )
{
    return make_date_field_value( std::chrono::system_clock::to_time_t( tp ) );
}

} // namespace restinio
