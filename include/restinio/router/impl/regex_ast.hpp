// The parsed form of a route regex for linear_regex_engine_t: a byte set type and a tree of
// nodes, stored flat in a vector and linked by index, so that a deep tree is never destroyed
// recursively. regex_parser.hpp builds it, regex_program.hpp compiles it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace restinio
{

namespace router
{

namespace impl
{

namespace regex
{

// A set of bytes: one bit per value. Every character test of the engine is a set test, so a
// literal, a class and `.` cost the same.
class byte_set_t
{
public:
    void add( unsigned char c ) noexcept { m_bits[ c >> 6u ] |= std::uint64_t{ 1 } << ( c & 63u ); }

    void add_range( unsigned char first, unsigned char last ) noexcept
    {
        for( unsigned c = first; c <= last; ++c )
            add( static_cast< unsigned char >( c ) );
    }

    void add( const byte_set_t & other ) noexcept
    {
        for( std::size_t i = 0; i != m_bits.size(); ++i )
            m_bits[ i ] |= other.m_bits[ i ];
    }

    void negate() noexcept
    {
        for( auto & w : m_bits )
            w = ~w;
    }

    // Adds the other case of every ASCII letter in the set (the engine folds ASCII only, as
    // std::regex does in the "C" locale).
    void fold_ascii_case() noexcept
    {
        for( unsigned c = 'a'; c <= 'z'; ++c )
            if( contains( static_cast< unsigned char >( c ) )
                || contains( static_cast< unsigned char >( c - 'a' + 'A' ) ) )
            {
                add( static_cast< unsigned char >( c ) );
                add( static_cast< unsigned char >( c - 'a' + 'A' ) );
            }
    }

    [[nodiscard]] bool contains( unsigned char c ) const noexcept
    {
        return ( m_bits[ c >> 6u ] >> ( c & 63u ) ) & 1u;
    }

    // The byte if the set holds exactly one, else -1.
    [[nodiscard]] int single() const noexcept
    {
        int found = -1;
        for( unsigned c = 0; c != 256; ++c )
            if( contains( static_cast< unsigned char >( c ) ) )
            {
                if( found >= 0 )
                    return -1;
                found = static_cast< int >( c );
            }
        return found;
    }

private:
    std::array< std::uint64_t, 4 > m_bits{};
};

// \d, \w, \s as std::regex sees them in the "C" locale.
[[nodiscard]] inline byte_set_t digit_set() noexcept
{
    byte_set_t s;
    s.add_range( '0', '9' );
    return s;
}

[[nodiscard]] inline byte_set_t word_set() noexcept
{
    byte_set_t s = digit_set();
    s.add_range( 'a', 'z' );
    s.add_range( 'A', 'Z' );
    s.add( static_cast< unsigned char >( '_' ) );
    return s;
}

[[nodiscard]] inline byte_set_t space_set() noexcept
{
    byte_set_t s;
    for( const char c : { ' ', '\t', '\n', '\v', '\f', '\r' } )
        s.add( static_cast< unsigned char >( c ) );
    return s;
}

// A zero-width test that looks at most a few bytes ahead: `(?=a|[bc]d|$)` or `(?!...)`. Each
// alternative is a fixed sequence of sets, optionally followed by the end of the input.
struct lookahead_t
{
    struct alternative_t
    {
        std::vector< byte_set_t > sets;
        bool then_end = false;
    };

    std::vector< alternative_t > alternatives;
    bool negated = false;
};

enum class node_kind_t : std::uint8_t
{
    empty,          // matches the empty string
    bytes,          // one byte of `set`
    line_begin,     // ^
    line_end,       // $
    word_boundary,  // \b
    not_word_boundary, // \B
    lookahead,      // lookaheads[ index ]
    group,          // kids[ 0 ], captured as group `index` (0: not captured)
    concat,         // kids in order
    alternation,    // kids[ 0 ] | kids[ 1 ] | ...
    repeat          // kids[ 0 ] {min, max}; max == unbounded for * and +
};

struct node_t
{
    static constexpr std::uint32_t unbounded = 0xFFFFFFFFu;

    node_kind_t kind = node_kind_t::empty;
    bool greedy = true;
    std::uint32_t index = 0;
    std::uint32_t min = 0;
    std::uint32_t max = 0;
    byte_set_t set;
    std::vector< std::uint32_t > kids;
};

// A whole parsed regex; nodes[ root ] is the top.
struct ast_t
{
    std::vector< node_t > nodes;
    std::vector< lookahead_t > lookaheads;
    std::uint32_t root = 0;
    std::uint32_t capture_groups = 0;
};

} // namespace regex

} // namespace impl

} // namespace router

} // namespace restinio
