// A deliberately naive UTF-8 validator, straight from RFC 3629, for differential tests and the
// benchmark's baseline.
//
// It shares nothing with restinio/utils/utf8_checker.hpp: where the checker is a DFA over byte
// classes, this decodes the code point bits seen so far and asks whether any completion of the
// sequence could still be a valid scalar value of the announced length (not overlong, not a
// surrogate, not above U+10FFFF). A byte is the first bad one exactly when the answer becomes
// "no", which gives the fail-fast position directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace utf8_reference
{

struct result_t
{
    // Offset of the first byte no valid text can contain at that place, or the size if none.
    std::size_t first_invalid;
    // True when valid and not ending inside a code point.
    bool complete;
};

// Could a sequence of `length` bytes whose code point starts with the bits `prefix`, followed
// by `bits_left` unknown bits, still be a valid scalar value?
inline bool
completion_possible( std::uint32_t prefix, unsigned bits_left, unsigned length )
{
    const std::uint32_t lowest = prefix << bits_left;
    const std::uint32_t highest = lowest | ( ( std::uint32_t{ 1 } << bits_left ) - 1u );

    std::uint32_t min = 0;
    std::uint32_t max = 0;
    switch( length )
    {
    case 2: min = 0x80; max = 0x7FF; break;
    case 3: min = 0x800; max = 0xFFFF; break;
    default: min = 0x10000; max = 0x10FFFF; break;
    }
    if( highest < min || lowest > max )
        return false;

    // Is [max(lowest, min), min(highest, max)] all surrogates?
    const std::uint32_t from = lowest > min ? lowest : min;
    const std::uint32_t to = highest < max ? highest : max;
    return !( from >= 0xD800 && to <= 0xDFFF );
}

inline result_t
validate( const std::uint8_t * data, std::size_t size )
{
    std::size_t i = 0;
    while( i != size )
    {
        const std::uint8_t lead = data[ i ];
        if( lead < 0x80 )
        {
            ++i;
            continue;
        }

        unsigned length = 0;
        std::uint32_t prefix = 0;
        if( ( lead & 0xE0 ) == 0xC0 ) { length = 2; prefix = lead & 0x1Fu; }
        else if( ( lead & 0xF0 ) == 0xE0 ) { length = 3; prefix = lead & 0x0Fu; }
        else if( ( lead & 0xF8 ) == 0xF0 ) { length = 4; prefix = lead & 0x07u; }
        else
            return { i, false };        // a continuation byte, or a 5/6-byte lead

        if( !completion_possible( prefix, 6 * ( length - 1 ), length ) )
            return { i, false };

        for( unsigned k = 1; k != length; ++k )
        {
            if( i + k == size )
                return { size, false };     // ends inside a code point
            const std::uint8_t next = data[ i + k ];
            if( ( next & 0xC0 ) != 0x80 )
                return { i + k, false };
            prefix = ( prefix << 6 ) | ( next & 0x3Fu );
            if( !completion_possible( prefix, 6 * ( length - 1 - k ), length ) )
                return { i + k, false };
        }
        i += length;
    }
    return { size, true };
}

} // namespace utf8_reference
