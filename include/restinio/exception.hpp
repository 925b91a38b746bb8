// restinio::exception_t: the exception the library throws for misuse and setup errors.
//
// Bad input from the network is never reported with it; it is answered on the wire instead.
#pragma once

#include <restinio/string_view.hpp>

#include <stdexcept>
#include <string>

namespace restinio
{

class exception_t : public std::runtime_error
{
public:
    explicit exception_t( const char * err ) : std::runtime_error{ err } {}
    explicit exception_t( const std::string & err ) : std::runtime_error{ err } {}
    explicit exception_t( string_view_t err ) : std::runtime_error{ std::string{ err } } {}
};

} // namespace restinio
