// Compiles a regex::ast_t into the instruction list that pike_vm.hpp runs (Thompson's
// construction, with the order of a split's targets giving a backtracking engine's priority:
// greedy tries one more repetition first, lazy one fewer). Counted repeats are expanded, so the
// program's size is bounded and a pattern that would exceed it is refused.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/router/impl/regex_ast.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace restinio
{

namespace router
{

namespace impl
{

namespace regex
{

enum class op_t : std::uint8_t
{
    byte,           // input byte == arg
    set,            // input byte in sets[ arg ]
    match,          // the whole pattern matched
    jump,           // go to x
    split,          // go to x, and with lower priority to y
    save,           // capture slot arg = position
    line_begin,     // position 0
    line_end,       // end of input
    word_boundary,
    not_word_boundary,
    lookahead       // lookaheads[ arg ] holds here
};

struct instruction_t
{
    op_t op;
    std::uint32_t arg = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;
};

struct program_t
{
    std::vector< instruction_t > code;
    std::vector< byte_set_t > sets;
    std::vector< lookahead_t > lookaheads;
    // Whole match plus capture groups, two slots each.
    std::uint32_t slots = 2;
    // How many bytes the instructions every match starts with consume before the first branch
    // or assertion (saves and a leading ^ aside): the VM runs them as plain compares.
    std::uint32_t prefix_length = 0;
};

class compiler_t
{
public:
    // Instructions, and instructions times capture slots (the per-thread scratch the VM
    // needs): ample for routes, small enough that no pattern costs megabytes.
    static constexpr std::size_t max_instructions = 10000;
    static constexpr std::size_t max_scratch = std::size_t{ 1 } << 18;

    compiler_t( const ast_t & ast, const std::string & pattern )
        : m_ast{ ast }, m_pattern{ pattern }
    {}

    [[nodiscard]] program_t compile()
    {
        m_program.lookaheads = m_ast.lookaheads;
        m_program.slots = 2 * ( m_ast.capture_groups + 1 );
        emit( op_t::save, 0 );
        compile_node( m_ast.root );
        emit( op_t::save, 1 );
        emit( op_t::match );
        if( m_program.code.size() * m_program.slots > max_scratch )
            too_large();
        find_prefix();
        return std::move( m_program );
    }

private:
    [[noreturn]] void too_large() const
    {
        throw exception_t{ "unsupported route regex '" + m_pattern
            + "': its compiled program is too large (repeat counts or capture groups)" };
    }

    std::uint32_t here() const noexcept
    {
        return static_cast< std::uint32_t >( m_program.code.size() );
    }

    std::uint32_t emit( op_t op, std::uint32_t arg = 0, std::uint32_t x = 0, std::uint32_t y = 0 )
    {
        if( m_program.code.size() == max_instructions )
            too_large();
        m_program.code.push_back( { op, arg, x, y } );
        return here() - 1;
    }

    void compile_node( std::uint32_t index )
    {
        const node_t & n = m_ast.nodes[ index ];
        switch( n.kind )
        {
            case node_kind_t::empty: break;
            case node_kind_t::bytes: compile_bytes( n.set ); break;
            case node_kind_t::line_begin: emit( op_t::line_begin ); break;
            case node_kind_t::line_end: emit( op_t::line_end ); break;
            case node_kind_t::word_boundary: emit( op_t::word_boundary ); break;
            case node_kind_t::not_word_boundary: emit( op_t::not_word_boundary ); break;
            case node_kind_t::lookahead: emit( op_t::lookahead, n.index ); break;
            case node_kind_t::group:
                if( n.index != 0 )
                    emit( op_t::save, 2 * n.index );
                compile_node( n.kids[ 0 ] );
                if( n.index != 0 )
                    emit( op_t::save, 2 * n.index + 1 );
                break;
            case node_kind_t::concat:
                for( const auto kid : n.kids )
                    compile_node( kid );
                break;
            case node_kind_t::alternation: compile_alternation( n ); break;
            case node_kind_t::repeat: compile_repeat( n ); break;
        }
    }

    void compile_bytes( const byte_set_t & set )
    {
        const int single = set.single();
        if( single >= 0 )
        {
            emit( op_t::byte, static_cast< std::uint32_t >( single ) );
            return;
        }
        m_program.sets.push_back( set );
        emit( op_t::set, static_cast< std::uint32_t >( m_program.sets.size() - 1 ) );
    }

    // split L1, next; L1: a; jump end; next: split L2, ...; the last alternative needs no split.
    void compile_alternation( const node_t & n )
    {
        std::vector< std::uint32_t > jumps;
        for( std::size_t i = 0; i != n.kids.size(); ++i )
        {
            const bool last = i + 1 == n.kids.size();
            const std::uint32_t split = last ? 0 : emit( op_t::split );
            if( !last )
                m_program.code[ split ].x = here();
            compile_node( n.kids[ i ] );
            if( !last )
            {
                jumps.push_back( emit( op_t::jump ) );
                m_program.code[ split ].y = here();
            }
        }
        for( const auto j : jumps )
            m_program.code[ j ].x = here();
    }

    // A split whose preferred target is the body (greedy) or what follows (lazy).
    void patch_split( std::uint32_t split, std::uint32_t body, std::uint32_t out, bool greedy )
    {
        m_program.code[ split ].x = greedy ? body : out;
        m_program.code[ split ].y = greedy ? out : body;
    }

    void compile_repeat( const node_t & n )
    {
        const std::uint32_t body = n.kids[ 0 ];
        for( std::uint32_t i = 0; i != n.min; ++i )
            compile_node( body );
        if( n.max == node_t::unbounded )
        {
            // loop: split body, out; body; jump loop; out:
            const std::uint32_t loop = emit( op_t::split );
            compile_node( body );
            emit( op_t::jump, 0, loop );
            patch_split( loop, loop + 1, here(), n.greedy );
            return;
        }
        // Each optional copy may be skipped to the very end: split c1, out; c1; split c2, out...
        std::vector< std::uint32_t > splits;
        for( std::uint32_t i = n.min; i != n.max; ++i )
        {
            splits.push_back( emit( op_t::split ) );
            compile_node( body );
        }
        for( const auto s : splits )
            patch_split( s, s + 1, here(), n.greedy );
    }

    void find_prefix()
    {
        const auto & code = m_program.code;
        std::uint32_t consumed = 0;
        for( std::size_t pc = 0; pc != code.size(); ++pc )
        {
            const op_t op = code[ pc ].op;
            if( op == op_t::byte || op == op_t::set )
                ++consumed;
            else if( op != op_t::save && !( op == op_t::line_begin && consumed == 0 ) )
                break;
        }
        m_program.prefix_length = consumed;
    }

    const ast_t & m_ast;
    const std::string & m_pattern;
    program_t m_program;
};

} // namespace regex

} // namespace impl

} // namespace router

} // namespace restinio
