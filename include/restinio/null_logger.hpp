// null_logger_t: the logger that never builds a message.
#pragma once

namespace restinio
{

class null_logger_t
{
public:
    template< typename Message_Builder > constexpr void trace( Message_Builder && ) const noexcept {}
    template< typename Message_Builder > constexpr void info( Message_Builder && ) const noexcept {}
    template< typename Message_Builder > constexpr void warn( Message_Builder && ) const noexcept {}
    template< typename Message_Builder > constexpr void error( Message_Builder && ) const noexcept {}
};

} // namespace restinio
