// Parses the ECMAScript subset linear_regex_engine_t runs into a regex::ast_t: literals (a
// bare ']' or '}' too, as ECMAScript's Annex B allows) and escapes, `.`, classes, groups
// (capturing and `(?:`), alternation, the quantifiers `* + ? {n} {n,} {n,m}` greedy or lazy, `^ $ \b \B`, and lookaheads whose alternatives are
// fixed sequences of characters, optionally ending with `$` (what path2regex emits). Anything
// else - backreferences, lookbehind, named groups, a lookahead that could match a variable
// length - is refused with exception_t rather than matched differently from std::regex.
// Case-insensitive patterns fold ASCII letters only.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/router/impl/regex_ast.hpp>
#include <restinio/string_view.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace restinio
{

namespace router
{

namespace impl
{

namespace regex
{

class parser_t
{
public:
    // Nesting of groups: the parser and compiler recurse once per level.
    static constexpr std::size_t max_depth = 64;
    // The largest count in {n,m}; the program size limit usually bites first.
    static constexpr std::uint32_t max_repeat = 1000;

    parser_t( string_view_t pattern, bool is_case_sensitive )
        : m_pattern{ pattern }, m_fold{ !is_case_sensitive }
    {}

    [[nodiscard]] ast_t parse()
    {
        m_ast.root = parse_alternation( 0 );
        if( m_pos != m_pattern.size() )
            fail( "unbalanced ')'" );
        return std::move( m_ast );
    }

private:
    [[noreturn]] void fail( const char * why ) const
    {
        std::string text{ "unsupported route regex '" };
        text.append( m_pattern.data(), m_pattern.size() );
        text += "' at position " + std::to_string( m_pos ) + ": " + why;
        throw exception_t{ text };
    }

    [[nodiscard]] bool at_end() const noexcept { return m_pos == m_pattern.size(); }
    [[nodiscard]] char peek() const noexcept { return m_pattern[ m_pos ]; }

    std::uint32_t add( node_t node )
    {
        m_ast.nodes.push_back( std::move( node ) );
        return static_cast< std::uint32_t >( m_ast.nodes.size() - 1 );
    }

    std::uint32_t add_bytes( byte_set_t set )
    {
        if( m_fold )
            set.fold_ascii_case();
        node_t n;
        n.kind = node_kind_t::bytes;
        n.set = set;
        return add( std::move( n ) );
    }

    std::uint32_t add_simple( node_kind_t kind )
    {
        node_t n;
        n.kind = kind;
        return add( std::move( n ) );
    }

    std::uint32_t parse_alternation( std::size_t depth )
    {
        if( depth > max_depth )
            fail( "groups nested too deeply" );
        node_t alt;
        alt.kind = node_kind_t::alternation;
        alt.kids.push_back( parse_concat( depth ) );
        while( !at_end() && peek() == '|' )
        {
            ++m_pos;
            alt.kids.push_back( parse_concat( depth ) );
        }
        return alt.kids.size() == 1 ? alt.kids[ 0 ] : add( std::move( alt ) );
    }

    std::uint32_t parse_concat( std::size_t depth )
    {
        node_t seq;
        seq.kind = node_kind_t::concat;
        while( !at_end() && peek() != '|' && peek() != ')' )
            seq.kids.push_back( parse_quantified( depth ) );
        if( seq.kids.empty() )
            return add_simple( node_kind_t::empty );
        return seq.kids.size() == 1 ? seq.kids[ 0 ] : add( std::move( seq ) );
    }

    std::uint32_t parse_quantified( std::size_t depth )
    {
        const std::uint32_t atom = parse_atom( depth );
        if( at_end() )
            return atom;
        std::uint32_t min = 0;
        std::uint32_t max = node_t::unbounded;
        switch( peek() )
        {
            case '*': ++m_pos; break;
            case '+': ++m_pos; min = 1; break;
            case '?': ++m_pos; max = 1; break;
            case '{': parse_braces( min, max ); break;
            default: return atom;
        }
        if( m_ast.nodes[ atom ].kind != node_kind_t::bytes
            && m_ast.nodes[ atom ].kind != node_kind_t::group )
            fail( "a quantifier must follow a character, a class or a group" );
        node_t rep;
        rep.kind = node_kind_t::repeat;
        rep.min = min;
        rep.max = max;
        if( !at_end() && peek() == '?' )
        {
            ++m_pos;
            rep.greedy = false;
        }
        rep.kids.push_back( atom );
        return add( std::move( rep ) );
    }

    std::uint32_t parse_count()
    {
        std::uint32_t value = 0;
        const std::size_t start = m_pos;
        while( !at_end() && peek() >= '0' && peek() <= '9' )
        {
            value = value * 10u + static_cast< std::uint32_t >( peek() - '0' );
            if( value > max_repeat )
                fail( "a repeat count over 1000" );
            ++m_pos;
        }
        if( m_pos == start )
            fail( "'{' that is not a {n}, {n,} or {n,m} quantifier" );
        return value;
    }

    void parse_braces( std::uint32_t & min, std::uint32_t & max )
    {
        ++m_pos;
        min = max = parse_count();
        if( !at_end() && peek() == ',' )
        {
            ++m_pos;
            max = !at_end() && peek() == '}' ? node_t::unbounded : parse_count();
        }
        if( at_end() || peek() != '}' )
            fail( "'{' that is not a {n}, {n,} or {n,m} quantifier" );
        ++m_pos;
        if( max < min )
            fail( "{n,m} with m < n" );
    }

    std::uint32_t parse_atom( std::size_t depth )
    {
        const char c = peek();
        switch( c )
        {
            case '^': ++m_pos; return add_simple( node_kind_t::line_begin );
            case '$': ++m_pos; return add_simple( node_kind_t::line_end );
            case '(': return parse_group( depth );
            case '[': return add_bytes( parse_class() );
            case '\\': return parse_escape();
            case '.':
            {
                ++m_pos;
                byte_set_t s;
                s.add( static_cast< unsigned char >( '\n' ) );
                s.add( static_cast< unsigned char >( '\r' ) );
                s.negate();
                return add_bytes( s );
            }
            case '*': case '+': case '?': fail( "nothing to repeat" );
            case '{': fail( "a bare '{'; escape it" );
            default:
            {
                ++m_pos;
                byte_set_t s;
                s.add( static_cast< unsigned char >( c ) );
                return add_bytes( s );
            }
        }
    }

    std::uint32_t parse_group( std::size_t depth )
    {
        ++m_pos;
        node_t group;
        group.kind = node_kind_t::group;
        bool look = false;
        bool negated = false;
        if( !at_end() && peek() == '?' )
        {
            const char kind = m_pos + 1 < m_pattern.size() ? m_pattern[ m_pos + 1 ] : '\0';
            if( kind != ':' && kind != '=' && kind != '!' )
                fail( "only (?:...), (?=...) and (?!...) groups are supported" );
            m_pos += 2;
            look = kind != ':';
            negated = kind == '!';
        }
        else
            group.index = ++m_ast.capture_groups;
        const std::size_t body_pos = m_pos;
        const std::uint32_t body = parse_alternation( depth + 1 );
        if( at_end() )
            fail( "unbalanced '('" );
        ++m_pos;
        if( look )
            return make_lookahead( body, negated, body_pos );
        group.kids.push_back( body );
        return add( std::move( group ) );
    }

    // A lookahead is run as one fixed-length test per alternative, so each alternative may
    // only be characters (and a final `$`): no groups, quantifiers or nested lookaheads.
    std::uint32_t make_lookahead( std::uint32_t body, bool negated, std::size_t body_pos )
    {
        lookahead_t look;
        look.negated = negated;
        const auto & b = m_ast.nodes[ body ];
        const std::vector< std::uint32_t > alts = b.kind == node_kind_t::alternation
            ? b.kids : std::vector< std::uint32_t >{ body };
        for( const auto alt : alts )
        {
            const auto & a = m_ast.nodes[ alt ];
            const std::vector< std::uint32_t > items = a.kind == node_kind_t::concat
                ? a.kids : std::vector< std::uint32_t >{ alt };
            lookahead_t::alternative_t parsed;
            for( std::size_t i = 0; i != items.size(); ++i )
            {
                const auto & item = m_ast.nodes[ items[ i ] ];
                if( item.kind == node_kind_t::bytes && !parsed.then_end )
                    parsed.sets.push_back( item.set );
                else if( item.kind == node_kind_t::line_end )
                    parsed.then_end = true;
                else if( item.kind != node_kind_t::empty )
                {
                    m_pos = body_pos;
                    fail( "a lookahead may only hold characters, classes, '|' and a final '$'" );
                }
            }
            look.alternatives.push_back( std::move( parsed ) );
        }
        m_ast.lookaheads.push_back( std::move( look ) );
        node_t n;
        n.kind = node_kind_t::lookahead;
        n.index = static_cast< std::uint32_t >( m_ast.lookaheads.size() - 1 );
        return add( std::move( n ) );
    }

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

    std::uint32_t parse_escape()
    {
        ++m_pos;
        if( !at_end() && ( peek() == 'b' || peek() == 'B' ) )
        {
            const bool boundary = peek() == 'b';
            ++m_pos;
            return add_simple(
                boundary ? node_kind_t::word_boundary : node_kind_t::not_word_boundary );
        }
        return add_bytes( parse_escaped_set() );
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
    ast_t m_ast;
};

} // namespace regex

} // namespace impl

} // namespace router

} // namespace restinio
