// acceptor_t: opens the listening socket as the settings say (options, bind, post-bind hook,
// listen) and keeps `concurrent_accepts_count` accepts in flight, turning each accepted socket
// into an HTTP connection. Its own state lives on its own strand (or, with single-threaded
// traits, on the io_context's one thread).
#pragma once

#include <restinio/connection_count_limiter.hpp>
#include <restinio/impl/connection.hpp>
#include <restinio/impl/slab_allocator.hpp>
#include <restinio/settings.hpp>

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

namespace restinio
{
namespace impl
{

template< typename Traits >
class acceptor_t final : public std::enable_shared_from_this< acceptor_t< Traits > >
{
public:
    using connection_t = impl::connection_t< Traits >;
    using ip_blocker_t = typename Traits::ip_blocker_t;
    using stream_socket_t = typename Traits::stream_socket_t;
    // Single-threaded traits promise one thread: the io_context's executor is then strand
    // enough, and an accept costs no strand dispatch.
    using executor_t = std::conditional_t< std::is_same_v< typename Traits::strand_t, noop_strand_t >,
            asio_ns::io_context::executor_type,
            asio_ns::strand< asio_ns::io_context::executor_type > >;

    template< typename Settings >
    acceptor_t(
        Settings & settings,
        asio_ns::io_context & io_context,
        connection_settings_handle_t< Traits > connection_settings )
        : m_io_context{ io_context }
        , m_executor{ io_context.get_executor() }
        , m_acceptor{ io_context }
        , m_port{ settings.port() }
        , m_protocol{ settings.protocol() }
        , m_address{ settings.address() }
        , m_acceptor_options_setter{ settings.acceptor_options_setter() }
        , m_acceptor_post_bind_hook{ settings.giveaway_acceptor_post_bind_hook() }
        , m_concurrent_accepts_count{ settings.concurrent_accepts_count() }
        , m_separate_accept_and_create_connect{ settings.separate_accept_and_create_connect() }
        , m_ip_blocker{ settings.ip_blocker() }
        , m_connection_settings{ std::move( connection_settings ) }
    {
        m_slots.reserve( m_concurrent_accepts_count );
        for( std::size_t slot = 0; slot != m_concurrent_accepts_count; ++slot )
            m_slots.emplace_back( io_context );
    }

    // Throws on any failure, with the acceptor closed again.
    void open()
    {
        if( m_acceptor.is_open() )
            return;

        const asio_ns::ip::tcp::endpoint ep = make_endpoint();
        try
        {
            m_acceptor.open( ep.protocol() );
            acceptor_options_t options{ m_acceptor };
            ( *m_acceptor_options_setter )( options );
            m_acceptor.bind( ep );
            m_acceptor_post_bind_hook( m_acceptor );
            m_acceptor.listen( asio_ns::socket_base::max_listen_connections );
        }
        catch( ... )
        {
            asio_ns::error_code ignored;
            m_acceptor.close( ignored );
            throw;
        }

        log_info( "server started on {}", fmtlib_tools::streamed( m_acceptor.local_endpoint() ) );
        for( std::size_t slot = 0; slot != m_concurrent_accepts_count; ++slot )
            asio_ns::post( m_executor, [ self = this->shared_from_this(), slot ] { self->accept_next( slot ); } );
    }

    // May run on any thread of the io_context (close_sync), while accepts complete on the
    // acceptor's strand: the acceptor and the retry timers are touched under m_acceptor_lock.
    void close()
    {
        std::lock_guard< std::mutex > lock{ m_acceptor_lock };
        asio_ns::error_code ignored;
        for( auto & slot : m_slots )
            slot.m_retry_timer.cancel( ignored );
        if( m_acceptor.is_open() )
        {
            log_info( "server closed on {}", fmtlib_tools::streamed( m_acceptor.local_endpoint( ignored ) ) );
            m_acceptor.close( ignored );
        }
    }

    [[nodiscard]] asio_ns::ip::tcp::acceptor & acceptor() noexcept { return m_acceptor; }

private:
    [[nodiscard]] asio_ns::ip::tcp::endpoint make_endpoint() const
    {
        if( const auto * text = std::get_if< std::string >( &m_address ) )
            return { asio_ns::ip::make_address( *text ), m_port };
        if( const auto * addr = std::get_if< asio_ns::ip::address >( &m_address ) )
            return { *addr, m_port };
        return { m_protocol, m_port };
    }

    template< typename... Args >
    void log_info( const char * format, Args &&... args )
    {
        m_connection_settings->m_logger->info( [&] {
            return fmt::format( fmt::runtime( format ), std::forward< Args >( args )... );
        } );
    }

    void accept_next( std::size_t slot )
    {
        std::lock_guard< std::mutex > lock{ m_acceptor_lock };
        if( !m_acceptor.is_open() )
            return;

        if constexpr( Traits::use_connection_count_limiter )
        {
            auto resume = [ weak = this->weak_from_this(), slot ] {
                if( auto self = weak.lock() )
                    asio_ns::post( self->m_executor, [ self, slot ] { self->accept_next( slot ); } );
            };
            if( !m_connection_settings->m_connection_counter->try_acquire( std::move( resume ) ) )
                return;
        }

        m_acceptor.async_accept( m_io_context.get_executor(), m_slots[ slot ].m_peer,
            asio_ns::bind_executor( m_executor,
                [ self = this->shared_from_this(), slot ]( const asio_ns::error_code & ec, tcp_socket_t socket ) {
                    self->on_accept( slot, ec, std::move( socket ) );
                } ) );
    }

    void on_accept( std::size_t slot, const asio_ns::error_code & ec, tcp_socket_t socket )
    {
        lifetime_monitor_for_t< Traits > monitor{ m_connection_settings->m_connection_counter.get() };
        if( ec )
        {
            std::lock_guard< std::mutex > lock{ m_acceptor_lock };
            if( error_is_operation_aborted( ec ) || !m_acceptor.is_open() )
                return;
            m_connection_settings->m_logger->error( [&] {
                return fmt::format( "accept failed on slot {}: {}", slot, ec.message() );
            } );
            // Out of descriptors and the like: give the system a moment instead of spinning.
            auto & retry_timer = m_slots[ slot ].m_retry_timer;
            retry_timer.expires_after( std::chrono::milliseconds{ 100 } );
            retry_timer.async_wait( asio_ns::bind_executor( m_executor,
                [ self = this->shared_from_this(), slot ]( const asio_ns::error_code & e ) {
                    if( !e )
                        self->accept_next( slot );
                } ) );
            return;
        }

        const endpoint_t remote = m_slots[ slot ].m_peer;
        if( m_separate_accept_and_create_connect )
        {
            asio_ns::post( m_io_context,
                [ self = this->shared_from_this(), s = std::move( socket ), m = std::move( monitor ),
                  id = ++m_next_connection_id, remote ]() mutable {
                    self->create_connection( id, std::move( s ), remote, std::move( m ) );
                } );
        }
        else
            create_connection( ++m_next_connection_id, std::move( socket ), remote, std::move( monitor ) );

        accept_next( slot );
    }

    void create_connection( connection_id_t id, tcp_socket_t socket, const endpoint_t & remote,
                            lifetime_monitor_for_t< Traits > monitor )
    {
        if constexpr( !std::is_same_v< ip_blocker_t, ip_blocker::noop_ip_blocker_t > )
        {
            if( ip_blocker::inspection_result_t::deny
                == m_ip_blocker->inspect( ip_blocker::incoming_info_t{ remote } ) )
                return;
        }

        auto stream_socket = m_connection_settings->m_socket_maker.make( std::move( socket ) );
        m_connection_settings->m_connection_state_notifier.notify(
                id, remote, socket_kind_t< stream_socket_t >::accepted_notice( stream_socket ) );

        auto conn = std::allocate_shared< connection_t >( slab_allocator_t< connection_t >{},
                id, std::move( stream_socket ), m_connection_settings, remote, std::move( monitor ) );
        conn->init();
    }

    asio_ns::io_context & m_io_context;
    executor_t m_executor;
    std::mutex m_acceptor_lock;
    asio_ns::ip::tcp::acceptor m_acceptor;
    const std::uint16_t m_port;
    const asio_ns::ip::tcp m_protocol;
    const details::address_variant_t m_address;
    std::unique_ptr< acceptor_options_setter_t > m_acceptor_options_setter;
    acceptor_post_bind_hook_t m_acceptor_post_bind_hook;
    const std::size_t m_concurrent_accepts_count;
    const bool m_separate_accept_and_create_connect;
    std::shared_ptr< ip_blocker_t > m_ip_blocker;
    connection_settings_handle_t< Traits > m_connection_settings;

    // One of the concurrent accepts: where accept() puts the peer's address, and the pause after
    // a failed accept. Each slot pauses on its own timer: a shared one would be restarted by every
    // failure, cancelling the other slots' pauses and with them their accepts for good.
    struct accept_slot_t
    {
        explicit accept_slot_t( asio_ns::io_context & io_context ) : m_retry_timer{ io_context } {}

        endpoint_t m_peer;
        asio_ns::steady_timer m_retry_timer;
    };
    std::vector< accept_slot_t > m_slots;
    connection_id_t m_next_connection_id{ 0 };
};

} // namespace impl
} // namespace restinio
