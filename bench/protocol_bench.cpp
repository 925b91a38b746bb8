// Throughput of the pure WebSocket protocol core, each against a byte-at-a-time baseline
// measured in the same run: the receive pipeline (frames/s), unmasking, UTF-8 validation,
// outgoing header encoding and SHA-1. On noisy shared machines the ratio column is the result; the
// absolute numbers only say what this machine did today. Never asserts a time.
#include <restinio/utils/sha1.hpp>
#include <restinio/utils/utf8_checker.hpp>
#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/mask.hpp>
#include <restinio/websocket/impl/receiver.hpp>

#include "sha1_reference.hpp"
#include "utf8_reference.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;
using bytes_t = std::vector< std::uint8_t >;

namespace
{

constexpr rwi::mask_key_t bench_key{ { 0x37, 0xFA, 0x21, 0x3D } };

// Client frames of `frame_size`-byte payloads, back to back, about `total` bytes in all.
bytes_t
make_frames( std::uint8_t first_byte, const std::string & payload, std::size_t total )
{
    bytes_t wire;
    const std::size_t n = payload.size();
    do
    {
        wire.push_back( first_byte );
        if( n <= 125 )
            wire.push_back( static_cast< std::uint8_t >( 0x80 | n ) );
        else if( n <= 0xFFFF )
            wire.insert( wire.end(), { 0xFE, std::uint8_t( n >> 8 ), std::uint8_t( n ) } );
        else
        {
            wire.push_back( 0xFF );
            for( int s = 56; s >= 0; s -= 8 )
                wire.push_back( std::uint8_t( std::uint64_t{ n } >> s ) );
        }
        wire.insert( wire.end(), bench_key.begin(), bench_key.end() );
        for( std::size_t i = 0; i != n; ++i )
            wire.push_back( static_cast< std::uint8_t >( payload[ i ] ) ^ bench_key[ i % 4 ] );
    } while( wire.size() < total );
    return wire;
}

std::string
text_of( const char * kind, std::size_t size )
{
    // ASCII, a European mix (one 2- or 3-byte code point in about eight bytes), and
    // 4-byte-heavy text (emoji with a few ASCII separators).
    std::mt19937 rng{ 42 };
    std::string text;
    const std::string k{ kind };
    while( text.size() < size )
    {
        const unsigned r = rng() % 16;
        if( k == "ascii" )
            text.push_back( static_cast< char >( 'a' + r ) );
        else if( k == "mixed" )
        {
            if( r == 0 ) text += "\xC3\xA9";
            else if( r == 1 ) text += "\xE2\x82\xAC";
            else text.push_back( static_cast< char >( 'a' + r ) );
        }
        else
        {
            if( r < 13 ) text += "\xF0\x9F\x98\x80";
            else text.push_back( ' ' );
        }
    }
    text.resize( size );
    while( !text.empty() && !restinio::utils::is_valid_utf8(
            reinterpret_cast< const std::uint8_t * >( text.data() ), text.size() ) )
        text.pop_back();        // do not end inside a code point
    return text;
}

struct null_sink_t
{
    std::size_t frames = 0;

    void
    on_frame( rws::final_frame_flag_t, rws::opcode_t, std::string && payload )
    {
        benchmark::DoNotOptimize( payload.data() );
        ++frames;
    }
};

// The baseline pipeline: a byte-at-a-time design like the one our style guide means to beat.
// Header bytes go into a string one by one, each payload byte is unmasked with `% 4`,
// checked for UTF-8 and appended on its own.
class byte_at_a_time_receiver_t
{
public:
    template< typename Sink >
    bool
    consume( const std::uint8_t * data, std::size_t size, Sink & sink )
    {
        for( std::size_t i = 0; i != size; ++i )
        {
            const std::uint8_t byte = data[ i ];
            if( m_in_header )
            {
                m_header.push_back( static_cast< char >( byte ) );
                if( m_header.size() >= 2 && m_header.size() == header_size() )
                    start_payload( sink );
            }
            else
            {
                const auto plain = static_cast< std::uint8_t >( byte ^ m_key[ m_received % 4 ] );
                if( m_text && !m_utf8.process_byte( plain ) )
                    return false;
                m_payload.push_back( static_cast< char >( plain ) );
                if( ++m_received == m_length )
                    deliver( sink );
            }
        }
        return true;
    }

private:
    std::size_t
    header_size() const
    {
        const auto b1 = static_cast< std::uint8_t >( m_header[ 1 ] );
        const unsigned code = b1 & 0x7F;
        return 2u + ( code == 126 ? 2u : code == 127 ? 8u : 0u ) + ( ( b1 & 0x80 ) ? 4u : 0u );
    }

    template< typename Sink >
    void
    start_payload( Sink & sink )
    {
        const auto byte = [ this ]( std::size_t i ) { return static_cast< std::uint8_t >( m_header[ i ] ); };
        m_opcode = static_cast< rws::opcode_t >( byte( 0 ) & 0x0F );
        m_final = ( byte( 0 ) & 0x80 ) ? rws::final_frame : rws::not_final_frame;
        m_text = rws::opcode_t::text_frame == m_opcode;
        const unsigned code = byte( 1 ) & 0x7F;
        std::size_t offset = 2;
        m_length = code;
        if( code >= 126 )
        {
            const std::size_t n = code == 126 ? 2 : 8;
            m_length = 0;
            for( std::size_t i = 0; i != n; ++i )
                m_length = ( m_length << 8 ) | byte( offset + i );
            offset += n;
        }
        for( std::size_t i = 0; i != 4; ++i )
            m_key[ i ] = byte( offset + i );
        m_header.clear();
        m_received = 0;
        m_payload.reserve( static_cast< std::size_t >( m_length ) );
        m_in_header = false;
        if( 0 == m_length )
            deliver( sink );
    }

    template< typename Sink >
    void
    deliver( Sink & sink )
    {
        m_in_header = true;
        sink.on_frame( m_final, m_opcode, std::move( m_payload ) );
        m_payload = std::string{};
    }

    bool m_in_header = true;
    std::string m_header;
    rws::opcode_t m_opcode{};
    rws::final_frame_flag_t m_final{};
    bool m_text = false;
    std::uint64_t m_length = 0;
    std::uint64_t m_received = 0;
    std::uint8_t m_key[ 4 ]{};
    restinio::utils::utf8_checker_t m_utf8;
    std::string m_payload;
};

//
// Receive pipeline: frames/s for many frames in one buffer.
//

// Binary frames: the payload is unmasked in place on every pass, so its content changes, which
// binary frames do not mind. Text frames are restored from a pristine copy on each pass.
template< bool Ours >
void
receive( benchmark::State & state, std::uint8_t first_byte, const char * text_kind )
{
    const auto frame_size = static_cast< std::size_t >( state.range( 0 ) );
    const bool is_text = 0x81 == first_byte;
    const std::string payload = is_text ? text_of( text_kind, frame_size ) : std::string( frame_size, 'b' );
    const bytes_t pristine = make_frames( first_byte, payload, std::max< std::size_t >( 4u << 20, 4 * frame_size ) );
    bytes_t wire = pristine;
    const std::size_t frames_per_pass = wire.size() / ( payload.size() + ( frame_size <= 125 ? 6 : frame_size <= 0xFFFF ? 8 : 14 ) );

    for( auto _ : state )
    {
        if( is_text )
            std::copy( pristine.begin(), pristine.end(), wire.begin() );
        null_sink_t sink;
        if constexpr( Ours )
        {
            rwi::receiver_t receiver;
            if( receiver.consume( wire.data(), wire.size(), sink ) != rwi::frame_error_t::none )
                state.SkipWithError( "receiver failed" );
        }
        else
        {
            byte_at_a_time_receiver_t receiver;
            if( !receiver.consume( wire.data(), wire.size(), sink ) )
                state.SkipWithError( "baseline failed" );
        }
        benchmark::DoNotOptimize( sink.frames );
    }
    state.SetItemsProcessed( static_cast< std::int64_t >( state.iterations() * frames_per_pass ) );
    state.SetBytesProcessed( static_cast< std::int64_t >( state.iterations() * wire.size() ) );
}

void receive_binary_ours( benchmark::State & s ) { receive< true >( s, 0x82, "" ); }
void receive_binary_baseline( benchmark::State & s ) { receive< false >( s, 0x82, "" ); }
void receive_text_mixed_ours( benchmark::State & s ) { receive< true >( s, 0x81, "mixed" ); }
void receive_text_mixed_baseline( benchmark::State & s ) { receive< false >( s, 0x81, "mixed" ); }

BENCHMARK( receive_binary_ours )->Arg( 32 )->Arg( 4096 )->Arg( 1 << 20 );
BENCHMARK( receive_binary_baseline )->Arg( 32 )->Arg( 4096 )->Arg( 1 << 20 );
BENCHMARK( receive_text_mixed_ours )->Arg( 32 )->Arg( 4096 )->Arg( 1 << 20 );
BENCHMARK( receive_text_mixed_baseline )->Arg( 32 )->Arg( 4096 )->Arg( 1 << 20 );

//
// Unmasking
//

void
unmask_ours( benchmark::State & state )
{
    bytes_t data( static_cast< std::size_t >( state.range( 0 ) ), 0x5A );
    for( auto _ : state )
    {
        // Offset 1 and an odd start: the general case, not the aligned one.
        rwi::unmask( data.data() + 1, data.size() - 1, bench_key, 1 );
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed( static_cast< std::int64_t >( state.iterations() * ( data.size() - 1 ) ) );
}

void
unmask_baseline( benchmark::State & state )
{
    bytes_t data( static_cast< std::size_t >( state.range( 0 ) ), 0x5A );
    for( auto _ : state )
    {
        std::uint8_t * p = data.data() + 1;
        const std::size_t n = data.size() - 1;
        for( std::size_t i = 0; i != n; ++i )
        {
            p[ i ] ^= bench_key[ ( i + 1 ) % 4 ];
            benchmark::DoNotOptimize( p[ i ] );    // keep it a byte loop, as written
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed( static_cast< std::int64_t >( state.iterations() * ( data.size() - 1 ) ) );
}

BENCHMARK( unmask_ours )->Arg( 4096 )->Arg( 1 << 20 );
BENCHMARK( unmask_baseline )->Arg( 4096 )->Arg( 1 << 20 );

//
// UTF-8 validation, 1 MiB of text
//

template< int Variant >
void
utf8( benchmark::State & state, const char * kind )
{
    const std::string text = text_of( kind, 1 << 20 );
    const auto * data = reinterpret_cast< const std::uint8_t * >( text.data() );
    for( auto _ : state )
    {
        bool ok = false;
        if constexpr( 0 == Variant )
        {
            restinio::utils::utf8_checker_t checker;
            ok = checker.process( data, text.size() ) == text.size() && checker.finalized();
        }
        else if constexpr( 1 == Variant )
        {
            restinio::utils::utf8_checker_t checker;
            ok = true;
            for( std::size_t i = 0; i != text.size() && ok; ++i )
                ok = checker.process_byte( data[ i ] );
        }
        else
            ok = utf8_reference::validate( data, text.size() ).complete;
        if( !ok )
            state.SkipWithError( "invalid text" );
        benchmark::DoNotOptimize( ok );
    }
    state.SetBytesProcessed( static_cast< std::int64_t >( state.iterations() * text.size() ) );
}

void utf8_ascii_ours( benchmark::State & s ) { utf8< 0 >( s, "ascii" ); }
void utf8_ascii_dfa_byte_loop( benchmark::State & s ) { utf8< 1 >( s, "ascii" ); }
void utf8_ascii_baseline( benchmark::State & s ) { utf8< 2 >( s, "ascii" ); }
void utf8_mixed_ours( benchmark::State & s ) { utf8< 0 >( s, "mixed" ); }
void utf8_mixed_dfa_byte_loop( benchmark::State & s ) { utf8< 1 >( s, "mixed" ); }
void utf8_mixed_baseline( benchmark::State & s ) { utf8< 2 >( s, "mixed" ); }
void utf8_4byte_ours( benchmark::State & s ) { utf8< 0 >( s, "4byte" ); }
void utf8_4byte_dfa_byte_loop( benchmark::State & s ) { utf8< 1 >( s, "4byte" ); }
void utf8_4byte_baseline( benchmark::State & s ) { utf8< 2 >( s, "4byte" ); }

BENCHMARK( utf8_ascii_ours );
BENCHMARK( utf8_ascii_dfa_byte_loop );
BENCHMARK( utf8_ascii_baseline );
BENCHMARK( utf8_mixed_ours );
BENCHMARK( utf8_mixed_dfa_byte_loop );
BENCHMARK( utf8_mixed_baseline );
BENCHMARK( utf8_4byte_ours );
BENCHMARK( utf8_4byte_dfa_byte_loop );
BENCHMARK( utf8_4byte_baseline );

//
// Outgoing header encoding
//

void
header_ours( benchmark::State & state )
{
    // Not const: DoNotOptimize on a modifiable value makes the compiler assume it changed, so
    // the encoding cannot be hoisted out of the loop.
    auto size = static_cast< std::uint64_t >( state.range( 0 ) );
    rwi::frame_header_buffer_t buffer;
    for( auto _ : state )
    {
        benchmark::DoNotOptimize( size );
        const std::size_t n = rwi::write_frame_header( buffer, rws::final_frame, rws::opcode_t::binary_frame, size );
        benchmark::DoNotOptimize( n );
        benchmark::DoNotOptimize( buffer.data() );
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed( static_cast< std::int64_t >( state.iterations() ) );
}

// The baseline builds the header in a fresh std::string per frame.
void
header_baseline( benchmark::State & state )
{
    auto size = static_cast< std::uint64_t >( state.range( 0 ) );
    for( auto _ : state )
    {
        benchmark::DoNotOptimize( size );
        std::string header;
        header.push_back( static_cast< char >( 0x82 ) );
        if( size <= 125 )
            header.push_back( static_cast< char >( size ) );
        else
        {
            const int bytes = size <= 0xFFFF ? 2 : 8;
            header.push_back( static_cast< char >( bytes == 2 ? 126 : 127 ) );
            for( int i = bytes - 1; i >= 0; --i )
                header.push_back( static_cast< char >( size >> ( 8 * i ) ) );
        }
        benchmark::DoNotOptimize( header.data() );
    }
    state.SetItemsProcessed( static_cast< std::int64_t >( state.iterations() ) );
}

BENCHMARK( header_ours )->Arg( 100 )->Arg( 200 )->Arg( 70000 );
BENCHMARK( header_baseline )->Arg( 100 )->Arg( 200 )->Arg( 70000 );

//
// SHA-1: the 60 bytes of key and GUID a WebSocket handshake hashes (RFC 6455 4.2.2), and 4 KiB,
// against the textbook reference the unit tests check it with
//

template< bool Ours >
void
sha1( benchmark::State & state, const std::string & input )
{
    const auto * data = reinterpret_cast< const std::uint8_t * >( input.data() );
    if( sha1_reference::digest( data, input.size() ) != restinio::utils::sha1::make_digest( data, input.size() ) )
        state.SkipWithError( "digests differ" );
    for( auto _ : state )
    {
        restinio::utils::sha1::digest_t digest;
        if constexpr( Ours )
            digest = restinio::utils::sha1::make_digest( data, input.size() );
        else
            digest = sha1_reference::digest( data, input.size() );
        // Its "memory" clobber also stops the input from being taken as unchanged, so the
        // digest cannot be computed once and hoisted out of the loop.
        benchmark::DoNotOptimize( digest );
    }
    state.SetBytesProcessed( static_cast< std::int64_t >( state.iterations() * input.size() ) );
}

const std::string websocket_key_and_guid =
        std::string{ "dGhlIHNhbXBsZSBub25jZQ==" } + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void sha1_websocket_key_ours( benchmark::State & s ) { sha1< true >( s, websocket_key_and_guid ); }
void sha1_websocket_key_baseline( benchmark::State & s ) { sha1< false >( s, websocket_key_and_guid ); }
void sha1_4096_ours( benchmark::State & s ) { sha1< true >( s, text_of( "ascii", 4096 ) ); }
void sha1_4096_baseline( benchmark::State & s ) { sha1< false >( s, text_of( "ascii", 4096 ) ); }

BENCHMARK( sha1_websocket_key_ours );
BENCHMARK( sha1_websocket_key_baseline );
BENCHMARK( sha1_4096_ours );
BENCHMARK( sha1_4096_baseline );

// Prints the usual console output, then a summary: each "_ours" run against the "_baseline"
// run of the same case, as a speed ratio (baseline time / our time).
class ratio_reporter_t : public benchmark::ConsoleReporter
{
public:
    void
    ReportRuns( const std::vector< Run > & runs ) override
    {
        for( const auto & run : runs )
            if( !run.error_occurred && run.run_type == Run::RT_Iteration )
                m_runs[ run.benchmark_name() ] = run;
        ConsoleReporter::ReportRuns( runs );
    }

    void
    Finalize() override
    {
        ConsoleReporter::Finalize();
        std::printf( "\n%-30s %18s %18s %9s\n", "case", "ours", "baseline", "ratio" );
        for( const auto & [ name, ours ] : m_runs )
        {
            const auto at = name.find( "_ours" );
            if( std::string::npos == at )
                continue;
            const std::string other = std::string( name ).replace( at, 5, "_baseline" );
            const auto baseline = m_runs.find( other );
            if( m_runs.end() == baseline )
                continue;
            const std::string label = std::string( name ).erase( at, 5 );
            std::printf( "%-30s %18s %18s %8.1fx\n", label.c_str(), rate( ours ).c_str(),
                    rate( baseline->second ).c_str(),
                    baseline->second.GetAdjustedRealTime() / ours.GetAdjustedRealTime() );
        }
    }

private:
    static std::string
    rate( const Run & run )
    {
        char text[ 64 ];
        const auto bytes = run.counters.find( "bytes_per_second" );
        const auto items = run.counters.find( "items_per_second" );
        if( run.counters.end() != items && run.benchmark_name().rfind( "header", 0 ) == 0 )
            std::snprintf( text, sizeof( text ), "%.2f ns/hdr", run.GetAdjustedRealTime() );
        else if( run.counters.end() != items && items->second.value >= 1e6 )
            std::snprintf( text, sizeof( text ), "%.2f M frames/s", items->second.value / 1e6 );
        else if( run.counters.end() != items )
            std::snprintf( text, sizeof( text ), "%.2f k frames/s", items->second.value / 1e3 );
        else if( run.counters.end() != bytes )
            std::snprintf( text, sizeof( text ), "%.2f GB/s", bytes->second.value / 1e9 );
        else
            std::snprintf( text, sizeof( text ), "%.1f ns", run.GetAdjustedRealTime() );
        return text;
    }

    std::map< std::string, Run > m_runs;
};

} // namespace

int
main( int argc, char ** argv )
{
    benchmark::AddCustomContext( "build", RESTINIO_BENCH_BUILD_INFO );
    benchmark::Initialize( &argc, argv );
    if( benchmark::ReportUnrecognizedArguments( argc, argv ) )
        return 1;
    ratio_reporter_t reporter;
    benchmark::RunSpecifiedBenchmarks( &reporter );
    benchmark::Shutdown();
    return 0;
}
