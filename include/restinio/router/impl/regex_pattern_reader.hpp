// The character level of a route regex for linear_regex_engine_t: a cursor over the pattern
// that reports errors with their position, and the escapes (\d, \x41, \/ ...) and classes
// ([^a-z\d]) that become one byte_set_t. regex_parser.hpp builds the structure on top of it.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/router/impl/regex_ast.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <string>

namespace restinio
{

namespace router
{

namespace impl
{

namespace regex
{

class pattern_reader_t
{
protected:
    pattern_reader_t( string_view_t pattern, bool fold ) noexcept
        : m_pattern{ pattern }, m_fold{ fold }
    {}

    [[noreturn]] void fail( const char * why ) const
    {
        std::string text{ "unsupported route regex '" };
        text.append( m_pattern.data(), m_pattern.size() );
        text += "' at position " + std::to_string( m_pos ) + ": " + why;
        throw exception_t{ text };
    }

    [[nodiscard]] bool at_end() const noexcept { return m_pos == m_pattern.size(); }
    [[nodiscard]] char peek() const noexcept { return m_pattern[ m_pos ]; }

    static int hex_value( char c ) noexcept
    {
        if( c >= '0' && c <= '9' ) return c - '0';
        if( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
        if( c >= 'A' && c <= 'F' ) return c - 'A' + 10;
        return -1;
    }

    unsigned char parse_hex( std::size_t digits )
    {
        unsigned value = 0;
        for( std::size_t i = 0; i != digits; ++i )
        {
            const int v = at_end() ? -1 : hex_value( peek() );
            if( v < 0 )
                fail( "a \\x or \\u escape without its hex digits" );
            value = value * 16u + static_cast< unsigned >( v );
            ++m_pos;
        }
        if( value > 0x7F && digits == 4 )
            fail( "a \\u escape beyond ASCII" );
        return static_cast< unsigned char >( value );
    }

    // After a backslash: the set of bytes the escape stands for. `\b` is a backspace inside a
    // class; outside one the caller has already taken it as an assertion.
    byte_set_t parse_escaped_set()
    {
        if( at_end() )
            fail( "a trailing backslash" );
        const char c = peek();
        ++m_pos;
        byte_set_t s;
        const auto one = [&s]( char v ) { s.add( static_cast< unsigned char >( v ) ); return s; };
        switch( c )
        {
            case 'd': return digit_set();
            case 'w': return word_set();
            case 's': return space_set();
            case 'D': s = digit_set(); s.negate(); return s;
            case 'W': s = word_set(); s.negate(); return s;
            case 'S': s = space_set(); s.negate(); return s;
            case 't': return one( '\t' );
            case 'n': return one( '\n' );
            case 'r': return one( '\r' );
            case 'v': return one( '\v' );
            case 'f': return one( '\f' );
            case 'b': return one( '\b' );
            case 'x': s.add( parse_hex( 2 ) ); return s;
            case 'u': s.add( parse_hex( 4 ) ); return s;
            default: break;
        }
        if( c >= '0' && c <= '9' )
        {
            m_pos -= 2;     // the error points at the backslash
            fail( "backreferences and octal escapes are not supported" );
        }
        if( c == 'c' )
        {
            m_pos -= 2;
            fail( "\\c control escapes are not supported" );
        }
        // Any other character stands for itself, letters included (ECMAScript Annex B, and
        // std::regex): "\z" is "z".
        return one( c );
    }

    // One class member: a byte, or the whole set of an escape such as \d (then `is_set`).
    byte_set_t parse_class_atom( bool & is_set, unsigned char & byte )
    {
        is_set = false;
        if( peek() != '\\' )
        {
            byte = static_cast< unsigned char >( peek() );
            ++m_pos;
            byte_set_t s;
            s.add( byte );
            return s;
        }
        ++m_pos;
        if( !at_end() && peek() == 'B' )
            fail( "\\B inside a class" );
        const char e = at_end() ? '\0' : peek();
        is_set = e == 'd' || e == 'D' || e == 'w' || e == 'W' || e == 's' || e == 'S';
        byte_set_t s = parse_escaped_set();
        if( !is_set )
            byte = static_cast< unsigned char >( s.single() );
        return s;
    }

    byte_set_t parse_class()
    {
        ++m_pos;
        const bool negated = !at_end() && peek() == '^';
        if( negated )
            ++m_pos;
        // "[]" matches nothing and "[^]" any byte, as in ECMAScript.
        byte_set_t result;
        while( !at_end() && peek() != ']' )
        {
            bool first_is_set = false;
            unsigned char first = 0;
            const byte_set_t s = parse_class_atom( first_is_set, first );
            const bool range = m_pos + 1 < m_pattern.size() && peek() == '-'
                && m_pattern[ m_pos + 1 ] != ']';
            if( !range )
            {
                result.add( s );
                continue;
            }
            ++m_pos;
            bool last_is_set = false;
            unsigned char last = 0;
            parse_class_atom( last_is_set, last );
            if( first_is_set || last_is_set )
                fail( "a class escape such as \\d as a range end" );
            if( last < first )
                fail( "a range out of order" );
            result.add_range( first, last );
        }
        if( at_end() )
            fail( "unbalanced '['" );
        ++m_pos;
        // Folded before negation: /[^a]/i does not match "A", as in ECMAScript.
        if( m_fold )
            result.fold_ascii_case();
        if( negated )
            result.negate();
        return result;
    }

    string_view_t m_pattern;
    bool m_fold;
    std::size_t m_pos = 0;
};

} // namespace regex

} // namespace impl

} // namespace router

} // namespace restinio
