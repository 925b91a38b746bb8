// The TLS 1.3 record layer a connection uses after its handshake (impl/tls13_records.hpp),
// against a model of RFC 8446's rules. The input is a suite byte, then records a client would
// send: each a kind byte (bit 0x80: one byte of the sealed record flipped; 0x40: the content
// is 64 times as long; 0x20: first five bytes of a record header to check alone), a content
// type byte, a length byte, a padding byte, and the content.
// Each is sealed with the client's current keys and opened by the server; the model says what
// must come of it (the data, nothing, the end of input, or exactly which alert), and a
// KeyUpdate the server was asked for must come back, sealed with the server's keys.
#include "fuzz_support.hpp"

#include <restinio/impl/tls13_records.hpp>

#include <algorithm>
#include <cstring>

namespace
{

using namespace restinio::impl::tls13;
using restinio::impl::byte_buffer_t;
using opened_t = record_protection_t::opened_t;

struct expected_t
{
    opened_t opened{ opened_t::nothing };
    int error{ -1 };        // an alert: sent (value) or received (256 + value); -1: none
    bool key_update{ false };
    bool update_requested{ false };
    std::size_t size{ 0 };  // of the data
};

// What the server must make of a record with this inner plaintext (RFC 8446 5.1, 5.4, 6,
// 4.6.3), given the handshake bytes it holds from earlier records.
expected_t model( const byte_buffer_t & inner, bool corrupted, std::vector< std::uint8_t > & handshake,
                  int & key_updates_in_a_row )
{
    expected_t e;
    const auto fail = [ & ]( alert_t alert ) {
        e.error = static_cast< int >( alert );
        return e;
    };
    if( corrupted )
        return fail( alert_t::bad_record_mac );
    std::size_t size = inner.size();
    while( size != 0 && 0 == inner[ size - 1 ] )
        --size;
    if( 0 == size )
        return fail( alert_t::unexpected_message );
    const std::uint8_t type = inner[ --size ];
    if( size > max_plaintext )
        return fail( alert_t::record_overflow );
    if( 23 == type )
    {
        key_updates_in_a_row = 0;
        if( !handshake.empty() )
            return fail( alert_t::unexpected_message );
        e.opened = opened_t::data;
        e.size = size;
        return e;
    }
    if( 21 == type )
    {
        if( 2 != size || !handshake.empty() )
            return fail( alert_t::decode_error );
        if( 0 == inner[ 1 ] )
            e.opened = opened_t::end_of_input;
        else if( 90 != inner[ 1 ] )
            e.error = 256 + inner[ 1 ];
        return e;
    }
    if( 22 != type || 0 == size )
        return fail( alert_t::unexpected_message );
    for( std::size_t i = 0; i != size; ++i )
    {
        handshake.push_back( inner[ i ] );
        if( 24 != handshake[ 0 ] )
            return fail( alert_t::unexpected_message );
        if( 4 == handshake.size() && ( 0 != handshake[ 1 ] || 0 != handshake[ 2 ] || 1 != handshake[ 3 ] ) )
            return fail( alert_t::decode_error );
        if( 5 != handshake.size() )
            continue;
        const std::uint8_t request = handshake[ 4 ];
        handshake.clear();
        if( i + 1 != size )
            return fail( alert_t::unexpected_message );
        if( request > 1 )
            return fail( alert_t::illegal_parameter );
        if( ++key_updates_in_a_row > 32 )
            return fail( alert_t::unexpected_message );
        e.key_update = true;
        e.update_requested = 1 == request;
    }
    return e;
}

// The one record in `output` (the server's answer to a KeyUpdate): a KeyUpdate that asks for
// nothing, sealed with the server's current keys.
void check_key_update_answer( traffic_keys_t & server_keys, const byte_buffer_t & output )
{
    FUZZ_REQUIRE( output.size() == header_size + 5 + 1 + tag_size );
    byte_buffer_t inner( output.size() - header_size );
    FUZZ_REQUIRE( aead_t::of_this_thread().open( server_keys, output.data(), output.data() + header_size,
                                                 inner.size(), inner.data() ) );
    const std::uint8_t key_update[] = { 24, 0, 0, 1, 0, 22 };
    FUZZ_REQUIRE( 0 == std::memcmp( inner.data(), key_update, sizeof( key_update ) ) );
    FUZZ_REQUIRE( server_keys.update() );
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput( const std::uint8_t * data, std::size_t size )
{
    fuzz_support::input_reader_t input{ data, size };
    const suite_t & suite = suites[ input.byte() % std::size( suites ) ];
    std::uint8_t client_secret[ 48 ];
    std::uint8_t server_secret[ 48 ];
    for( std::size_t i = 0; i != 48; ++i )
    {
        client_secret[ i ] = static_cast< std::uint8_t >( i );
        server_secret[ i ] = static_cast< std::uint8_t >( 0xa0 + i );
    }
    record_protection_t server;
    traffic_keys_t client_keys;
    traffic_keys_t server_keys;
    FUZZ_REQUIRE( server.init( suite, client_secret, server_secret, 0 ) );
    FUZZ_REQUIRE( client_keys.init( suite, client_secret, 0 ) );
    FUZZ_REQUIRE( server_keys.init( suite, server_secret, 0 ) );

    std::vector< std::uint8_t > handshake;
    int key_updates_in_a_row = 0;
    for( int records = 0; records != 64 && !input.rest().empty(); ++records )
    {
        const std::uint8_t kind = input.byte();
        if( kind & 0x20 )
        {
            std::uint8_t header[ header_size ];
            for( auto & b : header )
                b = input.byte();
            const std::size_t length = std::size_t{ header[ 3 ] } << 8 | header[ 4 ];
            int expected = -1;
            if( 23 != header[ 0 ] )
                expected = static_cast< int >( alert_t::unexpected_message );
            else if( 3 != header[ 1 ] || 3 != header[ 2 ] )
                expected = static_cast< int >( alert_t::decode_error );
            else if( length > max_ciphertext )
                expected = static_cast< int >( alert_t::record_overflow );
            else if( length < tag_size + 1 )
                expected = static_cast< int >( alert_t::decode_error );
            restinio::asio_ns::error_code ec;
            FUZZ_REQUIRE( header_size + length == record_protection_t::record_size( header, ec ) );
            FUZZ_REQUIRE( expected < 0 ? !ec : ec.value() == expected );
            continue;
        }
        const std::uint8_t type = input.byte();
        const std::size_t length = std::size_t{ input.byte() } * ( kind & 0x40 ? 64u : 1u ) + ( kind & 0x40 ? 200u : 0u );
        const std::size_t padding = input.byte();
        byte_buffer_t inner;
        for( std::size_t i = 0; i != length; ++i )
            inner.push_back( input.byte() );
        inner.push_back( type );
        inner.insert( inner.end(), padding, 0 );
        if( inner.size() + tag_size > max_ciphertext )
            continue;   // a client's sealing would refuse it; record_size() is checked below

        byte_buffer_t record( header_size + inner.size() + tag_size );
        const std::size_t length_field = inner.size() + tag_size;
        const std::uint8_t header[ header_size ] = { 23, 3, 3, static_cast< std::uint8_t >( length_field >> 8 ),
                                                     static_cast< std::uint8_t >( length_field ) };
        std::memcpy( record.data(), header, header_size );
        FUZZ_REQUIRE( aead_t::of_this_thread().seal( client_keys, record.data(), inner.data(), inner.size() - 1,
                                                     inner.back(), record.data() + header_size ) );
        const bool corrupted = 0 != ( kind & 0x80 );
        if( corrupted )
            record[ header_size + kind % ( record.size() - header_size ) ] ^= 1;

        const expected_t expected = model( inner, corrupted, handshake, key_updates_in_a_row );
        {
            restinio::asio_ns::error_code ec;
            FUZZ_REQUIRE( record.size() == record_protection_t::record_size( record.data(), ec ) && !ec );
            byte_buffer_t out( record.size() - header_size - tag_size );
            byte_buffer_t output;
            std::size_t n = 0;
            const opened_t opened = server.open( record.data(), out.data(), n, output, ec );
            if( expected.error >= 0 )
            {
                FUZZ_REQUIRE( ec && ec.category() == error_category() && ec.value() == expected.error );
                return 0;   // the connection is over
            }
            FUZZ_REQUIRE( !ec );
            FUZZ_REQUIRE( opened == expected.opened );
            if( opened_t::data == opened )
            {
                FUZZ_REQUIRE( n == expected.size );
                FUZZ_REQUIRE( 0 == std::memcmp( out.data(), inner.data(), n ) );
            }
            if( opened_t::end_of_input == opened )
                return 0;
            if( expected.key_update )
                FUZZ_REQUIRE( client_keys.update() );
            if( expected.update_requested )
                check_key_update_answer( server_keys, output );
            else
                FUZZ_REQUIRE( output.empty() );
        }
    }

    // What the server seals, the client opens with the keys it has come to.
    const char text[] = "the server's data";
    byte_buffer_t output;
    FUZZ_REQUIRE( server.seal( content_type_t::application_data, reinterpret_cast< const std::uint8_t * >( text ),
                               sizeof( text ), output ) );
    byte_buffer_t inner( output.size() - header_size - tag_size );
    FUZZ_REQUIRE( aead_t::of_this_thread().open( server_keys, output.data(), output.data() + header_size,
                                                 output.size() - header_size, inner.data() ) );
    FUZZ_REQUIRE( 0 == std::memcmp( inner.data(), text, sizeof( text ) ) && 23 == inner.back() );
    return 0;
}
