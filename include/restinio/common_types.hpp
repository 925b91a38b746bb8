// Small vocabulary types shared by the whole library: request handling results, ids, endpoints,
// and the error category for write failures that never reached the socket.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace restinio
{

enum class request_handling_status_t : std::uint8_t
{
    accepted,
    rejected,
    not_handled
};

[[nodiscard]] constexpr request_handling_status_t request_accepted() noexcept
{
    return request_handling_status_t::accepted;
}

[[nodiscard]] constexpr request_handling_status_t request_rejected() noexcept
{
    return request_handling_status_t::rejected;
}

[[nodiscard]] constexpr request_handling_status_t request_not_handled() noexcept
{
    return request_handling_status_t::not_handled;
}

using request_id_t = unsigned int;
using connection_id_t = std::uint64_t;
using endpoint_t = asio_ns::ip::tcp::endpoint;

template< typename T > using nullable_pointer_t = T *;
template< typename T > using not_null_pointer_t = T *;

// RESTinio 0.6 names for what C++17 has in std::.
template< typename T > using optional_t = std::optional< T >;
using std::nullopt;
template< typename... Ts > using variant_t = std::variant< Ts... >;
using std::get;
using std::get_if;
using std::visit;
using std::holds_alternative;

using error_category_base_t = asio_ns::error_category;

// Why a write completion handler got an error although the socket never reported one.
enum class asio_convertible_error_t : int
{
    write_was_not_executed = 100,
    write_group_destroyed_passively,
    async_write_call_failed,
    async_read_some_at_call_failed,
    // Not in RESTinio: a WebSocket frame not sent, its connection's write queue being over its
    // limit (websocket_send_queue_limit()).
    write_queue_limit_exceeded
};

namespace impl
{

class restinio_err_category_t final : public error_category_base_t
{
public:
    const char * name() const noexcept override { return "restinio"; }

    std::string message( int value ) const override
    {
        switch( static_cast< asio_convertible_error_t >( value ) )
        {
            case asio_convertible_error_t::write_was_not_executed:
                return "write operation was not executed";
            case asio_convertible_error_t::write_group_destroyed_passively:
                return "write group destroyed without being written";
            case asio_convertible_error_t::async_write_call_failed:
                return "async_write call failed";
            case asio_convertible_error_t::async_read_some_at_call_failed:
                return "async_read_some_at call failed";
            case asio_convertible_error_t::write_queue_limit_exceeded:
                return "not sent: the connection's write queue is over its limit";
        }
        return "unknown restinio error";
    }
};

} // namespace impl

inline const error_category_base_t & restinio_err_category()
{
    static const impl::restinio_err_category_t instance;
    return instance;
}

// The misspelling is RESTinio's public name.
inline asio_ns::error_code make_asio_compaible_error( asio_convertible_error_t err ) noexcept
{
    return asio_ns::error_code{ static_cast< int >( err ), restinio_err_category() };
}

inline bool error_is_operation_aborted( const asio_ns::error_code & ec ) noexcept
{
    return ec == asio_ns::error::operation_aborted;
}

inline bool error_is_eof( const asio_ns::error_code & ec ) noexcept
{
    return ec == asio_ns::error::eof;
}

using default_asio_executor = asio_ns::any_io_executor;

namespace impl
{

// A connection's socket: on its io_context's own executor (8 bytes) rather than on asio's
// polymorphic any_io_executor (56 bytes in every connection, and a type lookup each time the
// connection asks whether it runs on its thread).
using tcp_socket_t = asio_ns::basic_stream_socket< asio_ns::ip::tcp, asio_ns::io_context::executor_type >;

} // namespace impl

namespace fmtlib_tools
{

// Formats a value through its operator<<, as fmt::streamed does.
template< typename T >
decltype( auto ) streamed( T && v ) noexcept
{
    return fmt::streamed( std::forward< T >( v ) );
}

} // namespace fmtlib_tools

} // namespace restinio
