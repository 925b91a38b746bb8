// The zlib codecs of permessage-deflate: round trips fed at every split point, context
// takeover, the size limit enforced while inflating (a zip bomb), and bad data.
#include <restinio/websocket/deflate.hpp>
#include <restinio/websocket/impl/permessage_deflate.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace rws = restinio::websocket::basic;
namespace rwi = restinio::websocket::basic::impl;

namespace
{

constexpr std::size_t unlimited = static_cast< std::size_t >( -1 );

// JSON-like text: repetitive keys, varying numbers, as chat and market data are.
std::string
json_like( std::size_t n, unsigned seed = 1 )
{
    std::mt19937 rng{ seed };
    std::string text;
    while( text.size() < n )
        text += "{\"symbol\":\"ABC" + std::to_string( rng() % 50 ) + "\",\"price\":" +
                std::to_string( rng() % 100000 ) + ",\"qty\":" + std::to_string( rng() % 1000 ) + "},";
    text.resize( n );
    return text;
}

std::string
compress( rwi::deflater_t & deflater, const std::string & message )
{
    std::string out;
    deflater.compress( message.data(), message.size(), out );
    return out;
}

// Inflates `compressed` fed in pieces cut at `cuts` (ascending), then the message's end.
rwi::inflate_status_t
inflate_in_pieces( rwi::inflater_t & inflater, const std::string & compressed,
    const std::vector< std::size_t > & cuts, std::string & out, std::size_t limit = unlimited )
{
    const auto * data = reinterpret_cast< const std::uint8_t * >( compressed.data() );
    std::size_t from = 0;
    auto room = [ & ] { return unlimited == limit ? unlimited : limit - out.size(); };
    for( std::size_t cut : cuts )
    {
        const auto status = inflater.inflate( data + from, cut - from, out, room() );
        if( rwi::inflate_status_t::ok != status )
            return status;
        from = cut;
    }
    const auto status = inflater.inflate( data + from, compressed.size() - from, out, room() );
    if( rwi::inflate_status_t::ok != status )
        return status;
    return inflater.finish_message( out, room() );
}

const auto engine = rws::make_zlib_deflate().engine();

} // namespace

TEST_CASE( "round trip, the compressed bytes cut at every point", "[websocket][deflate][codec]" )
{
    const auto deflater = engine->make_deflater( 15, false );
    const auto inflater = engine->make_inflater( 15 );
    for( std::size_t size : { 0u, 1u, 2u, 64u, 300u, 2000u } )
    {
        const std::string message = json_like( size );
        const std::string compressed = compress( *deflater, message );
        deflater->reset();
        for( std::size_t cut = 0; cut <= compressed.size(); ++cut )
        {
            INFO( "size " << size << ", cut at " << cut );
            std::string out;
            REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, compressed, { cut }, out ) );
            REQUIRE( out == message );
            inflater->reset();
        }
        // Byte by byte.
        std::vector< std::size_t > cuts;
        for( std::size_t i = 1; i < compressed.size(); ++i )
            cuts.push_back( i );
        std::string out;
        REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, compressed, cuts, out ) );
        REQUIRE( out == message );
        inflater->reset();
    }
}

TEST_CASE( "round trip of large messages at random cuts, every window size", "[websocket][deflate][codec]" )
{
    std::mt19937 rng{ 7 };
    for( int bits = 9; bits <= 15; ++bits )
    {
        const auto deflater = engine->make_deflater( bits, false );
        const auto inflater = engine->make_inflater( bits );
        for( std::size_t size : { 70'000u, 1u << 20 } )
        {
            INFO( "window bits " << bits << ", size " << size );
            const std::string message = json_like( size, static_cast< unsigned >( bits ) );
            const std::string compressed = compress( *deflater, message );
            CHECK( compressed.size() < message.size() / 2 );
            std::vector< std::size_t > cuts;
            for( std::size_t at = 0; at < compressed.size(); at += 1 + rng() % 5000 )
                cuts.push_back( at );
            std::string out;
            REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, compressed, cuts, out ) );
            REQUIRE( out == message );
            deflater->reset();
            inflater->reset();
        }
    }
}

TEST_CASE( "with context takeover, later messages refer to earlier ones", "[websocket][deflate][codec]" )
{
    const auto deflater = engine->make_deflater( 15, false );
    const auto inflater = engine->make_inflater( 15 );
    const std::string message = json_like( 1000 );
    const std::string first = compress( *deflater, message );
    const std::string second = compress( *deflater, message );
    CHECK( second.size() < first.size() / 4 );

    std::string out;
    REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, first, {}, out ) );
    out.clear();
    REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, second, {}, out ) );
    CHECK( out == message );

    // A fresh decompressor does not know the window the second message refers to.
    const auto fresh = engine->make_inflater( 15 );
    out.clear();
    CHECK( rwi::inflate_status_t::ok != inflate_in_pieces( *fresh, second, {}, out ) );
}

TEST_CASE( "an 8-bit client window inflates", "[websocket][deflate][codec]" )
{
    const auto inflater = engine->make_inflater( 8 );
    const auto deflater = engine->make_deflater( 9, false );
    const std::string message = json_like( 300 );
    std::string out;
    REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, compress( *deflater, message ), {}, out ) );
    CHECK( out == message );
}

TEST_CASE( "a zip bomb stops at the limit, having allocated no more", "[websocket][deflate][codec]" )
{
    const std::string zeros( 64u << 20, '\0' );
    const auto deflater = rws::make_zlib_deflate( rws::deflate_options_t{}.compression_level( 9 ) )
            .engine()->make_deflater( 15, false );
    const std::string bomb = compress( *deflater, zeros );
    REQUIRE( bomb.size() < 100'000u );

    for( std::size_t limit : { 0u, 1u, 1000u, 1u << 20 } )
    {
        INFO( "limit " << limit );
        const auto inflater = engine->make_inflater( 15 );
        std::string out;
        CHECK( rwi::inflate_status_t::too_big == inflate_in_pieces( *inflater, bomb, { bomb.size() / 2 }, out, limit ) );
        CHECK( out.size() <= limit + 1u );
        CHECK( out.capacity() <= std::max< std::size_t >( limit + 1u, 64u ) );
    }

    // Exactly at the limit is fine.
    const auto inflater = engine->make_inflater( 15 );
    std::string out;
    CHECK( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, bomb, {}, out, zeros.size() ) );
    CHECK( out.size() == zeros.size() );
}

TEST_CASE( "bad data is reported", "[websocket][deflate][codec]" )
{
    struct row_t { const char * name; std::string bytes; };
    const row_t rows[] = {
        { "reserved block type 11", std::string( "\x07\x00", 2 ) },
        { "stored block with a bad length check", std::string( "\x00\x05\x00\x00\x00", 5 ) },
        { "too many length or distance symbols", std::string( "\xfc\xff", 2 ) },
    };
    for( const auto & row : rows )
    {
        INFO( row.name );
        const auto inflater = engine->make_inflater( 15 );
        std::string out;
        CHECK( rwi::inflate_status_t::bad_data == inflate_in_pieces( *inflater, row.bytes, {}, out ) );
    }
}

TEST_CASE( "a message ended with BFINAL takes the appended tail", "[websocket][deflate][codec]" )
{
    // A fixed-Huffman final block holding "a" (as zlib writes with Z_FINISH, raw).
    const std::string final_block( "\x4b\x04\x00", 3 );
    const auto inflater = engine->make_inflater( 15 );
    std::string out;
    REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, final_block, {}, out ) );
    CHECK( out == "a" );
    inflater->reset();
    out.clear();
    REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, final_block, {}, out ) );
    CHECK( out == "a" );
}

TEST_CASE( "the compressor's memory level: 8 shared, 4 a connection's own, unless set", "[websocket][deflate][codec]" )
{
    CHECK( 8 == rws::deflate_options_t{}.mem_level_for( false ) );
    CHECK( 4 == rws::deflate_options_t{}.mem_level_for( true ) );
    for( const bool takeover : { false, true } )
    {
        CHECK( 6 == rws::deflate_options_t{}.mem_level( 6 ).mem_level_for( takeover ) );
        CHECK( 1 == rws::deflate_options_t{}.mem_level( 0 ).mem_level_for( takeover ) );
        CHECK( 9 == rws::deflate_options_t{}.mem_level( 12 ).mem_level_for( takeover ) );
    }

    // A connection's own compressor keeps its window: the second of two equal messages, sent
    // with context takeover, comes out shorter, and both inflate on one stream.
    const auto deflater = engine->make_deflater( 15, true );
    const auto inflater = engine->make_inflater( 15 );
    const std::string message = json_like( 1000 );
    const std::string first = compress( *deflater, message );
    const std::string second = compress( *deflater, message );
    CHECK( second.size() < first.size() );
    for( const std::string * compressed : { &first, &second } )
    {
        std::string out;
        REQUIRE( rwi::inflate_status_t::ok == inflate_in_pieces( *inflater, *compressed, {}, out ) );
        CHECK( out == message );
    }
}

TEST_CASE( "a message sent in frames is compressed on one stream, RSV1 on its first frame",
           "[websocket][deflate][codec]" )
{
    // Both directions with the same parameters, so that a second connection's receiving side
    // can inflate what the first one sends.
    const bool takeover = GENERATE( false, true );
    INFO( ( takeover ? "context takeover" : "no context takeover" ) );
    rws::deflate_params_t params;
    params.server_no_context_takeover = !takeover;
    params.client_no_context_takeover = !takeover;
    rwi::permessage_deflate_t sender{ engine, params };
    rwi::permessage_deflate_t receiver{ engine, params };
    constexpr std::uint64_t limit = 1u << 20;

    // What the receiver makes of one message's frames, compressed by the sender.
    const auto round_trip = [ & ]( const std::vector< std::pair< rws::opcode_t, std::string > > & frames ) {
        std::string inflated;
        receiver.start_message();
        for( std::size_t i = 0; i != frames.size(); ++i )
        {
            const bool last = i + 1 == frames.size();
            restinio::writable_item_t payload{ frames[ i ].second };
            const bool rsv1 = sender.compress_frame( frames[ i ].first,
                    last ? rws::final_frame : rws::not_final_frame, payload );
            CHECK( rsv1 == ( 0 == i ) );
            const auto wire = payload.buf();
            REQUIRE( rwi::frame_error_t::none == receiver.inflate(
                    static_cast< const std::uint8_t * >( wire.data() ), wire.size(), inflated, limit ) );
        }
        REQUIRE( rwi::frame_error_t::none == receiver.finish_message( inflated, limit ) );
        return inflated;
    };

    const std::string text = json_like( 5000 );
    using op = rws::opcode_t;
    for( int round = 0; round != 2; ++round )
    {
        CHECK( round_trip( { { op::text_frame, text.substr( 0, 10 ) },
                             { op::continuation_frame, text.substr( 10, 2990 ) },
                             { op::continuation_frame, "" },
                             { op::continuation_frame, text.substr( 3000 ) } } ) == text );
        // Frames of any size, an empty first one included; a message sent whole in between.
        CHECK( round_trip( { { op::binary_frame, "" }, { op::continuation_frame, text } } ) == text );
        restinio::writable_item_t whole{ text };
        REQUIRE( sender.compress_frame( op::text_frame, rws::final_frame, whole ) );
        std::string inflated;
        receiver.start_message();
        const auto wire = whole.buf();
        REQUIRE( rwi::frame_error_t::none == receiver.inflate(
                static_cast< const std::uint8_t * >( wire.data() ), wire.size(), inflated, limit ) );
        REQUIRE( rwi::frame_error_t::none == receiver.finish_message( inflated, limit ) );
        CHECK( inflated == text );
    }
}
