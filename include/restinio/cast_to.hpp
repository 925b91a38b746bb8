// cast_to<T>( text ): converts a route or query parameter to the type a handler wants.
//
// Supported: the 8- to 64-bit signed and unsigned integers, float, double, std::string and
// string_view_t. Numbers use std::from_chars, so there is no locale, no allocation and no
// leading whitespace; the whole text must be the number (an optional leading '+' is allowed),
// and a value out of the type's range is an error. Any failure throws exception_t naming the
// text and the type.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>
#include <type_traits>

namespace restinio
{

namespace impl
{

template< typename T >
constexpr const char * cast_to_type_name() noexcept
{
    if constexpr( std::is_same_v< T, float > )
        return "float";
    else if constexpr( std::is_same_v< T, double > )
        return "double";
    else if constexpr( std::is_signed_v< T > )
    {
        if constexpr( sizeof( T ) == 1 ) return "int8";
        else if constexpr( sizeof( T ) == 2 ) return "int16";
        else if constexpr( sizeof( T ) == 4 ) return "int32";
        else return "int64";
    }
    else
    {
        if constexpr( sizeof( T ) == 1 ) return "uint8";
        else if constexpr( sizeof( T ) == 2 ) return "uint16";
        else if constexpr( sizeof( T ) == 4 ) return "uint32";
        else return "uint64";
    }
}

template< typename T >
[[noreturn]] void throw_cast_error( string_view_t text, const char * why )
{
    std::string message{ "unable to convert '" };
    message.append( text.data(), text.size() );
    message += "' to ";
    message += cast_to_type_name< T >();
    message += ": ";
    message += why;
    throw exception_t{ message };
}

template< typename T >
inline constexpr bool is_castable_number_v =
    ( std::is_integral_v< T > && !std::is_same_v< T, bool > && sizeof( T ) <= 8 )
    || std::is_same_v< T, float > || std::is_same_v< T, double >;

template< typename T >
T parse_number( string_view_t text )
{
    string_view_t digits = text;
    // from_chars takes '-' but not '+'; "+-1" must still fail, so skip only a '+' before a digit.
    if( digits.size() > 1 && digits[ 0 ] == '+' && digits[ 1 ] != '-' )
        digits.remove_prefix( 1 );

    T value{};
    const char * const end = digits.data() + digits.size();
    std::from_chars_result r;
    if constexpr( std::is_floating_point_v< T > )
        r = std::from_chars( digits.data(), end, value, std::chars_format::general );
    else
        r = std::from_chars( digits.data(), end, value, 10 );

    if( r.ec == std::errc::result_out_of_range )
        throw_cast_error< T >( text, "value out of range" );
    if( r.ec != std::errc{} || r.ptr != end )
        throw_cast_error< T >( text, "not a number" );
    return value;
}

} // namespace impl

template< typename Value_Type >
[[nodiscard]] Value_Type cast_to( string_view_t str_representation )
{
    if constexpr( std::is_same_v< Value_Type, std::string > )
        return std::string{ str_representation };
    else if constexpr( std::is_same_v< Value_Type, string_view_t > )
        return str_representation;
    else
    {
        static_assert( impl::is_castable_number_v< Value_Type >,
            "cast_to<T> supports integers of 8 to 64 bits, float, double, std::string and "
            "string_view_t" );
        return impl::parse_number< Value_Type >( str_representation );
    }
}

} // namespace restinio
