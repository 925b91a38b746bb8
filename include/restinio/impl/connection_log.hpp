// connection_log_t: the log lines of one connection, HTTP or WebSocket, as
// "[<kind>:<id>] <message>", formatted only when the logger takes that level (RESTinio's
// loggers call the message builder only then).
#pragma once

#include <restinio/common_types.hpp>

#include <fmt/format.h>

namespace restinio
{
namespace impl
{

template< typename Logger >
class connection_log_t
{
public:
    // `kind` must outlive the log (a string literal).
    connection_log_t( Logger & logger, const char * kind, connection_id_t id ) noexcept
        : m_logger{ logger }, m_kind{ kind }, m_id{ id }
    {}

    template< typename... Args >
    void trace( const char * format, const Args &... args ) const
    {
        m_logger.trace( [&] { return line( format, args... ); } );
    }

    template< typename... Args >
    void warn( const char * format, const Args &... args ) const
    {
        m_logger.warn( [&] { return line( format, args... ); } );
    }

    template< typename... Args >
    void error( const char * format, const Args &... args ) const
    {
        m_logger.error( [&] { return line( format, args... ); } );
    }

private:
    template< typename... Args >
    [[nodiscard]] std::string line( const char * format, const Args &... args ) const
    {
        return fmt::format( "[{}:{}] {}", m_kind, m_id, fmt::format( fmt::runtime( format ), args... ) );
    }

    Logger & m_logger;
    const char * m_kind;
    connection_id_t m_id;
};

} // namespace impl
} // namespace restinio
