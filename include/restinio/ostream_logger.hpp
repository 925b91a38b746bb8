// ostream_logger_t: every message, TRACE included, one line each:
// `[YYYY-MM-DD HH:MM:SS.mmm] TAG: message` in local time. The message builder (a callable
// returning the text) runs only here, so a null logger costs no formatting at all.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>

namespace restinio
{

struct null_mutex_t
{
    constexpr void lock() const noexcept {}
    constexpr bool try_lock() const noexcept { return true; }
    constexpr void unlock() const noexcept {}
};

template< typename Lock >
class ostream_logger_t
{
public:
    ostream_logger_t( const ostream_logger_t & ) = delete;
    ostream_logger_t & operator=( const ostream_logger_t & ) = delete;

    ostream_logger_t() noexcept : m_out{ &std::cout } {}
    ostream_logger_t( std::ostream & out ) noexcept : m_out{ &out } {}

    template< typename Message_Builder >
    void trace( Message_Builder && msg_builder ) { log_message( "TRACE", msg_builder() ); }

    template< typename Message_Builder >
    void info( Message_Builder && msg_builder ) { log_message( " INFO", msg_builder() ); }

    template< typename Message_Builder >
    void warn( Message_Builder && msg_builder ) { log_message( " WARN", msg_builder() ); }

    template< typename Message_Builder >
    void error( Message_Builder && msg_builder ) { log_message( "ERROR", msg_builder() ); }

private:
    void log_message( const char * tag, const std::string & msg )
    {
        const auto now = std::chrono::system_clock::now();
        const auto ms = std::chrono::duration_cast< std::chrono::milliseconds >(
                now.time_since_epoch() ).count() % 1000;
        const std::time_t t = std::chrono::system_clock::to_time_t( now );
        std::tm local{};
        localtime_r( &t, &local );

        const std::string line = fmt::format(
                "[{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}] {}: {}",
                local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                local.tm_hour, local.tm_min, local.tm_sec, ms, tag, msg );

        std::lock_guard< Lock > lock{ m_lock };
        ( *m_out ) << line << std::endl;
    }

    Lock m_lock;
    std::ostream * m_out;
};

using single_threaded_ostream_logger_t = ostream_logger_t< null_mutex_t >;
using shared_ostream_logger_t = ostream_logger_t< std::mutex >;

} // namespace restinio
