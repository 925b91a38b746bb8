// The permessage-deflate paths, each against a baseline measured in the same run: compressing a
// message with the thread's shared compressor (taken from the pool, reset, given back) against a
// compressor made and freed for the message, as a connection without a pool would; and receiving
// a compressed frame (unmask, inflate, UTF-8) against receiving the same message uncompressed.
// On noisy shared machines the ratios are the result. Never asserts a time.
#include <restinio/websocket/deflate.hpp>
#include <restinio/websocket/impl/receiver.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;

namespace
{

const auto engine = rws::make_zlib_deflate().engine();

// JSON-like text (records with the same keys, varying numbers), as in ../shared/bench.
std::string
json_like( std::size_t n )
{
    std::mt19937 rng{ 1 };
    std::string text = "[";
    while( text.size() < n )
        text += "{\"id\":" + std::to_string( rng() % 100000 ) + ",\"user\":\"u" + std::to_string( rng() % 500 ) +
                "\",\"price\":" + std::to_string( rng() % 10000 ) + ".25,\"qty\":" + std::to_string( rng() % 100 ) + "},";
    text.resize( n );
    return text;
}

void
compress_with_shared_compressor( benchmark::State & state )
{
    const std::string message = json_like( static_cast< std::size_t >( state.range( 0 ) ) );
    std::string out;
    auto & pool = rwi::per_thread_codecs< rwi::deflater_t >();
    for( auto _ : state )
    {
        auto deflater = pool.take( engine, 15 );
        deflater->compress( message.data(), message.size(), out );
        deflater->reset();
        pool.give_back( engine, 15, std::move( deflater ) );
        benchmark::DoNotOptimize( out.data() );
    }
    state.SetBytesProcessed( state.iterations() * static_cast< std::int64_t >( message.size() ) );
}

void
compress_with_compressor_per_message( benchmark::State & state )
{
    const std::string message = json_like( static_cast< std::size_t >( state.range( 0 ) ) );
    std::string out;
    for( auto _ : state )
    {
        auto deflater = engine->make_deflater( 15, false );
        deflater->compress( message.data(), message.size(), out );
        benchmark::DoNotOptimize( out.data() );
    }
    state.SetBytesProcessed( state.iterations() * static_cast< std::int64_t >( message.size() ) );
}

// A masked client frame carrying `payload` (RSV1 if `compressed`).
std::vector< std::uint8_t >
client_frame( const std::string & payload, bool compressed )
{
    std::vector< std::uint8_t > frame{ static_cast< std::uint8_t >( compressed ? 0xC1 : 0x81 ) };
    const std::uint8_t key[ 4 ] = { 0x37, 0xFA, 0x21, 0x3D };
    if( payload.size() <= 125 )
        frame.push_back( static_cast< std::uint8_t >( 0x80 | payload.size() ) );
    else
    {
        frame.push_back( 0x80 | 127 );
        for( int shift = 56; shift >= 0; shift -= 8 )
            frame.push_back( static_cast< std::uint8_t >( static_cast< std::uint64_t >( payload.size() ) >> shift ) );
    }
    frame.insert( frame.end(), key, key + 4 );
    for( std::size_t i = 0; i != payload.size(); ++i )
        frame.push_back( static_cast< std::uint8_t >( payload[ i ] ) ^ key[ i % 4 ] );
    return frame;
}

struct size_sink_t
{
    std::size_t bytes = 0;
    void on_frame( rws::final_frame_flag_t, rws::opcode_t, std::string && payload ) { bytes += payload.size(); }
};

void
receive( benchmark::State & state, bool compressed )
{
    const std::string message = json_like( static_cast< std::size_t >( state.range( 0 ) ) );
    std::string body = message;
    if( compressed )
        engine->make_deflater( 15, false )->compress( message.data(), message.size(), body );
    const auto wire = client_frame( body, compressed );
    rws::deflate_params_t params;
    params.client_no_context_takeover = true;
    rwi::receiver_t receiver;
    receiver.enable_deflate( engine, params );
    size_sink_t sink;
    std::vector< std::uint8_t > buffer;
    for( auto _ : state )
    {
        buffer = wire;     // unmasked in place: a fresh copy each time, in both variants
        if( rwi::frame_error_t::none != receiver.consume( buffer.data(), buffer.size(), sink ) )
            state.SkipWithError( "the receiver failed" );
    }
    state.SetBytesProcessed( state.iterations() * static_cast< std::int64_t >( message.size() ) );
    state.counters[ "wire/payload" ] = static_cast< double >( wire.size() ) / static_cast< double >( message.size() );
}

void receive_compressed( benchmark::State & state ) { receive( state, true ); }
void receive_uncompressed( benchmark::State & state ) { receive( state, false ); }

} // namespace

BENCHMARK( compress_with_shared_compressor )->Arg( 1024 )->Arg( 64 * 1024 );
BENCHMARK( compress_with_compressor_per_message )->Arg( 1024 )->Arg( 64 * 1024 );
BENCHMARK( receive_compressed )->Arg( 1024 )->Arg( 64 * 1024 );
BENCHMARK( receive_uncompressed )->Arg( 1024 )->Arg( 64 * 1024 );

BENCHMARK_MAIN();
