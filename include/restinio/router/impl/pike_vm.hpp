// Runs a regex::program_t over an input as a Pike VM: every live thread (instruction plus
// capture slots) advances one byte at a time in priority order, and at most one thread per
// instruction survives each step. Time is O(input x program), memory O(program x slots) and
// nothing recurses, whatever the input; a backtracking engine recurses per repeated byte and
// can take exponential time. Because threads keep a backtracking engine's priority order and
// the first thread to reach `match` cuts all lower ones, the match and its captures are the
// ones ECMAScript's leftmost, greedy/lazy rules give.
#pragma once

#include <restinio/router/impl/regex_program.hpp>
#include <restinio/string_view.hpp>

#include <algorithm>
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

inline constexpr std::size_t no_position = static_cast< std::size_t >( -1 );

// The VM's working memory, sized by the program and reused across calls on one thread.
class vm_scratch_t
{
public:
    // A sparse set of instructions in insertion (= priority) order, with the capture slots of
    // the thread waiting at each.
    struct thread_list_t
    {
        std::vector< std::uint32_t > sparse;
        std::vector< std::uint32_t > dense;
        std::uint32_t size = 0;
        std::vector< std::size_t > slots;

        [[nodiscard]] bool contains( std::uint32_t pc ) const noexcept
        {
            const std::uint32_t i = sparse[ pc ];
            return i < size && dense[ i ] == pc;
        }

        void insert( std::uint32_t pc ) noexcept
        {
            sparse[ pc ] = size;
            dense[ size++ ] = pc;
        }
    };

    // A step of the closure: explore an instruction, or put a capture slot back.
    struct frame_t
    {
        std::uint32_t pc;
        std::uint32_t slot;     // no_slot: explore pc
        std::size_t value;
    };
    static constexpr std::uint32_t no_slot = 0xFFFFFFFFu;

    void prepare( const program_t & p )
    {
        const std::size_t n = p.code.size();
        for( auto & l : lists )
        {
            if( l.sparse.size() < n )
            {
                l.sparse.resize( n );
                l.dense.resize( n );
            }
            if( l.slots.size() < n * p.slots )
                l.slots.resize( n * p.slots );
            l.size = 0;
        }
        // Each instruction is explored at most once per closure and pushes at most one frame.
        if( stack.size() < n + 1 )
            stack.resize( n + 1 );
        if( work.size() < p.slots )
        {
            work.resize( p.slots );
            best.resize( p.slots );
        }
    }

    thread_list_t lists[ 2 ];
    std::vector< frame_t > stack;
    std::vector< std::size_t > work;
    std::vector< std::size_t > best;
};

[[nodiscard]] inline bool is_word_byte( string_view_t in, std::size_t i ) noexcept
{
    const char c = in[ i ];
    return ( c >= 'a' && c <= 'z' ) || ( c >= 'A' && c <= 'Z' ) || ( c >= '0' && c <= '9' )
        || c == '_';
}

[[nodiscard]] inline bool lookahead_holds(
    const lookahead_t & look, string_view_t in, std::size_t pos ) noexcept
{
    const auto fits = [&]( const lookahead_t::alternative_t & alt ) noexcept {
        if( in.size() - pos < alt.sets.size() )
            return false;
        for( std::size_t i = 0; i != alt.sets.size(); ++i )
            if( !alt.sets[ i ].contains( static_cast< unsigned char >( in[ pos + i ] ) ) )
                return false;
        return !alt.then_end || pos + alt.sets.size() == in.size();
    };
    return std::any_of( look.alternatives.begin(), look.alternatives.end(), fits ) != look.negated;
}

class pike_vm_t
{
public:
    pike_vm_t( const program_t & program, string_view_t input, vm_scratch_t & scratch ) noexcept
        : m_program{ program }, m_input{ input }, m_scratch{ scratch }
    {}

    // Anchored at the start of the input. On a match, slots() holds 2 positions per group
    // (no_position for a group that took no part).
    [[nodiscard]] bool run()
    {
        m_scratch.prepare( m_program );
        const std::uint32_t n = m_program.slots;
        std::fill( m_scratch.work.begin(), m_scratch.work.begin() + n, no_position );
        std::uint32_t pc = 0;
        std::size_t pos = 0;
        if( !run_prefix( pc, pos ) )
            return false;
        auto * current = &m_scratch.lists[ 0 ];
        auto * next = &m_scratch.lists[ 1 ];
        add_thread( *current, pc, pos, m_scratch.work.data() );

        bool matched = false;
        for( ; current->size != 0; ++pos )
        {
            next->size = 0;
            const bool at_end = pos == m_input.size();
            const auto c = at_end ? 0u : static_cast< unsigned char >( m_input[ pos ] );
            for( std::uint32_t i = 0; i != current->size; ++i )
            {
                const std::uint32_t pc = current->dense[ i ];
                const instruction_t & in = m_program.code[ pc ];
                const std::size_t * slots = current->slots.data() + std::size_t{ pc } * n;
                if( in.op == op_t::match )
                {
                    // Every thread after this one has lower priority: cut them.
                    std::copy( slots, slots + n, m_scratch.best.begin() );
                    matched = true;
                    break;
                }
                if( !at_end && consumes( in, c ) )
                    add_thread( *next, pc + 1, pos + 1, slots );
            }
            if( at_end )
                break;
            std::swap( current, next );
        }
        return matched;
    }

    [[nodiscard]] const std::size_t * slots() const noexcept { return m_scratch.best.data(); }

private:
    [[nodiscard]] bool consumes( const instruction_t & in, unsigned char c ) const noexcept
    {
        if( in.op == op_t::byte )
            return c == in.arg;
        return in.op == op_t::set && m_program.sets[ in.arg ].contains( c );
    }

    // Runs the program's prefix (bytes, saves and a leading ^ that every match starts with) as
    // plain compares, leaving pc and pos after it and its saves in `work`. Most routes reject
    // most paths here, and a matching one skips that many VM steps.
    [[nodiscard]] bool run_prefix( std::uint32_t & pc, std::size_t & pos ) const noexcept
    {
        for( ; pos != m_program.prefix_length; ++pc )
        {
            const instruction_t & in = m_program.code[ pc ];
            if( in.op == op_t::save )
                m_scratch.work[ in.arg ] = pos;
            else if( in.op == op_t::byte || in.op == op_t::set )
            {
                if( pos == m_input.size()
                    || !consumes( in, static_cast< unsigned char >( m_input[ pos ] ) ) )
                    return false;
                ++pos;
            }
        }
        return true;
    }

    [[nodiscard]] bool assertion_holds( const instruction_t & in, std::size_t pos ) const noexcept
    {
        switch( in.op )
        {
            case op_t::line_begin: return pos == 0;
            case op_t::line_end: return pos == m_input.size();
            case op_t::word_boundary:
            case op_t::not_word_boundary:
            {
                const bool before = pos != 0 && is_word_byte( m_input, pos - 1 );
                const bool after = pos != m_input.size() && is_word_byte( m_input, pos );
                return ( before != after ) == ( in.op == op_t::word_boundary );
            }
            default:
                return lookahead_holds( m_program.lookaheads[ in.arg ], m_input, pos );
        }
    }

    // Follows every jump, split, save and assertion from pc at pos, in priority order, and adds
    // the threads that wait on a byte (or on `match`) to list. An explicit stack stands in for
    // recursion; `work` holds the slots of the path being explored, restored on the way back.
    void add_thread(
        vm_scratch_t::thread_list_t & list, std::uint32_t start, std::size_t pos,
        const std::size_t * slots )
    {
        const std::uint32_t n = m_program.slots;
        std::size_t * work = m_scratch.work.data();
        std::copy( slots, slots + n, work );
        auto * stack = m_scratch.stack.data();
        std::size_t depth = 0;
        stack[ depth++ ] = { start, vm_scratch_t::no_slot, 0 };
        while( depth != 0 )
        {
            const auto frame = stack[ --depth ];
            if( frame.slot != vm_scratch_t::no_slot )
            {
                work[ frame.slot ] = frame.value;
                continue;
            }
            for( std::uint32_t pc = frame.pc; !list.contains( pc ); )
            {
                list.insert( pc );
                const instruction_t & in = m_program.code[ pc ];
                if( in.op == op_t::jump )
                    pc = in.x;
                else if( in.op == op_t::split )
                {
                    stack[ depth++ ] = { in.y, vm_scratch_t::no_slot, 0 };
                    pc = in.x;
                }
                else if( in.op == op_t::save )
                {
                    stack[ depth++ ] = { 0, in.arg, work[ in.arg ] };
                    work[ in.arg ] = pos;
                    ++pc;
                }
                else if( in.op == op_t::byte || in.op == op_t::set || in.op == op_t::match )
                {
                    std::copy( work, work + n, list.slots.data() + std::size_t{ pc } * n );
                    break;
                }
                else if( assertion_holds( in, pos ) )
                    ++pc;
                else
                    break;
            }
        }
    }

    const program_t & m_program;
    string_view_t m_input;
    vm_scratch_t & m_scratch;
};

} // namespace regex

} // namespace impl

} // namespace router

} // namespace restinio
