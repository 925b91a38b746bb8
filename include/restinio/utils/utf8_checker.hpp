// Incremental UTF-8 validation for WebSocket text messages and close reasons (RFC 6455 8.1).
//
// A text message can be split across frames and reads at any byte, so the checker carries an
// unfinished code point from one call to the next, and it reports a bad sequence at its first
// bad byte (Autobahn's "fail fast" cases, 6.4.x) rather than at the end of the message. Validity
// is RFC 3629's, strictly: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
// U+10FFFF. So `F4 90` fails at 0x90, `ED A0` at 0xA0, `E0 80` at 0x80, and C0, C1 and F5..FF
// fail on their own.
//
// It is a DFA over byte classes: a byte's class says which continuation ranges it belongs to,
// and each state says what the next byte may be. While no code point is open, process() first
// checks 64 bytes a step with AVX2 where the processor has it (every rule as nibble-table
// lookups, see rule_breaks()), then skips ASCII 16 bytes at a time and checks whole valid code
// points with range checks, and leaves the rest (bad sequences, code points cut by the end of
// the input) to the DFA, which alone decides where text fails and what is carried to the next
// call. Pure computation: no I/O, no
// allocation, noexcept throughout. utf8_checker_t keeps RESTinio's byte-at-a-time interface
// (process_byte, finalized, reset) on top of the same state.
#pragma once

#include <restinio/impl/cpu_features.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace restinio
{

namespace utils
{

namespace impl
{

namespace utf8
{

// Byte classes: the ranges RFC 3629 section 4 (the UTF8-octets grammar) tells apart.
enum byte_class_t : std::uint8_t
{
    ascii,                  // 00..7F
    continuation_80_8f,     // 80..8F
    continuation_90_9f,     // 90..9F
    continuation_a0_bf,     // A0..BF
    never_valid,            // C0, C1 (only overlong forms), F5..FF (above U+10FFFF)
    lead_2,                 // C2..DF
    lead_e0,                // E0: next byte A0..BF, or the form is overlong
    lead_3,                 // E1..EC, EE, EF
    lead_ed,                // ED: next byte 80..9F, or it encodes a surrogate
    lead_f0,                // F0: next byte 90..BF, or the form is overlong
    lead_4,                 // F1..F3
    lead_f4,                // F4: next byte 80..8F, or it is above U+10FFFF
    byte_class_count
};

// DFA states: what has been seen of the current code point.
enum state_t : std::uint8_t
{
    accept,                 // between code points
    reject,                 // invalid; stays so until reset
    need_1,                 // one continuation byte (80..BF) to go
    need_2,                 // two continuation bytes (80..BF) to go
    need_3,                 // three continuation bytes (80..BF) to go
    after_e0,               // E0 seen: A0..BF, then one more
    after_ed,               // ED seen: 80..9F, then one more
    after_f0,               // F0 seen: 90..BF, then two more
    after_f4,               // F4 seen: 80..8F, then two more
    state_count
};

// Transitions are stored as state * row_size + class, a power of two for cheap indexing.
constexpr std::size_t row_size = 16u;
static_assert( byte_class_count <= row_size, "a DFA row must hold every byte class" );

constexpr std::uint8_t
class_of( unsigned byte ) noexcept
{
    if( byte < 0x80u ) return ascii;
    if( byte < 0x90u ) return continuation_80_8f;
    if( byte < 0xA0u ) return continuation_90_9f;
    if( byte < 0xC0u ) return continuation_a0_bf;
    if( byte < 0xC2u ) return never_valid;
    if( byte < 0xE0u ) return lead_2;
    if( byte == 0xE0u ) return lead_e0;
    if( byte == 0xEDu ) return lead_ed;
    if( byte < 0xF0u ) return lead_3;
    if( byte == 0xF0u ) return lead_f0;
    if( byte < 0xF4u ) return lead_4;
    if( byte == 0xF4u ) return lead_f4;
    return never_valid;
}

constexpr std::array< std::uint8_t, 256 >
make_class_table() noexcept
{
    std::array< std::uint8_t, 256 > table{};
    for( unsigned byte = 0; byte != 256u; ++byte )
        table[ byte ] = class_of( byte );
    return table;
}

constexpr bool
is_continuation( std::uint8_t cls ) noexcept
{
    return continuation_80_8f == cls || continuation_90_9f == cls || continuation_a0_bf == cls;
}

constexpr std::uint8_t
next_state( std::uint8_t state, std::uint8_t cls ) noexcept
{
    switch( state )
    {
    case accept:
        switch( cls )
        {
        case ascii: return accept;
        case lead_2: return need_1;
        case lead_e0: return after_e0;
        case lead_3: return need_2;
        case lead_ed: return after_ed;
        case lead_f0: return after_f0;
        case lead_4: return need_3;
        case lead_f4: return after_f4;
        default: return reject;             // a stray continuation byte, or C0/C1/F5..FF
        }
    case need_1: return is_continuation( cls ) ? accept : reject;
    case need_2: return is_continuation( cls ) ? need_1 : reject;
    case need_3: return is_continuation( cls ) ? need_2 : reject;
    case after_e0: return continuation_a0_bf == cls ? need_1 : reject;
    case after_ed: return continuation_80_8f == cls || continuation_90_9f == cls ?
            need_1 : reject;
    case after_f0: return continuation_90_9f == cls || continuation_a0_bf == cls ?
            need_2 : reject;
    case after_f4: return continuation_80_8f == cls ? need_2 : reject;
    default: return reject;
    }
}

constexpr std::array< std::uint8_t, state_count * row_size >
make_transition_table() noexcept
{
    std::array< std::uint8_t, state_count * row_size > table{};
    for( std::uint8_t state = 0; state != state_count; ++state )
        for( std::uint8_t cls = 0; cls != row_size; ++cls )
            table[ state * row_size + cls ] = next_state( state, cls );
    return table;
}

inline constexpr std::array< std::uint8_t, 256 > class_table = make_class_table();
inline constexpr std::array< std::uint8_t, state_count * row_size > transition_table =
        make_transition_table();

[[nodiscard]] inline std::uint8_t
step( std::uint8_t state, std::uint8_t byte ) noexcept
{
    return transition_table[ state * row_size + class_table[ byte ] ];
}

// What a lead byte allows, for checking a whole sequence at once: its length (0 if the byte
// cannot start a sequence) and the range of the byte after it (RFC 3629 section 4). The DFA
// above encodes the same rules; the differential tests hold the two together.
struct lead_t
{
    std::uint8_t length;
    std::uint8_t second_min;
    std::uint8_t second_max;
};

constexpr lead_t
lead_of( unsigned byte ) noexcept
{
    if( byte < 0x80u ) return { 1, 0x00, 0xFF };
    if( byte < 0xC2u ) return { 0, 0, 0 };
    if( byte < 0xE0u ) return { 2, 0x80, 0xBF };
    if( byte == 0xE0u ) return { 3, 0xA0, 0xBF };
    if( byte == 0xEDu ) return { 3, 0x80, 0x9F };
    if( byte < 0xF0u ) return { 3, 0x80, 0xBF };
    if( byte == 0xF0u ) return { 4, 0x90, 0xBF };
    if( byte < 0xF4u ) return { 4, 0x80, 0xBF };
    if( byte == 0xF4u ) return { 4, 0x80, 0x8F };
    return { 0, 0, 0 };
}

constexpr std::array< lead_t, 256 >
make_lead_table() noexcept
{
    std::array< lead_t, 256 > table{};
    for( unsigned byte = 0; byte != 256u; ++byte )
        table[ byte ] = lead_of( byte );
    return table;
}

inline constexpr std::array< lead_t, 256 > lead_table = make_lead_table();

// The length of the valid sequence at `p`, or 0 if it is not one. `p` must have 4 readable
// bytes, so a valid sequence is always whole; on 0 the caller lets the DFA find the bad byte.
// Branches on the length rather than combining all conditions: the branch is predicted and
// lets the next iteration start early, while a branch-free form puts every load on the
// critical path (measured in bench/protocol_bench.cpp: about half the speed).
[[nodiscard]] inline std::size_t
valid_sequence_length( const std::uint8_t * p ) noexcept
{
    const lead_t lead = lead_table[ p[ 0 ] ];
    if( lead.length < 2u )
        return lead.length;
    if( p[ 1 ] < lead.second_min || p[ 1 ] > lead.second_max )
        return 0u;
    if( 2u == lead.length )
        return 2u;
    if( 0x80u != ( p[ 2 ] & 0xC0u ) )
        return 0u;
    if( 3u == lead.length )
        return 3u;
    return 0x80u == ( p[ 3 ] & 0xC0u ) ? 4u : 0u;
}

// How many bytes at the start of an 8-byte word are ASCII, given the word's high bits
// (word & 0x80..80, not zero). The word was loaded with memcpy, so which end of the integer
// holds the first byte depends on the machine.
[[nodiscard]] inline std::size_t
ascii_prefix_length( std::uint64_t high_bits ) noexcept
{
#if defined( __GNUC__ ) && defined( __BYTE_ORDER__ ) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return static_cast< std::size_t >( __builtin_ctzll( high_bits ) ) / 8u;
#elif defined( __GNUC__ ) && defined( __BYTE_ORDER__ ) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return static_cast< std::size_t >( __builtin_clzll( high_bits ) ) / 8u;
#else
    std::uint8_t bytes[ 8 ];
    std::memcpy( bytes, &high_bits, 8u );
    std::size_t n = 0u;
    while( 0u == bytes[ n ] )
        ++n;
    return n;
#endif
}

#if RESTINIO_HAS_AVX2_TARGET
// The number of bytes at the end of `end - available .. end` that start a code point the
// input does not finish (0 to 3), for bytes already known to hold no bad sequence.
[[nodiscard]] inline std::size_t
open_tail_length( const std::uint8_t * end, std::size_t available ) noexcept
{
    if( available >= 1u && end[ -1 ] >= 0xC0u )
        return 1u;
    if( available >= 2u && end[ -2 ] >= 0xE0u )
        return 2u;
    if( available >= 3u && end[ -3 ] >= 0xF0u )
        return 3u;
    return 0u;
}

// Checking 32 bytes at once (for AVX2). Every rule of RFC 3629 that relates a byte to the one
// before it is a set of (byte before, byte) pairs that is a product of three sets of nibbles:
// the high and low nibble of the byte before and the high nibble of the byte. So each rule is
// one bit, three 16-entry tables give for each nibble the rules it takes part in (one shuffle
// each), and a byte breaks a rule where the three lookups share a bit. The one rule this cannot
// say, "a continuation after a continuation only as the third or fourth byte of a sequence",
// is the last bit, compared with what the two and three bytes before allow.
namespace pair_rules
{

// A set of nibble values, as bits.
constexpr std::uint16_t
nibbles( unsigned first, unsigned last ) noexcept
{
    std::uint16_t set = 0u;
    for( unsigned n = first; n <= last; ++n )
        set = static_cast< std::uint16_t >( set | ( 1u << n ) );
    return set;
}

constexpr std::uint16_t any = nibbles( 0x0u, 0xFu );
constexpr std::uint16_t continuation = nibbles( 0x8u, 0xBu );   // high nibble of 80..BF

struct rule_t
{
    std::uint16_t before_high;
    std::uint16_t before_low;
    std::uint16_t byte_high;
};

// Bit n of a lookup is rule n. Bits may share a rule only where two sets out of three are the
// same (then the union stays a product): F0 8x and F5..FF 8x below.
constexpr rule_t rules[ 8 ] = {
    // A lead byte (or C0, C1, F5..FF) not followed by a continuation.
    { nibbles( 0xCu, 0xFu ), any, static_cast< std::uint16_t >( nibbles( 0x0u, 0x7u ) | nibbles( 0xCu, 0xFu ) ) },
    // A continuation after ASCII.
    { nibbles( 0x0u, 0x7u ), any, continuation },
    // C0, C1: only overlong forms of ASCII.
    { nibbles( 0xCu, 0xCu ), nibbles( 0x0u, 0x1u ), continuation },
    // E0 80..9F: overlong.
    { nibbles( 0xEu, 0xEu ), nibbles( 0x0u, 0x0u ), nibbles( 0x8u, 0x9u ) },
    // ED A0..BF: a surrogate.
    { nibbles( 0xEu, 0xEu ), nibbles( 0xDu, 0xDu ), nibbles( 0xAu, 0xBu ) },
    // F4 90..BF and F5..FF 90..BF: above U+10FFFF.
    { nibbles( 0xFu, 0xFu ), nibbles( 0x4u, 0xFu ), nibbles( 0x9u, 0xBu ) },
    // F0 80..8F (overlong) and F5..FF 80..8F (above U+10FFFF).
    { nibbles( 0xFu, 0xFu ), static_cast< std::uint16_t >( nibbles( 0x0u, 0x0u ) | nibbles( 0x5u, 0xFu ) ),
      nibbles( 0x8u, 0x8u ) },
    // A continuation after a continuation: valid only where the bytes before require it.
    { continuation, any, continuation },
};
constexpr std::uint8_t continuation_after_continuation = 0x80u;

enum class part_t { before_high, before_low, byte_high };

constexpr std::array< std::uint8_t, 16 >
make_table( part_t part ) noexcept
{
    std::array< std::uint8_t, 16 > table{};
    for( unsigned nibble = 0; nibble != 16u; ++nibble )
        for( unsigned bit = 0; bit != 8u; ++bit )
        {
            const rule_t & rule = rules[ bit ];
            const std::uint16_t set = part_t::before_high == part ? rule.before_high
                    : part_t::before_low == part ? rule.before_low : rule.byte_high;
            if( set & ( 1u << nibble ) )
                table[ nibble ] = static_cast< std::uint8_t >( table[ nibble ] | ( 1u << bit ) );
        }
    return table;
}

// inline: the inline functions below use their addresses, which must be the same in every
// translation unit.
inline constexpr std::array< std::uint8_t, 16 > before_high_table = make_table( part_t::before_high );
inline constexpr std::array< std::uint8_t, 16 > before_low_table = make_table( part_t::before_low );
inline constexpr std::array< std::uint8_t, 16 > byte_high_table = make_table( part_t::byte_high );

} /* namespace pair_rules */

__attribute__( ( target( "avx2" ) ) ) inline __m256i
broadcast_table( const std::array< std::uint8_t, 16 > & table ) noexcept
{
    return _mm256_broadcastsi128_si256(
            _mm_loadu_si128( reinterpret_cast< const __m128i * >( table.data() ) ) );
}

// The bytes `n` places before each byte of `bytes`, `before` being the 32 bytes before them.
template< int n >
__attribute__( ( target( "avx2" ) ) ) inline __m256i
bytes_before( __m256i bytes, __m256i before ) noexcept
{
    // alignr works within each 128-bit half: give each half the 16 bytes that precede it.
    return _mm256_alignr_epi8( bytes, _mm256_permute2x128_si256( before, bytes, 0x21 ), 16 - n );
}

// Nonzero where a byte of `bytes` breaks a rule, given the 32 bytes before them.
__attribute__( ( target( "avx2" ) ) ) inline __m256i
rule_breaks( __m256i bytes, __m256i before ) noexcept
{
    const __m256i low_nibble = _mm256_set1_epi8( 0x0F );
    const __m256i before_1 = bytes_before< 1 >( bytes, before );
    const __m256i before_2 = bytes_before< 2 >( bytes, before );
    const __m256i before_3 = bytes_before< 3 >( bytes, before );

    const __m256i broken = _mm256_and_si256(
            _mm256_and_si256(
                    _mm256_shuffle_epi8( broadcast_table( pair_rules::before_high_table ),
                            _mm256_and_si256( _mm256_srli_epi16( before_1, 4 ), low_nibble ) ),
                    _mm256_shuffle_epi8( broadcast_table( pair_rules::before_low_table ),
                            _mm256_and_si256( before_1, low_nibble ) ) ),
            _mm256_shuffle_epi8( broadcast_table( pair_rules::byte_high_table ),
                    _mm256_and_si256( _mm256_srli_epi16( bytes, 4 ), low_nibble ) ) );

    // The third byte of a sequence follows E0..FF by two, the fourth F0..FF by three: there a
    // continuation must follow a continuation, and nowhere else. The saturating subtraction
    // leaves the top bit set exactly for those bytes.
    const __m256i continuation_required = _mm256_and_si256(
            _mm256_or_si256(
                    _mm256_subs_epu8( before_2, _mm256_set1_epi8( static_cast< char >( 0xE0 - 0x80 ) ) ),
                    _mm256_subs_epu8( before_3, _mm256_set1_epi8( static_cast< char >( 0xF0 - 0x80 ) ) ) ),
            _mm256_set1_epi8( static_cast< char >( pair_rules::continuation_after_continuation ) ) );
    return _mm256_xor_si256( broken, continuation_required );
}

// The length of a prefix of `data` that is valid UTF-8 ending between code points, found 64
// bytes at a time; `data` must start between code points. It stops before the first 64 bytes
// that hold a bad sequence, and before a code point the checked bytes leave open, so the
// caller's byte-exact checking takes over from there.
__attribute__( ( target( "avx2" ) ) ) inline std::size_t
valid_prefix_avx2( const std::uint8_t * data, std::size_t size ) noexcept
{
    __m256i before = _mm256_setzero_si256();
    bool code_point_open = false;       // by the end of the bytes checked so far
    std::size_t i = 0u;
    for( ; size - i >= 64u; i += 64u )
    {
        const __m256i first = _mm256_loadu_si256( reinterpret_cast< const __m256i * >( data + i ) );
        const __m256i second = _mm256_loadu_si256( reinterpret_cast< const __m256i * >( data + i + 32u ) );
        // ASCII that closes no open code point needs no more checking.
        if( 0 != _mm256_movemask_epi8( _mm256_or_si256( first, second ) ) || code_point_open )
        {
            const __m256i breaks = _mm256_or_si256(
                    rule_breaks( first, before ), rule_breaks( second, first ) );
            if( !_mm256_testz_si256( breaks, breaks ) )
                break;
            code_point_open = 0u != open_tail_length( data + i + 64u, 64u );
        }
        before = second;
    }
    return i - open_tail_length( data + i, i );
}
#endif

} /* namespace utf8 */

} /* namespace impl */

class utf8_checker_t
{
public:
    // Feeds one byte. Returns false once the text is invalid, and keeps returning false until
    // reset().
    bool
    process_byte( std::uint8_t byte ) noexcept
    {
        m_state = impl::utf8::step( m_state, byte );
        return impl::utf8::reject != m_state;
    }

    // Feeds a span. Returns `size` if every byte was acceptable (a code point may still be
    // open: see finalized()), or else the offset of the first byte that makes the text invalid.
    // After a failure every later call returns 0 until reset().
    [[nodiscard]] std::size_t
    process( const std::uint8_t * data, std::size_t size ) noexcept
    {
        // A block is the unit the DFA runs over without checking for failure on every byte;
        // `reject` is absorbing, so a failed block is re-run to find the exact byte.
        constexpr std::size_t block_size = 16u;
        constexpr std::uint64_t high_bits = 0x8080808080808080u;

        std::uint8_t state = m_state;
        if( impl::utf8::reject == state )
            return 0u;

        std::size_t i = 0u;
        while( i != size )
        {
            if( impl::utf8::accept == state )
            {
#if RESTINIO_HAS_AVX2_TARGET
                if( size - i >= 64u && restinio::impl::has_avx2() )
                    i += impl::utf8::valid_prefix_avx2( data + i, size - i );
#endif
                // ASCII fast path: only while no code point is open. The loads go through
                // memcpy, so alignment and aliasing are not an issue; compilers emit plain
                // 8-byte loads.
                for( ; size - i >= block_size; i += block_size )
                {
                    std::uint64_t first;
                    std::uint64_t second;
                    std::memcpy( &first, data + i, 8u );
                    std::memcpy( &second, data + i + 8u, 8u );
                    if( 0u != ( ( first | second ) & high_bits ) )
                        break;
                }
                // Text with a few multi-byte code points: skip the ASCII run before each one in
                // a step, then check the code point whole. 12 readable bytes leave at least 4
                // after the longest run (7), as valid_sequence_length needs. Anything else (a
                // bad sequence, or one the input may cut short) goes to the DFA below, which
                // decides where it fails or carries it to the next call.
                bool sequence_failed = false;
                const std::size_t sequences_end = size - i > 4u * block_size ?
                        i + 4u * block_size : size;
                while( i < sequences_end && size - i >= 12u )
                {
                    std::uint64_t word;
                    std::memcpy( &word, data + i, 8u );
                    const std::uint64_t word_high_bits = word & high_bits;
                    if( 0u == word_high_bits )
                    {
                        i += 8u;
                        continue;
                    }
                    i += impl::utf8::ascii_prefix_length( word_high_bits );
                    const std::size_t length = impl::utf8::valid_sequence_length( data + i );
                    if( 0u == length )
                    {
                        sequence_failed = true;
                        break;
                    }
                    i += length;
                }
                if( !sequence_failed && i >= sequences_end )
                    continue;
            }

            const std::size_t block_start = i;
            const std::uint8_t block_start_state = state;
            const std::size_t block_end = size - i > block_size ? i + block_size : size;
            for( ; i != block_end; ++i )
                state = impl::utf8::step( state, data[ i ] );

            if( impl::utf8::reject == state )
            {
                state = block_start_state;
                for( i = block_start; ; ++i )
                {
                    state = impl::utf8::step( state, data[ i ] );
                    if( impl::utf8::reject == state )
                        break;
                }
                m_state = impl::utf8::reject;
                return i;
            }
        }

        m_state = state;
        return size;
    }

    // True when the bytes so far are valid and end between code points: the state a text
    // message must be in when its final frame ends (RFC 6455 8.1).
    [[nodiscard]] bool
    finalized() const noexcept
    {
        return impl::utf8::accept == m_state;
    }

    // True once a byte made the text invalid.
    [[nodiscard]] bool
    failed() const noexcept
    {
        return impl::utf8::reject == m_state;
    }

    void
    reset() noexcept
    {
        m_state = impl::utf8::accept;
    }

private:
    std::uint8_t m_state = impl::utf8::accept;
};

// Whole-buffer check: valid UTF-8 that ends between code points.
[[nodiscard]] inline bool
is_valid_utf8( const std::uint8_t * data, std::size_t size ) noexcept
{
    utf8_checker_t checker;
    return checker.process( data, size ) == size && checker.finalized();
}

} /* namespace utils */

} /* namespace restinio */
