// Server settings: the fluent builder every RESTinio user writes,
// `on_this_thread<Traits>().port( 8080 ).address( "localhost" ).request_handler( ... )`.
//
// Every setter has an `&` overload returning `Derived &` (for a named settings object) and an `&&`
// overload returning `Derived &&` (for a chain on a temporary that moves into run()).
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/common_types.hpp>
#include <restinio/connection_state_listener.hpp>
#include <restinio/exception.hpp>
#include <restinio/incoming_http_msg_limits.hpp>
#include <restinio/ip_blocker.hpp>
#include <restinio/traits.hpp>
#include <restinio/websocket/impl/close_payload.hpp>
#include <restinio/websocket/deflate_options.hpp>
#include <restinio/websocket/message.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

namespace restinio
{

// Wraps the acceptor for the acceptor options setter.
class acceptor_options_t
{
public:
    explicit acceptor_options_t( asio_ns::ip::tcp::acceptor & acceptor ) : m_acceptor{ acceptor } {}

    template< typename Option > void set_option( const Option & option ) { m_acceptor.set_option( option ); }
    template< typename Option > void set_option( const Option & option, asio_ns::error_code & ec )
    { m_acceptor.set_option( option, ec ); }
    template< typename Option > void get_option( Option & option ) { m_acceptor.get_option( option ); }
    template< typename Option > void get_option( Option & option, asio_ns::error_code & ec )
    { m_acceptor.get_option( option, ec ); }

private:
    asio_ns::ip::tcp::acceptor & m_acceptor;
};

using acceptor_options_setter_t = std::function< void ( acceptor_options_t & ) >;

// Wraps each accepted socket for the socket options setter.
class socket_options_t
{
public:
    explicit socket_options_t( impl::tcp_socket_t & socket ) : m_socket{ socket } {}

    template< typename Option > void set_option( const Option & option ) { m_socket.set_option( option ); }
    template< typename Option > void set_option( const Option & option, asio_ns::error_code & ec )
    { m_socket.set_option( option, ec ); }
    template< typename Option > void get_option( Option & option ) { m_socket.get_option( option ); }
    template< typename Option > void get_option( Option & option, asio_ns::error_code & ec )
    { m_socket.get_option( option, ec ); }

private:
    impl::tcp_socket_t & m_socket;
};

using socket_options_setter_t = std::function< void ( socket_options_t & ) >;
using acceptor_post_bind_hook_t = std::function< void ( asio_ns::ip::tcp::acceptor & ) >;
using cleanup_functor_t = std::function< void ( void ) >;

// ---- WebSocket flow control (backpressure) ----
// Not in RESTinio: what happens to a frame sent to a WebSocket connection whose write queue is
// over its limit (see websocket_send_queue_limit()).
enum class websocket_send_limit_policy_t
{
    drop_message,       // not sent; its write callback gets write_queue_limit_exceeded
    close_connection    // not sent (its callback told so), and the connection closed with 1008
};
// ---- end of WebSocket flow control ----

namespace details
{

struct no_address_specified_t {};

using address_variant_t = std::variant< no_address_specified_t, std::string, asio_ns::ip::address >;

} // namespace details

// Settings that only a server with this socket type has: none for a TCP socket; tls.hpp adds
// tls_context() and tls_handshake_timelimit() for tls_socket_t.
template< typename Settings, typename Socket >
class socket_type_dependent_settings_t
{
protected:
    ~socket_type_dependent_settings_t() = default;
};

template< typename Derived, typename Traits >
class basic_server_settings_t
    : public socket_type_dependent_settings_t< Derived, typename Traits::stream_socket_t >
{
public:
    using request_handler_t = request_handler_type_from_traits_t< Traits >;
    using logger_t = typename Traits::logger_t;
    using timer_manager_t = typename Traits::timer_manager_t;
    using timer_factory_t = typename timer_manager_t::factory_t;
    using extra_data_factory_t = typename Traits::extra_data_factory_t;
    using extra_data_factory_handle_t = std::shared_ptr< extra_data_factory_t >;

    basic_server_settings_t( std::uint16_t port = 8080,
                             asio_ns::ip::tcp protocol = asio_ns::ip::tcp::v4() )
        : m_port{ port }, m_protocol{ protocol }
    {}

    Derived & port( std::uint16_t p ) & { m_port = p; return self(); }
    Derived && port( std::uint16_t p ) && { return std::move( port( p ) ); }
    [[nodiscard]] std::uint16_t port() const { return m_port; }

    Derived & protocol( asio_ns::ip::tcp p ) & { m_protocol = p; return self(); }
    Derived && protocol( asio_ns::ip::tcp p ) && { return std::move( protocol( p ) ); }
    [[nodiscard]] asio_ns::ip::tcp protocol() const { return m_protocol; }

    Derived & address( std::string addr ) &
    {
        if( addr == "localhost" )
            addr = "127.0.0.1";
        else if( addr == "ip6-localhost" )
            addr = "::1";
        m_address = std::move( addr );
        return self();
    }
    Derived && address( std::string addr ) && { return std::move( address( std::move( addr ) ) ); }

    Derived & address( asio_ns::ip::address addr ) & { m_address = addr; return self(); }
    Derived && address( asio_ns::ip::address addr ) && { return std::move( address( addr ) ); }

    [[nodiscard]] const details::address_variant_t & address() const { return m_address; }

    Derived & buffer_size( std::size_t s ) & { m_buffer_size = s; return self(); }
    Derived && buffer_size( std::size_t s ) && { return std::move( buffer_size( s ) ); }
    [[nodiscard]] std::size_t buffer_size() const { return m_buffer_size; }

    // HTTP: how long an idle keep-alive connection waits for its next request.
    // WebSocket: how long to wait for the peer's close after a close frame was sent.
    Derived & read_next_http_message_timelimit( std::chrono::steady_clock::duration d ) &
    { m_read_next_http_message_timelimit = d; return self(); }
    Derived && read_next_http_message_timelimit( std::chrono::steady_clock::duration d ) &&
    { return std::move( read_next_http_message_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration read_next_http_message_timelimit() const
    { return m_read_next_http_message_timelimit; }

    // HTTP: time to write a response. WebSocket: time for each write (1011 and close on expiry).
    Derived & write_http_response_timelimit( std::chrono::steady_clock::duration d ) &
    { m_write_http_response_timelimit = d; return self(); }
    Derived && write_http_response_timelimit( std::chrono::steady_clock::duration d ) &&
    { return std::move( write_http_response_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration write_http_response_timelimit() const
    { return m_write_http_response_timelimit; }

    // Time from handing a request to the handler until the response starts; then a silent close.
    Derived & handle_request_timeout( std::chrono::steady_clock::duration d ) &
    { m_handle_request_timeout = d; return self(); }
    Derived && handle_request_timeout( std::chrono::steady_clock::duration d ) &&
    { return std::move( handle_request_timeout( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration handle_request_timeout() const
    { return m_handle_request_timeout; }

    Derived & max_pipelined_requests( std::size_t mpr ) & { m_max_pipelined_requests = mpr; return self(); }
    Derived && max_pipelined_requests( std::size_t mpr ) && { return std::move( max_pipelined_requests( mpr ) ); }
    [[nodiscard]] std::size_t max_pipelined_requests() const { return m_max_pipelined_requests; }

    Derived & request_handler( std::unique_ptr< request_handler_t > handler ) &
    { m_request_handler = std::move( handler ); return self(); }

    template< typename... Params >
    Derived & request_handler( Params &&... params ) &
    {
        return request_handler( std::make_unique< request_handler_t >( std::forward< Params >( params )... ) );
    }

    template< typename... Params >
    Derived && request_handler( Params &&... params ) &&
    {
        return std::move( request_handler( std::forward< Params >( params )... ) );
    }

    // Hands the handler over (the server takes it).
    [[nodiscard]] std::unique_ptr< request_handler_t > request_handler() { return std::move( m_request_handler ); }

    template< typename... Params >
    Derived & timer_manager( Params &&... params ) &
    {
        m_timer_factory = std::make_unique< timer_factory_t >( std::forward< Params >( params )... );
        return self();
    }

    template< typename... Params >
    Derived && timer_manager( Params &&... params ) &&
    {
        return std::move( timer_manager( std::forward< Params >( params )... ) );
    }

    [[nodiscard]] std::unique_ptr< timer_factory_t > timer_factory()
    {
        if( !m_timer_factory )
            return std::make_unique< timer_factory_t >();
        return std::move( m_timer_factory );
    }

    template< typename... Params >
    Derived & logger( Params &&... params ) &
    {
        m_logger = std::make_unique< logger_t >( std::forward< Params >( params )... );
        return self();
    }

    template< typename... Params >
    Derived && logger( Params &&... params ) &&
    {
        return std::move( logger( std::forward< Params >( params )... ) );
    }

    [[nodiscard]] std::unique_ptr< logger_t > logger()
    {
        if( !m_logger )
        {
            if constexpr( std::is_default_constructible_v< logger_t > )
                return std::make_unique< logger_t >();
            else
                throw exception_t{ "logger must be set" };
        }
        return std::move( m_logger );
    }

    Derived & acceptor_options_setter( acceptor_options_setter_t aos ) &
    {
        if( !aos )
            throw exception_t{ "acceptor options setter cannot be empty" };
        m_acceptor_options_setter = std::make_unique< acceptor_options_setter_t >( std::move( aos ) );
        return self();
    }
    Derived && acceptor_options_setter( acceptor_options_setter_t aos ) &&
    { return std::move( acceptor_options_setter( std::move( aos ) ) ); }

    // By default the acceptor gets SO_REUSEADDR; a user setter replaces that.
    [[nodiscard]] std::unique_ptr< acceptor_options_setter_t > acceptor_options_setter()
    {
        if( !m_acceptor_options_setter )
            return std::make_unique< acceptor_options_setter_t >( []( acceptor_options_t & options ) {
                options.set_option( asio_ns::ip::tcp::acceptor::reuse_address( true ) );
            } );
        return std::move( m_acceptor_options_setter );
    }

    Derived & socket_options_setter( socket_options_setter_t sos ) &
    {
        if( !sos )
            throw exception_t{ "socket options setter cannot be empty" };
        m_socket_options_setter = std::make_unique< socket_options_setter_t >( std::move( sos ) );
        return self();
    }
    Derived && socket_options_setter( socket_options_setter_t sos ) &&
    { return std::move( socket_options_setter( std::move( sos ) ) ); }

    [[nodiscard]] std::unique_ptr< socket_options_setter_t > socket_options_setter()
    {
        if( !m_socket_options_setter )
            return std::make_unique< socket_options_setter_t >( []( socket_options_t & ) {} );
        return std::move( m_socket_options_setter );
    }

    Derived & concurrent_accepts_count( std::size_t n ) &
    {
        if( 0 == n || n > 1024 )
            throw exception_t{ fmt::format( "invalid value for number of cuncurrent connects: {}", n ) };
        m_concurrent_accepts_count = n;
        return self();
    }
    Derived && concurrent_accepts_count( std::size_t n ) &&
    { return std::move( concurrent_accepts_count( n ) ); }
    [[nodiscard]] std::size_t concurrent_accepts_count() const { return m_concurrent_accepts_count; }

    Derived & separate_accept_and_create_connect( bool do_separate ) & noexcept
    { m_separate_accept_and_create_connect = do_separate; return self(); }
    Derived && separate_accept_and_create_connect( bool do_separate ) && noexcept
    { return std::move( separate_accept_and_create_connect( do_separate ) ); }
    [[nodiscard]] bool separate_accept_and_create_connect() const noexcept
    { return m_separate_accept_and_create_connect; }

    template< typename Func >
    Derived & cleanup_func( Func && func ) &
    {
        // Moves from the argument even when it is an lvalue, as RESTinio does.
        m_cleanup_functor = std::move( func );
        return self();
    }
    template< typename Func >
    Derived && cleanup_func( Func && func ) &&
    { return std::move( cleanup_func( std::forward< Func >( func ) ) ); }

    [[nodiscard]] cleanup_functor_t giveaway_cleanup_func() { return std::move( m_cleanup_functor ); }

    Derived & connection_state_listener(
        std::shared_ptr< typename Traits::connection_state_listener_t > listener ) &
    {
        static_assert( !std::is_same_v< typename Traits::connection_state_listener_t,
                                        connection_state::noop_listener_t >,
                "connection_state_listener() needs traits with a connection_state_listener_t" );
        m_connection_state_listener = std::move( listener );
        return self();
    }
    Derived && connection_state_listener(
        std::shared_ptr< typename Traits::connection_state_listener_t > listener ) &&
    { return std::move( connection_state_listener( std::move( listener ) ) ); }

    [[nodiscard]] const std::shared_ptr< typename Traits::connection_state_listener_t > &
    connection_state_listener() const noexcept { return m_connection_state_listener; }

    void ensure_valid_connection_state_listener()
    {
        if constexpr( !std::is_same_v< typename Traits::connection_state_listener_t,
                                       connection_state::noop_listener_t > )
        {
            if( !m_connection_state_listener )
                throw exception_t{ "connection state listener is not specified" };
        }
    }

    Derived & ip_blocker( std::shared_ptr< typename Traits::ip_blocker_t > blocker ) &
    {
        static_assert( !std::is_same_v< typename Traits::ip_blocker_t, ip_blocker::noop_ip_blocker_t >,
                "ip_blocker() needs traits with an ip_blocker_t" );
        m_ip_blocker = std::move( blocker );
        return self();
    }
    Derived && ip_blocker( std::shared_ptr< typename Traits::ip_blocker_t > blocker ) &&
    { return std::move( ip_blocker( std::move( blocker ) ) ); }

    [[nodiscard]] const std::shared_ptr< typename Traits::ip_blocker_t > & ip_blocker() const noexcept
    { return m_ip_blocker; }

    void ensure_valid_ip_blocker()
    {
        if constexpr( !std::is_same_v< typename Traits::ip_blocker_t, ip_blocker::noop_ip_blocker_t > )
        {
            if( !m_ip_blocker )
                throw exception_t{ "IP-blocker is not specified" };
        }
    }

    Derived & acceptor_post_bind_hook( acceptor_post_bind_hook_t hook ) &
    {
        if( !hook )
            throw exception_t{ "acceptor_post_bind_hook cannot be empty" };
        m_acceptor_post_bind_hook = std::move( hook );
        return self();
    }
    Derived && acceptor_post_bind_hook( acceptor_post_bind_hook_t hook ) &&
    { return std::move( acceptor_post_bind_hook( std::move( hook ) ) ); }

    [[nodiscard]] acceptor_post_bind_hook_t giveaway_acceptor_post_bind_hook()
    { return std::move( m_acceptor_post_bind_hook ); }

    Derived & incoming_http_msg_limits( const incoming_http_msg_limits_t & limits ) & noexcept
    { m_incoming_http_msg_limits = limits; return self(); }
    Derived && incoming_http_msg_limits( const incoming_http_msg_limits_t & limits ) && noexcept
    { return std::move( incoming_http_msg_limits( limits ) ); }
    [[nodiscard]] const incoming_http_msg_limits_t & incoming_http_msg_limits() const noexcept
    { return m_incoming_http_msg_limits; }

    Derived & max_parallel_connections( std::size_t value ) & noexcept
    {
        static_assert( Traits::use_connection_count_limiter,
                "max_parallel_connections() needs traits with use_connection_count_limiter = true" );
        m_max_parallel_connections = value;
        return self();
    }
    Derived && max_parallel_connections( std::size_t value ) && noexcept
    { return std::move( max_parallel_connections( value ) ); }
    [[nodiscard]] std::size_t max_parallel_connections() const noexcept { return m_max_parallel_connections; }

    Derived & extra_data_factory( extra_data_factory_handle_t factory ) &
    { m_extra_data_factory = std::move( factory ); return self(); }
    Derived && extra_data_factory( extra_data_factory_handle_t factory ) &&
    { return std::move( extra_data_factory( std::move( factory ) ) ); }

    [[nodiscard]] extra_data_factory_handle_t giveaway_extra_data_factory() const noexcept
    {
        return m_extra_data_factory;
    }

    // Not in RESTinio: the largest WebSocket frame or fragmented message accepted; a declared
    // length over it is refused with 1009 before anything is allocated. 16 MiB, as Beast's default.
    Derived & websocket_max_message_size( std::uint64_t size ) & noexcept
    { m_websocket_max_message_size = size; return self(); }
    Derived && websocket_max_message_size( std::uint64_t size ) && noexcept
    { return std::move( websocket_max_message_size( size ) ); }
    [[nodiscard]] std::uint64_t websocket_max_message_size() const noexcept
    { return m_websocket_max_message_size; }

    // Not in RESTinio: how long, once our close frame is out (or, after a failure, our FIN),
    // the peer has to answer with its close (or its FIN) before TCP is closed regardless.
    // Unless set, read_next_http_message_timelimit: what RESTinio (and we, before this
    // setting) wait.
    Derived & websocket_close_handshake_timelimit( std::chrono::steady_clock::duration d ) &
    { m_websocket_close_handshake_timelimit = d; return self(); }
    Derived && websocket_close_handshake_timelimit( std::chrono::steady_clock::duration d ) &&
    { return std::move( websocket_close_handshake_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_close_handshake_timelimit() const
    { return m_websocket_close_handshake_timelimit.value_or( m_read_next_http_message_timelimit ); }

    // Not in RESTinio: how long a WebSocket write the socket could not take at once may take
    // before the connection is closed (the handler sees 1011). Unless set,
    // write_http_response_timelimit: what RESTinio (and we, before this setting) allow.
    Derived & websocket_write_timelimit( std::chrono::steady_clock::duration d ) &
    { m_websocket_write_timelimit = d; return self(); }
    Derived && websocket_write_timelimit( std::chrono::steady_clock::duration d ) &&
    { return std::move( websocket_write_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_write_timelimit() const
    { return m_websocket_write_timelimit.value_or( m_write_http_response_timelimit ); }

    // ---- WebSocket flow control (backpressure); README "WebSocket settings" ----
    // Not in RESTinio: each connection's write queue is bounded in bytes (frames queued and not
    // yet written, headers included). Once it holds the high-water mark the connection stops
    // reading, so TCP slows a peer that sends faster than it reads, and reads again at the
    // low-water mark. 1 MiB: what one read pass of an echo can queue (16 reads of 64 KiB), so a
    // peer that reads keeps flowing, while 1,000 peers that don't hold ~1 GiB at most.
    Derived & websocket_send_queue_high_water( std::size_t bytes ) & noexcept
    { m_websocket_send_queue_high_water = bytes; return self(); }
    Derived && websocket_send_queue_high_water( std::size_t bytes ) && noexcept
    { return std::move( websocket_send_queue_high_water( bytes ) ); }
    [[nodiscard]] std::size_t websocket_send_queue_high_water() const noexcept
    { return m_websocket_send_queue_high_water; }

    // Unless set, a quarter of the high-water mark: far enough below it that reading does not
    // stop and start on every frame, high enough that the socket still has bytes to send.
    Derived & websocket_send_queue_low_water( std::size_t bytes ) & noexcept
    { m_websocket_send_queue_low_water = bytes; return self(); }
    Derived && websocket_send_queue_low_water( std::size_t bytes ) && noexcept
    { return std::move( websocket_send_queue_low_water( bytes ) ); }
    [[nodiscard]] std::size_t websocket_send_queue_low_water() const noexcept
    { return m_websocket_send_queue_low_water.value_or( m_websocket_send_queue_high_water / 4 ); }

    // Above the high-water mark, a frame that would take the queue past this limit is not sent:
    // the policy below says what happens instead. 16 MiB, the largest message received by
    // default: a slow subscriber of a broadcast costs at most that (uWebSockets' maxBackpressure
    // is 64 KiB by default, and drops). Below the high-water mark any frame is queued.
    Derived & websocket_send_queue_limit( std::size_t bytes ) & noexcept
    { m_websocket_send_queue_limit = bytes; return self(); }
    Derived && websocket_send_queue_limit( std::size_t bytes ) && noexcept
    { return std::move( websocket_send_queue_limit( bytes ) ); }
    [[nodiscard]] std::size_t websocket_send_queue_limit() const noexcept
    { return m_websocket_send_queue_limit; }

    // close_connection by default: the peer gets 1008 and reconnects knowing it missed
    // something, and the queue's memory goes at once; a dropped message leaves a hole in the
    // stream that only a write callback tells of. drop_message suits feeds where the next
    // message supersedes the last (prices, positions).
    Derived & websocket_send_queue_limit_policy( websocket_send_limit_policy_t policy ) & noexcept
    { m_websocket_send_queue_limit_policy = policy; return self(); }
    Derived && websocket_send_queue_limit_policy( websocket_send_limit_policy_t policy ) && noexcept
    { return std::move( websocket_send_queue_limit_policy( policy ) ); }
    [[nodiscard]] websocket_send_limit_policy_t websocket_send_queue_limit_policy() const noexcept
    { return m_websocket_send_queue_limit_policy; }

    // How long a frame, or a fragmented message, may take from its first byte to its last;
    // then the connection is closed with 1008 (the peer broke no rule of RFC 6455, only ours).
    // Unless set, read_next_http_message_timelimit (60 s): what an HTTP request gets to
    // arrive, and a 16 MiB message arrives within it at 2.3 Mbit/s.
    Derived & websocket_message_timelimit( std::chrono::steady_clock::duration d ) &
    { m_websocket_message_timelimit = d; return self(); }
    Derived && websocket_message_timelimit( std::chrono::steady_clock::duration d ) &&
    { return std::move( websocket_message_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_message_timelimit() const
    { return m_websocket_message_timelimit.value_or( m_read_next_http_message_timelimit ); }
    // ---- end of WebSocket flow control ----
    // ---- WebSocket liveness and going away (not in RESTinio) ----

    // Whether the library answers a ping with a pong carrying its payload (RFC 6455 5.5.2),
    // before the handler gets the ping as ever (a handler that answers too makes the peer get
    // two pongs, which 5.5.3 allows). Off by default, as RESTinio: code written for it answers
    // pings itself or echoes them (the seed sends a ping back as a ping), and its peers see the
    // frames they saw before.
    Derived & websocket_auto_pong( bool on ) & noexcept
    { m_websocket_auto_pong = on; return self(); }
    Derived && websocket_auto_pong( bool on ) && noexcept
    { return std::move( websocket_auto_pong( on ) ); }
    [[nodiscard]] bool websocket_auto_pong() const noexcept { return m_websocket_auto_pong; }

    // Keepalive: a ping on a connection from which nothing has been heard for `d`; zero (the
    // default, as RESTinio) sends none.
    Derived & websocket_ping_interval( std::chrono::steady_clock::duration d ) & noexcept
    { m_websocket_ping_interval = d; return self(); }
    Derived && websocket_ping_interval( std::chrono::steady_clock::duration d ) && noexcept
    { return std::move( websocket_ping_interval( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_ping_interval() const noexcept
    { return m_websocket_ping_interval; }

    // How long after a keepalive ping the peer has to send something (its pong, or any frame)
    // before the connection is dropped and the handler sees 1006. Unless set, the ping interval.
    Derived & websocket_pong_timelimit( std::chrono::steady_clock::duration d ) & noexcept
    { m_websocket_pong_timelimit = d; return self(); }
    Derived && websocket_pong_timelimit( std::chrono::steady_clock::duration d ) && noexcept
    { return std::move( websocket_pong_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_pong_timelimit() const noexcept
    { return m_websocket_pong_timelimit.value_or( m_websocket_ping_interval ); }

    // Idle timeout: no data frame (text, binary, continuation) in either direction for `d`
    // starts a closing handshake with websocket_idle_close_code(); the handler sees that code.
    // Zero (the default, as RESTinio) never does.
    Derived & websocket_idle_timelimit( std::chrono::steady_clock::duration d ) & noexcept
    { m_websocket_idle_timelimit = d; return self(); }
    Derived && websocket_idle_timelimit( std::chrono::steady_clock::duration d ) && noexcept
    { return std::move( websocket_idle_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_idle_timelimit() const noexcept
    { return m_websocket_idle_timelimit; }

    // 1001 (going away) unless set. A code that may not be sent (RFC 6455 7.4) throws.
    Derived & websocket_idle_close_code( websocket::basic::status_code_t code ) &
    {
        if( !websocket::basic::impl::is_valid_close_code( static_cast< std::uint16_t >( code ) ) )
            throw exception_t{ "websocket_idle_close_code: not a code that may be sent" };
        m_websocket_idle_close_code = code;
        return self();
    }
    Derived && websocket_idle_close_code( websocket::basic::status_code_t code ) &&
    { return std::move( websocket_idle_close_code( code ) ); }
    [[nodiscard]] websocket::basic::status_code_t websocket_idle_close_code() const noexcept
    { return m_websocket_idle_close_code; }

    // When the server stops (close_async(), a signal under run(), leaving run()), every open
    // WebSocket connection gets a close frame with 1001 after what its handlers queued; the
    // stop then waits up to `d` for the closing handshakes, and closes the connections left.
    // 5 s unless set; zero closes them as soon as their 1001 is out.
    Derived & websocket_going_away_timelimit( std::chrono::steady_clock::duration d ) & noexcept
    { m_websocket_going_away_timelimit = d; return self(); }
    Derived && websocket_going_away_timelimit( std::chrono::steady_clock::duration d ) && noexcept
    { return std::move( websocket_going_away_timelimit( d ) ); }
    [[nodiscard]] std::chrono::steady_clock::duration websocket_going_away_timelimit() const noexcept
    { return m_websocket_going_away_timelimit; }

    // ---- end of WebSocket liveness and going away ----
    // ---- WebSocket: whole messages (issue 11) ----
    // Not in RESTinio: the message handler gets each data message whole, its fragments joined
    // into one message_t (final_frame, the opcode of the first frame), instead of one call per
    // frame; control frames still come as they arrive, between fragments too. The total is
    // bounded by websocket_max_message_size (1009 beyond). Off by default, so that RESTinio code
    // sees frames as it always has; upgrade() can choose otherwise for one connection
    // (websocket::basic::whole_messages() / frame_by_frame()).
    Derived & websocket_whole_messages( bool whole ) & noexcept
    { m_websocket_whole_messages = whole; return self(); }
    Derived && websocket_whole_messages( bool whole ) && noexcept
    { return std::move( websocket_whole_messages( whole ) ); }
    [[nodiscard]] bool websocket_whole_messages() const noexcept { return m_websocket_whole_messages; }
    // ---- end of WebSocket: whole messages ----
    // ---- WebSocket: permessage-deflate (issue 14) ----
    // Not in RESTinio: compression of messages (RFC 7692) for the clients that offer it. Off by
    // default (the upgrade answer then names no extension, as before). Made with
    // websocket::basic::make_zlib_deflate( options ) from <restinio/websocket/deflate.hpp>, which
    // needs zlib; upgrade() can choose otherwise for one connection (with_deflate()).
    Derived & websocket_deflate( websocket::basic::deflate_t deflate ) & noexcept
    { m_websocket_deflate = std::move( deflate ); return self(); }
    Derived && websocket_deflate( websocket::basic::deflate_t deflate ) && noexcept
    { return std::move( websocket_deflate( std::move( deflate ) ) ); }
    [[nodiscard]] const websocket::basic::deflate_t & websocket_deflate() const noexcept { return m_websocket_deflate; }
    // ---- end of WebSocket: permessage-deflate ----

private:
    Derived & self() noexcept { return static_cast< Derived & >( *this ); }

    std::uint16_t m_port;
    asio_ns::ip::tcp m_protocol;
    details::address_variant_t m_address;
    std::size_t m_buffer_size{ 4 * 1024 };
    std::chrono::steady_clock::duration m_read_next_http_message_timelimit{ std::chrono::seconds{ 60 } };
    std::chrono::steady_clock::duration m_write_http_response_timelimit{ std::chrono::seconds{ 5 } };
    std::chrono::steady_clock::duration m_handle_request_timeout{ std::chrono::seconds{ 10 } };
    std::size_t m_max_pipelined_requests{ 1 };
    std::unique_ptr< request_handler_t > m_request_handler;
    std::unique_ptr< timer_factory_t > m_timer_factory;
    std::unique_ptr< logger_t > m_logger;
    std::unique_ptr< acceptor_options_setter_t > m_acceptor_options_setter;
    acceptor_post_bind_hook_t m_acceptor_post_bind_hook{ []( asio_ns::ip::tcp::acceptor & ) {} };
    std::unique_ptr< socket_options_setter_t > m_socket_options_setter;
    std::size_t m_concurrent_accepts_count{ 1 };
    bool m_separate_accept_and_create_connect{ false };
    cleanup_functor_t m_cleanup_functor;
    std::shared_ptr< typename Traits::connection_state_listener_t > m_connection_state_listener;
    std::shared_ptr< typename Traits::ip_blocker_t > m_ip_blocker;
    incoming_http_msg_limits_t m_incoming_http_msg_limits;
    std::size_t m_max_parallel_connections{ std::numeric_limits< std::size_t >::max() };
    extra_data_factory_handle_t m_extra_data_factory;
    std::uint64_t m_websocket_max_message_size{ 16u * 1024u * 1024u };
    std::optional< std::chrono::steady_clock::duration > m_websocket_close_handshake_timelimit;
    std::optional< std::chrono::steady_clock::duration > m_websocket_write_timelimit;
    // ---- WebSocket flow control (backpressure) ----
    std::size_t m_websocket_send_queue_high_water{ 1024u * 1024u };
    std::optional< std::size_t > m_websocket_send_queue_low_water;
    std::size_t m_websocket_send_queue_limit{ 16u * 1024u * 1024u };
    websocket_send_limit_policy_t m_websocket_send_queue_limit_policy{ websocket_send_limit_policy_t::close_connection };
    std::optional< std::chrono::steady_clock::duration > m_websocket_message_timelimit;
    // ---- end of WebSocket flow control ----
    // WebSocket liveness and going away
    bool m_websocket_auto_pong{ false };
    std::chrono::steady_clock::duration m_websocket_ping_interval{ 0 };
    std::optional< std::chrono::steady_clock::duration > m_websocket_pong_timelimit;
    std::chrono::steady_clock::duration m_websocket_idle_timelimit{ 0 };
    websocket::basic::status_code_t m_websocket_idle_close_code{ websocket::basic::status_code_t::going_away };
    std::chrono::steady_clock::duration m_websocket_going_away_timelimit{ std::chrono::seconds{ 5 } };
    bool m_websocket_whole_messages{ false };   // whole messages (issue 11)
    websocket::basic::deflate_t m_websocket_deflate;    // permessage-deflate (issue 14)
};

template< typename Traits = default_traits_t >
class server_settings_t final
    : public basic_server_settings_t< server_settings_t< Traits >, Traits >
{
    using base_type_t = basic_server_settings_t< server_settings_t< Traits >, Traits >;

public:
    using base_type_t::base_type_t;
};

} // namespace restinio
