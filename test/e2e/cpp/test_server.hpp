// An in-process server for the C++ end-to-end tests: 127.0.0.1, port 0, run_async on the
// threads asked for, a 100 ms timer and a 1 s limit on a closing handshake. The request
// handler is the test's; handles given to keep() live until the server stops. A test can add
// settings of its own (a connection-state listener, say) before the server starts.
//
// On a pool, a request handler can still be running when the server's cleanup has run (its
// connection's messages went on on other threads): a handle it keeps then is dropped at once,
// since one kept past the io_context would outlive the strand it was made with.
#pragma once

#include <restinio/core.hpp>
#include <restinio/websocket/websocket.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <utility>
#include <vector>

namespace ws_test
{

template< typename Traits >
class test_server_t
{
public:
    using settings_t = restinio::server_settings_t< Traits >;
    using handler_t = std::function< restinio::request_handling_status_t( const restinio::request_handle_t & ) >;

    explicit test_server_t( handler_t handler, std::size_t threads = 1,
                            const std::function< void( settings_t & ) > & configure = {} )
    {
        using namespace std::chrono_literals;
        settings_t settings;
        settings.address( "127.0.0.1" )
                .port( 0 )
                .request_handler( [ h = std::move( handler ) ]( restinio::request_handle_t req ) {
                    return h( req );
                } )
                .read_next_http_message_timelimit( 1s )
                .timer_manager( 100ms )
                .acceptor_post_bind_hook( [ this ]( restinio::asio_ns::ip::tcp::acceptor & a ) {
                    m_port_promise.set_value( a.local_endpoint().port() );
                } )
                .cleanup_func( [ this ] {
                    std::lock_guard< std::mutex > lock{ m_lock };
                    m_stopping = true;
                    m_kept.clear();
                } );
        if( configure )
            configure( settings );
        auto port = m_port_promise.get_future();
        m_server = restinio::run_async( restinio::own_io_context(), std::move( settings ), threads );
        m_port = port.get();
    }

    test_server_t( const test_server_t & ) = delete;
    test_server_t & operator=( const test_server_t & ) = delete;

    ~test_server_t() { stop(); }

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }

    void keep( restinio::websocket::basic::ws_handle_t wsh )
    {
        std::lock_guard< std::mutex > lock{ m_lock };
        if( !m_stopping )
            m_kept.push_back( std::move( wsh ) );
    }

    // Closes the server, joins its threads and destroys its io_context (and with it every
    // connection object still alive).
    void stop() { m_server.reset(); }

private:
    std::promise< std::uint16_t > m_port_promise;
    std::uint16_t m_port{ 0 };
    std::mutex m_lock;
    std::vector< restinio::websocket::basic::ws_handle_t > m_kept;
    bool m_stopping{ false };
    restinio::running_server_handle_t< Traits > m_server;
};

} // namespace ws_test
