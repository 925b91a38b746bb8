// ws_read_pass_t: the input side of ws_connection_t, as its base (CRTP, no virtual call): one
// read pass reads the socket until it is drained (or the queue's high-water mark pauses
// reading), feeds the receiver, and hands each valid frame to the session and the user's
// handler. Bytes that came with the upgrade request are the first input. A long payload is read
// straight into its message string when the receiver offers the space.
//
// Connection provides m_session, m_transport (and transport_t), m_receiver, m_user, m_queue,
// m_whole_messages, m_deadlines, log(), apply(), flush(), note_queued(), reading_paused() and
// on_frame_received(); everything here runs on the connection's strand, inside a pass.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/websocket/impl/frame_error.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>
#include <restinio/websocket/impl/ws_session.hpp>
#include <restinio/websocket/impl/ws_thread_pools.hpp>
#include <restinio/websocket/message.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

template< typename Connection >
class ws_read_pass_t
{
protected:
    explicit ws_read_pass_t( std::string bytes_after_upgrade_request )
        : m_pending_input{ bytes_after_upgrade_request.empty() ? nullptr
                : std::make_unique< std::string >( std::move( bytes_after_upgrade_request ) ) }
    {}

    // Everything that follows the socket becoming readable (or the posted read).
    void read_pass( const asio_ns::error_code & ec )
    {
        auto & self = connection();
        if( !self.m_session.reads() || !self.m_transport.is_open() )
            return;
        // Paused by the queue: the readiness reported is kept for when reading resumes.
        if( self.reading_paused() )
            return void( self.m_drained = false );
        if( ec )
            return on_input_end( ec.message() );

        // Bytes that came with the upgrade request: the first frames, not to be lost.
        if( m_pending_input )
        {
            const std::unique_ptr< std::string > input = std::move( m_pending_input );
            auto * data = reinterpret_cast< std::uint8_t * >( input->data() );
            receive( [ & ]( input_sink_t & sink ) { return self.m_receiver.consume( data, input->size(), sink ); } );
        }

        self.m_drained = false;
        // Read until the socket is drained (readiness is reported once per arrival), or until
        // the answers fill the queue to its high-water mark.
        for( int reads = 0; reads != max_reads_per_wakeup && self.m_session.reads() && !self.reading_paused(); ++reads )
        {
            // The rest of a long payload goes straight into its message string; anything else
            // through the thread's buffer.
            recycled_payload_strings_t strings;
            const auto [ direct, direct_size ] = self.m_session.takes_frames()
                    ? self.m_receiver.payload_space( direct_read_min_size, direct_read_max_size, strings )
                    : std::pair< std::uint8_t *, std::size_t >{ nullptr, 0u };
            auto & buffer = per_thread_read_buffer();
            std::uint8_t * const into = direct ? direct : buffer.data();
            const std::size_t room = direct ? direct_size : buffer.size();

            asio_ns::error_code read_ec;
            const std::size_t n = self.m_transport.read_some( into, room, read_ec );
            if( read_ec == asio_ns::error::would_block )
            {
                self.m_drained = true;
                return;
            }
            if( read_ec )
                return on_input_end( read_ec.message() );
            if( direct )
                receive( [ & ]( input_sink_t & sink ) { return self.m_receiver.commit_payload( n, sink ); } );
            else
                receive( [ & ]( input_sink_t & sink ) { return self.m_receiver.consume( into, n, sink ); } );
            // The answers to this input leave now, not after the read that finds the socket empty.
            self.flush();
            self.note_queued();
            if( Connection::transport_t::short_read_means_drained && n < room )
            {
                self.m_drained = true;
                return;
            }
        }
        // Not drained: the next read is posted, so other connections on this thread get a turn.
    }

private:
    // The receiver's sink while one input is processed: a recycled string for each payload, one
    // call per valid frame, and the user's handle locked once for all the frames of the input
    // (each lock of the weak handle is an atomic read-modify-write on a shared cache line).
    struct input_sink_t : recycled_payload_strings_t
    {
        ws_read_pass_t & m_reader;
        const ws_handle_t & m_handle;

        void on_frame( final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
        {
            m_reader.on_frame( m_handle, final_flag, opcode, std::move( payload ) );
        }
    };

    // Feeds input to the receiver (through `feed`, with the sink it is given), unless the
    // session drops input now.
    template< typename Feed >
    void receive( Feed && feed )
    {
        auto & self = connection();
        if( !self.m_session.takes_frames() )
            return;
        self.m_deadlines.heard();
        const ws_handle_t wsh = self.m_user.handle();
        input_sink_t sink{ {}, *this, wsh };
        const frame_error_t error = feed( sink );
        if( frame_error_t::none != error )
        {
            const status_code_t code = close_code_for( error );
            self.log().trace( "invalid input, closing with {}: {}",
                       static_cast< std::uint16_t >( code ), frame_error_to_string( error ) );
            self.apply( session_event_t::frame_error, code );
        }
    }

    void on_frame( const ws_handle_t & wsh, final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
    {
        auto & self = connection();
        if( opcode_t::connection_close_frame != opcode )
        {
            if( self.m_session.on( session_event_t::data_frame ).has( session_actions_t::deliver ) )
            {
                self.on_frame_received( opcode, payload );
                self.m_user.deliver_frame( wsh, final_flag, opcode, std::move( payload ), self.m_whole_messages, self.log() );
            }
            else
                per_thread_payload_strings().give_back( std::move( payload ) );
            return;
        }

        self.log().trace( "close from the peer" );
        const session_actions_t actions = self.m_session.on( session_event_t::close_frame );
        // RFC 6455 5.5.1: the answer echoes the peer's code and reason.
        if( actions.has( session_actions_t::echo_close ) )
            self.m_queue.push( final_frame, opcode_t::connection_close_frame, writable_item_t{ payload }, {} );
        if( actions.has( session_actions_t::deliver ) )
            self.m_user.deliver( wsh, self.m_user.make_message( final_flag, opcode, std::move( payload ) ), self.log() );
    }

    void on_input_end( const std::string & why )
    {
        auto & self = connection();
        self.log().trace( "input ended: {}", why );
        self.apply( session_event_t::input_ended );
    }


    [[nodiscard]] Connection & connection() noexcept { return static_cast< Connection & >( *this ); }

    static constexpr int max_reads_per_wakeup = 16;
    // A direct read pays for a window this long (the receiver offers none larger than what has
    // arrived of the payload); its space stays in cache for the kernel's copy.
    static constexpr std::uint64_t direct_read_min_size = 16u * 1024u;
    static constexpr std::size_t direct_read_max_size = 256u * 1024u;

    std::unique_ptr< std::string > m_pending_input;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
