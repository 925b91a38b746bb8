// Parses the ECMAScript subset linear_regex_engine_t runs into a regex::ast_t: literals (a
// bare ']' or '}' too, as ECMAScript's Annex B allows), escapes and classes (read by
// regex_pattern_reader.hpp), `.`, groups (capturing and `(?:`), alternation, the quantifiers
// `* + ? {n} {n,} {n,m}` greedy or lazy, `^ $ \b \B`, and lookaheads whose alternatives are
// fixed sequences of characters, optionally ending with `$` (what path2regex emits). Anything
// else - backreferences, lookbehind, named groups, a lookahead that could match a variable
// length, `*` `+` `{n,}` on something that can match empty - is refused with exception_t
// rather than matched differently from std::regex. Ignoring case folds ASCII letters only.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/router/impl/regex_ast.hpp>
#include <restinio/router/impl/regex_pattern_reader.hpp>
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

class parser_t : private pattern_reader_t
{
public:
    // Nesting of groups: the parser and compiler recurse once per level.
    static constexpr std::size_t max_depth = 64;
    // The largest count in {n,m}; the program size limit usually bites first.
    static constexpr std::uint32_t max_repeat = 1000;
    // Each group costs two slots in every VM thread (regex_program.hpp bounds the product).
    static constexpr std::uint32_t max_capture_groups = 100;

    parser_t( string_view_t pattern, bool is_case_sensitive )
        : pattern_reader_t{ pattern, !is_case_sensitive }
    {}

    [[nodiscard]] ast_t parse()
    {
        m_ast.root = parse_alternation( 0 );
        if( m_pos != m_pattern.size() )
            fail( "unbalanced ')'" );
        return std::move( m_ast );
    }

private:
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
        // Backtracking engines end a repetition whose iteration matched nothing, each in its
        // own way; a Pike VM cannot tell such an iteration apart, so `(a*)*` is refused rather
        // than matched with other captures. A bounded count has no such iteration to end.
        if( max == node_t::unbounded && can_be_empty( atom ) )
            fail( "an unbounded repeat of something that can match the empty string" );
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

    [[nodiscard]] bool can_be_empty( std::uint32_t index ) const
    {
        const node_t & n = m_ast.nodes[ index ];
        switch( n.kind )
        {
            case node_kind_t::bytes: return false;
            case node_kind_t::group: return can_be_empty( n.kids[ 0 ] );
            case node_kind_t::repeat: return n.min == 0 || can_be_empty( n.kids[ 0 ] );
            case node_kind_t::concat:
                for( const auto kid : n.kids )
                    if( !can_be_empty( kid ) )
                        return false;
                return true;
            case node_kind_t::alternation:
                for( const auto kid : n.kids )
                    if( can_be_empty( kid ) )
                        return true;
                return false;
            default: return true;       // empty, assertions, lookaheads
        }
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
        else if( ( group.index = ++m_ast.capture_groups ) > max_capture_groups )
            fail( "more than 100 capture groups" );
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

    ast_t m_ast;
};

} // namespace regex

} // namespace impl

} // namespace router

} // namespace restinio
