// ws_write_queue_t: the frames a connection has to write, and the write callbacks owed for
// frames that are done. No I/O: the connection hands it a transport to write with.
//
// Everything queued leaves in one gathered write when the socket takes it (the usual case);
// otherwise the frames in flight move aside (their bytes stay where they are) and the transport
// finishes the write in the background, while new frames queue up behind it. A frame that is
// done gives its payload string back to the thread's pool, and its callback, if any, joins the
// list of callbacks owed: the connection runs them only once its state has settled, so a
// callback may call anything on its ws_t.
#pragma once

#include <restinio/buffers.hpp>
#include <restinio/impl/gather_write.hpp>
#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/ws_thread_pools.hpp>
#include <restinio/websocket/message.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

// One frame waiting to be written: its header inline, its payload as given (never copied).
struct outgoing_frame_t
{
    outgoing_frame_t( writable_item_t && payload, write_status_cb_t && callback ) noexcept
        : m_payload{ std::move( payload ) }, m_callback{ std::move( callback ) }
    {}

    frame_header_buffer_t m_header;
    std::uint8_t m_header_size{ 0 };
    writable_item_t m_payload;
    write_status_cb_t m_callback;
};

using outgoing_frames_t = std::vector< outgoing_frame_t >;

// The write queue of a connection that went idle, for the next one that has frames to send:
// an idle connection holds no queue, and a busy one takes it without an allocation.
inline std::unique_ptr< outgoing_frames_t > & per_thread_spare_queue() noexcept
{
    static thread_local std::unique_ptr< outgoing_frames_t > queue;
    return queue;
}

class ws_write_queue_t
{
public:
    // in_background: a write is (still) in flight; its frames and anything queued meanwhile are
    // not written yet.
    enum class write_result_t : std::uint8_t { nothing_to_write, written, in_background, failed };

    [[nodiscard]] bool empty() const noexcept { return !has_queued() && !m_backlog; }
    [[nodiscard]] bool writing_in_background() const noexcept { return static_cast< bool >( m_backlog ); }
    [[nodiscard]] bool has_callbacks_owed() const noexcept { return m_callbacks_owed && !m_callbacks_owed->empty(); }

    // The bytes of the frames (headers included) queued or being written: a frame counts until
    // the write that carries it has ended. Any thread may ask (ws_t::buffered_amount()).
    [[nodiscard]] std::size_t queued_bytes() const noexcept { return m_queued_bytes.load( std::memory_order_relaxed ); }

    // When the background write started (only while writing_in_background()).
    [[nodiscard]] std::chrono::steady_clock::time_point background_write_started_at() const noexcept
    {
        return m_backlog->m_started_at;
    }

    // A frame with its header (RSV1 set if `compressed`), or (header_size 0) raw bytes such as
    // the 101 response.
    void push( final_frame_flag_t final_flag, opcode_t opcode, writable_item_t && payload,
               write_status_cb_t && callback, bool compressed = false )
    {
        auto & frame = push_raw( std::move( payload ), std::move( callback ) );
        frame.m_header_size = static_cast< std::uint8_t >(
                write_frame_header( frame.m_header, final_flag, opcode, frame.m_payload.size(), compressed ) );
        count( frame.m_header_size );
    }

    outgoing_frame_t & push_raw( writable_item_t && payload, write_status_cb_t && callback )
    {
        if( !m_queued )
        {
            m_queued = std::move( per_thread_spare_queue() );
            if( !m_queued )
                m_queued = std::make_unique< outgoing_frames_t >();
        }
        count( payload.size() );
        return m_queued->emplace_back( std::move( payload ), std::move( callback ) );
    }

    // A frame that will not be written: its callback is owed `ec`.
    void refuse( write_status_cb_t && callback, const asio_ns::error_code & ec )
    {
        if( callback )
            owe( std::move( callback ), ec );
    }

    // A call to make with the write callbacks owed: once the connection's state has settled,
    // so that it may call anything on its ws_t.
    void defer( write_status_cb_t && call ) { owe( std::move( call ), {} ); }

    // Writes what is queued, unless a background write is in flight. `Transport` has
    // write_some() and async_write() (see plain_transport.hpp); `on_done( ec )` is called on
    // the strand when a background write ends.
    template< typename Transport, typename On_Done >
    [[nodiscard]] write_result_t write( Transport & transport, bool fin_follows, asio_ns::error_code & ec,
                                        On_Done && on_done )
    {
        if( m_backlog )
            return write_result_t::in_background;
        if( !has_queued() )
            return write_result_t::nothing_to_write;

        auto & gather = restinio::impl::per_thread_gather();
        gather.clear();
        for( const auto & frame : *m_queued )
        {
            if( 0 != frame.m_header_size )
                gather.emplace_back( frame.m_header.data(), frame.m_header_size );
            if( 0 != frame.m_payload.size() )
                gather.push_back( frame.m_payload.buf() );
        }

        const auto result = restinio::impl::write_gather( transport, gather, fin_follows, ec,
                [ this ]() -> std::vector< asio_ns::const_buffer > & {
                    m_backlog = std::make_unique< backlog_t >();
                    return m_backlog->m_gather;
                },
                std::forward< On_Done >( on_done ) );
        if( restinio::impl::gather_write_result_t::in_background == result )
        {
            // The frames in flight move aside with the write: new ones queue behind them.
            m_backlog->m_frames.swap( *m_queued );
            m_backlog->m_started_at = std::chrono::steady_clock::now();
            return write_result_t::in_background;
        }
        for( auto & frame : *m_queued )
            release( frame, ec );
        m_queued->clear();
        return ec ? write_result_t::failed : write_result_t::written;
    }

    // The background write ended.
    void background_write_done( const asio_ns::error_code & ec )
    {
        for( auto & frame : m_backlog->m_frames )
            release( frame, ec );
        // The backlog is for slow readers only: an idle connection keeps none of it.
        m_backlog.reset();
    }

    // The socket is gone: nothing queued will be written. (A background write ends by itself,
    // with operation_aborted.)
    void drop_queued( const asio_ns::error_code & ec )
    {
        if( !m_queued )
            return;
        for( auto & frame : *m_queued )
            release( frame, ec );
        m_queued->clear();
    }

    // Runs the callbacks owed, in order. A callback may queue frames or refuse some (whose
    // callbacks then run in this same call); an exception from one is passed to `on_error`.
    template< typename On_Error >
    void run_callbacks( On_Error && on_error )
    {
        if( !m_callbacks_owed )
            return;
        auto & callbacks = *m_callbacks_owed;
        for( std::size_t i = 0; i != callbacks.size(); ++i )
        {
            auto owed = std::move( callbacks[ i ] );
            try { owed.m_callback( owed.m_status ); }
            catch( const std::exception & ex ) { on_error( ex.what() ); }
            catch( ... ) { on_error( "an exception not derived from std::exception" ); }
        }
        callbacks.clear();
    }

    // Going idle: the queue's memory goes back to the thread for the next busy connection.
    void release_memory() noexcept
    {
        if( !m_queued || !m_queued->empty() )
            return;
        auto & spare = per_thread_spare_queue();
        if( !spare || spare->capacity() < m_queued->capacity() )
            spare.swap( m_queued );
        m_queued.reset();
        if( m_callbacks_owed && m_callbacks_owed->empty() )
            m_callbacks_owed.reset();
    }

private:
    [[nodiscard]] bool has_queued() const noexcept { return m_queued && !m_queued->empty(); }

    // Only the connection's strand changes the count: a plain load and store, no read-modify-write.
    void count( std::size_t bytes ) noexcept { m_queued_bytes.store( queued_bytes() + bytes, std::memory_order_relaxed ); }
    void uncount( std::size_t bytes ) noexcept { m_queued_bytes.store( queued_bytes() - bytes, std::memory_order_relaxed ); }

    // A frame is out (or never will be): its payload string goes back to the thread's pool.
    void release( outgoing_frame_t & frame, const asio_ns::error_code & ec )
    {
        uncount( frame.m_header_size + frame.m_payload.size() );
        if( std::string * payload = restinio::impl::owned_string( frame.m_payload ) )
            per_thread_payload_strings().give_back( std::move( *payload ) );
        if( frame.m_callback )
            owe( std::move( frame.m_callback ), ec );
    }

    void owe( write_status_cb_t && callback, const asio_ns::error_code & ec )
    {
        if( !m_callbacks_owed )
            m_callbacks_owed = std::make_unique< std::vector< owed_callback_t > >();
        m_callbacks_owed->push_back( { std::move( callback ), ec } );
    }

    // A write the socket could not take at once: the frames it carries and what is left of it.
    struct backlog_t
    {
        std::vector< outgoing_frame_t > m_frames;
        std::vector< asio_ns::const_buffer > m_gather;
        std::chrono::steady_clock::time_point m_started_at;
    };

    struct owed_callback_t
    {
        write_status_cb_t m_callback;
        asio_ns::error_code m_status;
    };

    // Only while frames are queued (see per_thread_spare_queue()).
    std::unique_ptr< outgoing_frames_t > m_queued;
    std::unique_ptr< backlog_t > m_backlog;
    // Only while callbacks are in use: most connections send without them.
    std::unique_ptr< std::vector< owed_callback_t > > m_callbacks_owed;
    std::atomic< std::size_t > m_queued_bytes{ 0 };
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
