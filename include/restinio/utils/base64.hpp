// Base64 (RFC 4648 section 4, standard alphabet, with padding) for the WebSocket handshake.
//
// RFC 6455 uses it twice: the client's Sec-WebSocket-Key must decode to 16 bytes (4.2.1), and
// Sec-WebSocket-Accept is the encoding of a SHA-1 digest (4.2.2). The API follows RESTinio's
// restinio::utils::base64: encode, decode (which throws exception_t on malformed input: callers
// that face network input check with is_valid_base64_string first), is_valid_base64_string.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace restinio
{

namespace utils
{

namespace base64
{

namespace impl
{

constexpr const char * alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Marks a byte that is not in the alphabet.
constexpr std::uint8_t not_base64 = 0xFFu;

constexpr std::array< std::uint8_t, 256 >
make_decoding_table() noexcept
{
    std::array< std::uint8_t, 256 > table{};
    for( auto & value : table )
        value = not_base64;
    for( std::uint8_t i = 0; i != 64u; ++i )
        table[ static_cast< std::uint8_t >( alphabet[ i ] ) ] = i;
    return table;
}

constexpr std::array< std::uint8_t, 256 > decoding_table = make_decoding_table();

[[nodiscard]] inline std::uint8_t
sextet_of( char c ) noexcept
{
    return decoding_table[ static_cast< std::uint8_t >( c ) ];
}

} /* namespace impl */

// True if `str` is a whole padded encoding: a multiple of 4 characters from the alphabet, with
// at most two '=' and only at the end. The empty string is the valid encoding of nothing.
[[nodiscard]] inline bool
is_valid_base64_string( string_view_t str ) noexcept
{
    if( str.size() % 4u != 0u )
        return false;

    std::size_t padding = 0u;
    if( !str.empty() && '=' == str.back() )
    {
        padding = 1u;
        if( '=' == str[ str.size() - 2u ] )
            padding = 2u;
    }

    for( std::size_t i = 0; i != str.size() - padding; ++i )
        if( impl::not_base64 == impl::sextet_of( str[ i ] ) )
            return false;
    return true;
}

[[nodiscard]] inline std::string
encode( string_view_t str )
{
    std::string result;
    result.reserve( ( str.size() + 2u ) / 3u * 4u );

    const auto byte_at = [ &str ]( std::size_t i ) -> std::uint32_t {
        return static_cast< std::uint8_t >( str[ i ] );
    };

    std::size_t i = 0u;
    for( ; str.size() - i >= 3u; i += 3u )
    {
        const std::uint32_t group = ( byte_at( i ) << 16 ) | ( byte_at( i + 1u ) << 8 ) |
                byte_at( i + 2u );
        result.push_back( impl::alphabet[ ( group >> 18 ) & 0x3Fu ] );
        result.push_back( impl::alphabet[ ( group >> 12 ) & 0x3Fu ] );
        result.push_back( impl::alphabet[ ( group >> 6 ) & 0x3Fu ] );
        result.push_back( impl::alphabet[ group & 0x3Fu ] );
    }

    const std::size_t rest = str.size() - i;
    if( 0u != rest )
    {
        std::uint32_t group = byte_at( i ) << 16;
        if( 2u == rest )
            group |= byte_at( i + 1u ) << 8;
        result.push_back( impl::alphabet[ ( group >> 18 ) & 0x3Fu ] );
        result.push_back( impl::alphabet[ ( group >> 12 ) & 0x3Fu ] );
        result.push_back( 2u == rest ? impl::alphabet[ ( group >> 6 ) & 0x3Fu ] : '=' );
        result.push_back( '=' );
    }
    return result;
}

// Throws exception_t if `str` is not a valid padded encoding (see is_valid_base64_string).
// Bits left over in the last character are ignored, as RFC 4648 3.5 allows a decoder to.
[[nodiscard]] inline std::string
decode( string_view_t str )
{
    if( !is_valid_base64_string( str ) )
        throw exception_t{ "base64::decode(): the argument is not a valid base64 string" };

    std::string result;
    result.reserve( str.size() / 4u * 3u );

    std::uint32_t bits = 0u;
    unsigned bit_count = 0u;
    for( const char c : str )
    {
        if( '=' == c )
            break;
        bits = ( bits << 6 ) | impl::sextet_of( c );
        bit_count += 6u;
        if( bit_count >= 8u )
        {
            bit_count -= 8u;
            result.push_back( static_cast< char >(
                    static_cast< std::uint8_t >( bits >> bit_count ) ) );
            bits &= ( 1u << bit_count ) - 1u;
        }
    }
    return result;
}

} /* namespace base64 */

} /* namespace utils */

} /* namespace restinio */
