// libFuzzer differential target: the fast UTF-8 checker against the naive reference in
// test/unit/utf8_reference.hpp, including the position of the first bad byte.
//
// Byte 0 picks where the input is cut in two (the checker must carry a code point across the
// cut); the rest is the text.
#include <restinio/utils/utf8_checker.hpp>

#include "utf8_reference.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int
LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    if( size < 1 )
        return 0;
    const std::size_t text_size = size - 1;
    const std::size_t cut = text_size == 0 ? 0 : data[ 0 ] % ( text_size + 1 );
    const std::vector< std::uint8_t > first( data + 1, data + 1 + cut );
    const std::vector< std::uint8_t > second( data + 1 + cut, data + size );

    restinio::utils::utf8_checker_t checker;
    std::size_t first_invalid = text_size;
    const std::size_t a = checker.process( first.data(), first.size() );
    if( a != first.size() )
        first_invalid = a;
    else
    {
        const std::size_t b = checker.process( second.data(), second.size() );
        if( b != second.size() )
            first_invalid = cut + b;
    }

    const auto expected = utf8_reference::validate( data + 1, text_size );
    if( expected.first_invalid != first_invalid ||
            ( first_invalid == text_size && expected.complete != checker.finalized() ) )
        std::abort();
    return 0;
}
