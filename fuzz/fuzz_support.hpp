// What the fuzz targets share: an invariant check that says which invariant broke, and a
// reader that takes the control bytes (limits, split points, options) off the front of an
// input, so that one input is both the configuration and the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

// Aborts, naming the broken invariant: libFuzzer then saves the input as a crash.
#define FUZZ_REQUIRE( condition ) \
    ( ( condition ) ? static_cast< void >( 0 ) \
                    : fuzz_support::invariant_broken( #condition, __FILE__, __LINE__ ) )

namespace fuzz_support
{

[[noreturn]] inline void
invariant_broken( const char * condition, const char * file, int line )
{
    std::fprintf( stderr, "%s:%d: invariant broken: %s\n", file, line, condition );
    std::abort();
}

class input_reader_t
{
public:
    input_reader_t( const std::uint8_t * data, std::size_t size ) noexcept
        : m_data{ data }, m_size{ size }
    {}

    // The next control byte; 0 once the input is used up.
    std::uint8_t byte() noexcept
    {
        if( 0 == m_size )
            return 0;
        --m_size;
        return *m_data++;
    }

    // Sizes of successive reads: a count byte (0-15) then that many bytes, each a size of
    // 1-256. No sizes means one read of everything.
    std::vector< std::size_t > piece_sizes()
    {
        std::vector< std::size_t > sizes( byte() % 16u );
        for( auto & s : sizes )
            s = std::size_t{ byte() } + 1u;
        return sizes;
    }

    // Everything not taken yet.
    std::string_view rest() const noexcept
    {
        return { reinterpret_cast< const char * >( m_data ), m_size };
    }

private:
    const std::uint8_t * m_data;
    std::size_t m_size;
};

// Cuts `whole` into successive pieces with the given sizes (cycled); one piece if there are
// none. Each piece goes to `feed( offset, size )`, which returns false to stop.
template< typename Feed >
void
for_each_piece( std::size_t whole, const std::vector< std::size_t > & sizes, Feed && feed )
{
    std::size_t offset = 0;
    for( std::size_t i = 0; offset < whole; ++i )
    {
        std::size_t n = whole - offset;
        if( !sizes.empty() && sizes[ i % sizes.size() ] < n )
            n = sizes[ i % sizes.size() ];
        if( !feed( offset, n ) )
            return;
        offset += n;
    }
}

} // namespace fuzz_support
