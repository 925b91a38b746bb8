// Tests of the incremental UTF-8 checker: the RFC 3629 boundary table, exhaustive short
// sequences and every scalar value, and a differential test against the naive reference in
// utf8_reference.hpp on mutated text at random split points, fail-fast position included.
#include <restinio/utils/utf8_checker.hpp>

#include "utf8_reference.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

using restinio::utils::utf8_checker_t;
using bytes_t = std::vector< std::uint8_t >;

namespace
{

constexpr std::size_t valid = static_cast< std::size_t >( -1 );

bytes_t
from_hex( const char * hex )
{
    bytes_t result;
    std::string digits;
    for( const char * p = hex; *p; ++p )
        if( *p != ' ' )
            digits.push_back( *p );
    for( std::size_t i = 0; i + 1 < digits.size(); i += 2 )
        result.push_back( static_cast< std::uint8_t >( std::stoul( digits.substr( i, 2 ), nullptr, 16 ) ) );
    return result;
}

// A naive encoder for any value up to 0x1FFFFF, surrogates included, for building test input.
bytes_t
encode( std::uint32_t cp )
{
    if( cp < 0x80 )
        return { static_cast< std::uint8_t >( cp ) };
    if( cp < 0x800 )
        return { static_cast< std::uint8_t >( 0xC0 | ( cp >> 6 ) ),
                static_cast< std::uint8_t >( 0x80 | ( cp & 0x3F ) ) };
    if( cp < 0x10000 )
        return { static_cast< std::uint8_t >( 0xE0 | ( cp >> 12 ) ),
                static_cast< std::uint8_t >( 0x80 | ( ( cp >> 6 ) & 0x3F ) ),
                static_cast< std::uint8_t >( 0x80 | ( cp & 0x3F ) ) };
    return { static_cast< std::uint8_t >( 0xF0 | ( cp >> 18 ) ),
            static_cast< std::uint8_t >( 0x80 | ( ( cp >> 12 ) & 0x3F ) ),
            static_cast< std::uint8_t >( 0x80 | ( ( cp >> 6 ) & 0x3F ) ),
            static_cast< std::uint8_t >( 0x80 | ( cp & 0x3F ) ) };
}

struct outcome_t
{
    std::size_t first_invalid;      // the size when valid
    bool complete;

    bool operator==( const outcome_t & o ) const
    {
        return first_invalid == o.first_invalid && complete == o.complete;
    }
};

std::ostream &
operator<<( std::ostream & to, const outcome_t & o )
{
    return to << "{ first_invalid " << o.first_invalid << ", complete " << o.complete << " }";
}

// Runs the fast checker over `input` cut at the given offsets (ascending), reporting the
// position in the whole input.
outcome_t
fast_outcome( const bytes_t & input, const std::vector< std::size_t > & cuts = {} )
{
    utf8_checker_t checker;
    std::size_t from = 0;
    std::vector< std::size_t > ends = cuts;
    ends.push_back( input.size() );
    for( const std::size_t to : ends )
    {
        // Each piece in its own exact-size buffer so ASan catches any read past it.
        const bytes_t piece( input.begin() + static_cast< std::ptrdiff_t >( from ),
                input.begin() + static_cast< std::ptrdiff_t >( to ) );
        const std::size_t accepted = checker.process( piece.data(), piece.size() );
        if( accepted != piece.size() )
        {
            CHECK( checker.failed() );
            CHECK_FALSE( checker.finalized() );
            return { from + accepted, false };
        }
        from = to;
    }
    return { input.size(), checker.finalized() };
}

outcome_t
byte_outcome( const bytes_t & input )
{
    utf8_checker_t checker;
    for( std::size_t i = 0; i != input.size(); ++i )
        if( !checker.process_byte( input[ i ] ) )
            return { i, false };
    return { input.size(), checker.finalized() };
}

outcome_t
reference_outcome( const bytes_t & input )
{
    const auto r = utf8_reference::validate( input.data(), input.size() );
    return { r.first_invalid, r.complete };
}

// The bytes where the rules of RFC 3629 change.
const std::uint8_t edges[] = { 0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
        0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF };

} // namespace

TEST_CASE( "RFC 3629 boundaries, overlongs, surrogates and truncations", "[utf8]" )
{
    struct row_t
    {
        const char * name;
        const char * hex;
        std::size_t fails_at;   // `valid`, or the offset of the first bad byte
        bool complete;          // for valid input: ends between code points
    };

    const row_t rows[] = {
        { "empty", "", valid, true },
        { "ASCII", "48 65 6C 6C 6F 00 7F", valid, true },
        { "Kuhn 1: kosme", "CE BA E1 BD B9 CF 83 CE BC CE B5", valid, true },
        // Kuhn 2.1 / 2.2: first and last code points of each length.
        { "U+0080", "C2 80", valid, true },
        { "U+07FF", "DF BF", valid, true },
        { "U+0800", "E0 A0 80", valid, true },
        { "U+FFFF", "EF BF BF", valid, true },
        { "U+10000", "F0 90 80 80", valid, true },
        { "U+10FFFF", "F4 8F BF BF", valid, true },
        // Kuhn 2.3: other boundaries.
        { "U+D7FF, just below the surrogates", "ED 9F BF", valid, true },
        { "U+E000, just above the surrogates", "EE 80 80", valid, true },
        { "U+FFFD", "EF BF BD", valid, true },
        { "noncharacter U+FFFE is valid UTF-8", "EF BF BE", valid, true },
        { "E1..EC lead, low continuations", "E1 80 80 EC BF BF", valid, true },
        { "F1..F3 lead", "F1 80 80 80 F3 BF BF BF", valid, true },
        // Kuhn 3.1: unexpected continuation bytes.
        { "lone 80", "80", 0, false },
        { "lone BF", "BF", 0, false },
        { "continuation after ASCII", "61 80", 1, false },
        { "too many continuations", "C2 80 80", 2, false },
        // Kuhn 3.2: lead bytes followed by a space.
        { "C2 then space", "C2 20", 1, false },
        { "E1 then space", "E1 20", 1, false },
        { "F1 then space", "F1 20", 1, false },
        { "E2 82 then ASCII", "E2 82 41", 2, false },
        { "F0 90 80 then ASCII", "F0 90 80 41", 3, false },
        { "E2 28 A1: bad second byte", "E2 28 A1", 1, false },
        // Kuhn 3.3 / 3.4: truncated sequences at the end of the input.
        { "C2 at the end", "C2", valid, false },
        { "E0 A0 at the end", "E0 A0", valid, false },
        { "E0 at the end", "E0", valid, false },
        { "F0 90 80 at the end", "F0 90 80", valid, false },
        { "F4 8F at the end", "F4 8F", valid, false },
        { "ASCII then E2 82 at the end", "61 62 63 E2 82", valid, false },
        // Kuhn 3.5: bytes that never appear.
        { "C0", "C0", 0, false },
        { "C1", "C1", 0, false },
        { "F5", "F5", 0, false },
        { "F7", "F7 BF BF BF", 0, false },
        { "F8 (5-byte form)", "F8 88 80 80 80", 0, false },
        { "FC (6-byte form)", "FC 84 80 80 80 80", 0, false },
        { "FE", "FE", 0, false },
        { "FF", "FF", 0, false },
        { "ASCII then FF", "41 42 FF", 2, false },
        // Kuhn 4: overlong forms fail at the first byte that proves them overlong.
        { "overlong '/' in 2 bytes", "C0 AF", 0, false },
        { "overlong '/' in 3 bytes", "E0 80 AF", 1, false },
        { "overlong '/' in 4 bytes", "F0 80 80 AF", 1, false },
        { "largest overlong in 2 bytes", "C1 BF", 0, false },
        { "largest overlong in 3 bytes", "E0 9F BF", 1, false },
        { "largest overlong in 4 bytes", "F0 8F BF BF", 1, false },
        { "overlong NUL in 3 bytes", "E0 80 80", 1, false },
        // Kuhn 5: surrogates, single and paired.
        { "U+D800", "ED A0 80", 1, false },
        { "U+DBFF", "ED AF BF", 1, false },
        { "U+DC00", "ED B0 80", 1, false },
        { "U+DFFF", "ED BF BF", 1, false },
        { "surrogate pair D800 DC00", "ED A0 80 ED B0 80", 1, false },
        { "surrogate after valid text", "61 ED A0 80", 2, false },
        // Above U+10FFFF.
        { "U+110000", "F4 90 80 80", 1, false },
        { "U+13FFFF", "F4 BF BF BF", 1, false },
        { "F4 90 alone fails at 90", "F4 90", 1, false },
        // Long runs around the 8/16-byte fast path.
        { "16 ASCII then a bad byte", "41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 80", 16, false },
        { "15 ASCII then a split 2-byte", "41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 C3 A9 41", valid, true },
        { "bad byte inside the second 8-byte word",
            "41 41 41 41 41 41 41 41 41 41 41 FF 41 41 41 41 41 41 41 41", 11, false },
        { "multi-byte runs then a surrogate late in a block",
            "C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 E2 82 AC ED A0 80", 18, false },
    };

    for( const auto & row : rows )
    {
        INFO( row.name << ": " << row.hex );
        const bytes_t input = from_hex( row.hex );
        const outcome_t expected{ valid == row.fails_at ? input.size() : row.fails_at, row.complete };
        CHECK( fast_outcome( input ) == expected );
        CHECK( byte_outcome( input ) == expected );
        CHECK( reference_outcome( input ) == expected );
        for( std::size_t cut = 0; cut <= input.size(); ++cut )
        {
            INFO( "cut at " << cut );
            CHECK( fast_outcome( input, { cut } ) == expected );
        }
    }
}

TEST_CASE( "every scalar value is valid, every surrogate is not", "[utf8]" )
{
    bytes_t all;
    all.reserve( 4 * 0x110000 );
    for( std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp )
    {
        if( cp >= 0xD800 && cp <= 0xDFFF )
        {
            const bytes_t bad = encode( cp );
            utf8_checker_t checker;
            REQUIRE( checker.process( bad.data(), bad.size() ) == 1 );
            continue;
        }
        const bytes_t good = encode( cp );
        all.insert( all.end(), good.begin(), good.end() );
    }
    CHECK( fast_outcome( all ) == outcome_t{ all.size(), true } );
    CHECK( byte_outcome( all ) == outcome_t{ all.size(), true } );

    for( std::uint32_t cp = 0x110000; cp <= 0x1FFFFF; cp += 0x1111 )
    {
        const bytes_t too_big = encode( cp );
        INFO( "value " << cp );
        CHECK( fast_outcome( too_big ).first_invalid == ( too_big[ 0 ] == 0xF4 ? 1u : 0u ) );
    }
}

TEST_CASE( "all short sequences agree with the reference", "[utf8]" )
{
    // Every 1- and 2-byte input, then every 4-byte input over the bytes where the rules change.
    for( unsigned a = 0; a != 256; ++a )
    {
        const bytes_t one{ static_cast< std::uint8_t >( a ) };
        REQUIRE( fast_outcome( one ) == reference_outcome( one ) );
        for( unsigned b = 0; b != 256; ++b )
        {
            const bytes_t two{ static_cast< std::uint8_t >( a ), static_cast< std::uint8_t >( b ) };
            INFO( a << " " << b );
            REQUIRE( fast_outcome( two ) == reference_outcome( two ) );
            REQUIRE( byte_outcome( two ) == reference_outcome( two ) );
        }
    }

    for( const auto a : edges )
        for( const auto b : edges )
            for( const auto c : edges )
                for( const auto d : edges )
                {
                    const bytes_t four{ a, b, c, d };
                    const outcome_t expected = reference_outcome( four );
                    if( !( fast_outcome( four ) == expected ) || !( byte_outcome( four ) == expected ) )
                    {
                        INFO( int( a ) << " " << int( b ) << " " << int( c ) << " " << int( d ) );
                        REQUIRE( fast_outcome( four ) == expected );
                        REQUIRE( byte_outcome( four ) == expected );
                    }
                }
}

TEST_CASE( "sequences placed across the 32- and 64-byte steps of the vector path", "[utf8]" )
{
    // The vector path takes 64 bytes a step from where no code point is open, and relates each
    // byte to the three before it across its 32-byte halves: every 3-byte combination of edges,
    // and every 4-byte one across the middle step, in 140 bytes of ASCII or of 2-byte code
    // points (so that the ASCII shortcut is not taken). At an odd offset in the 2-byte text
    // the placed bytes cut a code point: the reference says what that gives.
    bytes_t ascii( 140, 'a' );
    bytes_t two_byte;
    while( two_byte.size() < 140 )
        two_byte.insert( two_byte.end(), { 0xC3, 0xA9 } );
    const auto check = []( bytes_t text, std::size_t at, std::initializer_list< std::uint8_t > bytes ) {
        std::copy( bytes.begin(), bytes.end(), text.begin() + static_cast< std::ptrdiff_t >( at ) );
        const outcome_t expected = reference_outcome( text );
        if( !( fast_outcome( text ) == expected ) )
        {
            std::string placed;
            for( const auto b : bytes )
                placed += " " + std::to_string( b );
            INFO( "at " << at << ":" << placed );
            REQUIRE( fast_outcome( text ) == expected );
        }
    };
    for( const auto & fill : { ascii, two_byte } )
    {
        for( const std::size_t at : { 0, 1, 29, 30, 31, 32, 33, 61, 62, 63, 64, 65, 94, 95, 126, 127, 137 } )
            for( const auto a : edges )
                for( const auto b : edges )
                    for( const auto c : edges )
                        check( fill, at, { a, b, c } );
        for( const auto a : edges )
            for( const auto b : edges )
                for( const auto c : edges )
                    for( const auto d : edges )
                        check( fill, 62, { a, b, c, d } );
    }
}

TEST_CASE( "differential: mutated text at random split points", "[utf8]" )
{
    const std::uint32_t seed = 20240601;
    INFO( "seed " << seed );
    std::mt19937 rng{ seed };

    const auto random_text = [ &rng ]( std::size_t code_points ) {
        bytes_t text;
        for( std::size_t i = 0; i != code_points; ++i )
        {
            std::uint32_t cp = 0;
            switch( rng() % 5 )
            {
            case 0: case 1: cp = rng() % 0x80; break;                   // ASCII-heavy
            case 2: cp = 0x80 + rng() % ( 0x800 - 0x80 ); break;
            case 3: do cp = 0x800 + rng() % ( 0x10000 - 0x800 ); while( cp >= 0xD800 && cp <= 0xDFFF ); break;
            default: cp = 0x10000 + rng() % ( 0x110000 - 0x10000 ); break;
            }
            const bytes_t encoded = encode( cp );
            text.insert( text.end(), encoded.begin(), encoded.end() );
        }
        return text;
    };

    for( int iteration = 0; iteration != 25000; ++iteration )
    {
        // Long texts from 20000 on: many steps of the vector path, mutated anywhere.
        bytes_t text = random_text( iteration < 20000 ? rng() % 40 : 40 + rng() % 200 );
        if( rng() % 3 == 0 )
            text.insert( text.begin(), 16 + rng() % 40, 'a' );     // reach the fast path
        const int mutations = static_cast< int >( rng() % 3 );
        for( int m = 0; m != mutations && !text.empty(); ++m )
        {
            const std::size_t at = rng() % text.size();
            switch( rng() % 4 )
            {
            case 0: text[ at ] = static_cast< std::uint8_t >( rng() ); break;
            case 1: text[ at ] ^= static_cast< std::uint8_t >( 1u << ( rng() % 8 ) ); break;
            case 2: text.erase( text.begin() + static_cast< std::ptrdiff_t >( at ) ); break;
            default: text.resize( at ); break;
            }
        }

        std::vector< std::size_t > cuts;
        const std::size_t cut_count = text.empty() ? 0 : rng() % 4;
        for( std::size_t c = 0; c != cut_count; ++c )
            cuts.push_back( rng() % ( text.size() + 1 ) );
        std::sort( cuts.begin(), cuts.end() );

        const outcome_t expected = reference_outcome( text );
        if( !( fast_outcome( text, cuts ) == expected ) || !( byte_outcome( text ) == expected ) )
        {
            std::string hex;
            for( const auto b : text )
                hex += std::to_string( b ) + " ";
            INFO( "iteration " << iteration << ", input " << hex );
            REQUIRE( fast_outcome( text, cuts ) == expected );
            REQUIRE( byte_outcome( text ) == expected );
        }
    }
}

TEST_CASE( "utf8_checker_t keeps RESTinio's byte interface", "[utf8]" )
{
    utf8_checker_t checker;
    CHECK( checker.finalized() );
    CHECK( checker.process_byte( 0xE2 ) );
    CHECK_FALSE( checker.finalized() );
    CHECK( checker.process_byte( 0x82 ) );
    CHECK( checker.process_byte( 0xAC ) );
    CHECK( checker.finalized() );

    // Once invalid, it stays invalid until reset.
    CHECK_FALSE( checker.process_byte( 0xFF ) );
    CHECK_FALSE( checker.process_byte( 'a' ) );
    CHECK_FALSE( checker.finalized() );
    const std::uint8_t ascii[] = { 'a', 'b' };
    CHECK( checker.process( ascii, 2 ) == 0 );

    checker.reset();
    CHECK( checker.finalized() );
    CHECK( checker.process_byte( 'a' ) );
    CHECK( checker.process( nullptr, 0 ) == 0 );
    CHECK( checker.finalized() );

    const std::uint8_t text[] = { 0xCE, 0xBA };
    CHECK( restinio::utils::is_valid_utf8( text, 2 ) );
    CHECK_FALSE( restinio::utils::is_valid_utf8( text, 1 ) );
}
