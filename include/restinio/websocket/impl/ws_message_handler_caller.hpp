// message_handler_caller_t: how a connection calls the user's message handler. It keeps the
// user's ws_t only weakly (the user's handles decide its life), makes each message in a
// recycled block, joins the fragments of data messages first if the handler asked for whole
// messages, and keeps an exception from the handler out of the connection: it is logged, and
// the connection goes on, as in RESTinio.
#pragma once

#include <restinio/websocket/impl/frame.hpp>
#include <restinio/websocket/impl/message_assembler.hpp>
#include <restinio/websocket/impl/ws_connection_base.hpp>
#include <restinio/websocket/impl/ws_thread_pools.hpp>
#include <restinio/websocket/message.hpp>

#include <exception>
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

template< typename WS_Message_Handler >
class message_handler_caller_t
{
public:
    explicit message_handler_caller_t( WS_Message_Handler handler )
        : m_handler{ std::move( handler ) }
    {}

    // Nothing is delivered before activation.
    void activate( std::weak_ptr< ws_t > ws ) noexcept { m_ws = std::move( ws ); }

    // Empty once the user has released every handle (or before activation).
    [[nodiscard]] ws_handle_t handle() const noexcept { return m_ws.lock(); }

    // The message and its reference counts in one recycled block: no allocation per frame, and
    // a block is reused only when no shared_ptr or weak_ptr refers to it any more.
    [[nodiscard]] static message_handle_t make_message(
        final_frame_flag_t final_flag, opcode_t opcode, std::string && payload )
    {
        return std::allocate_shared< message_t >( recycling_allocator_t< message_t >{},
                final_flag, opcode, std::move( payload ) );
    }

    // A valid frame from the receiver, close frames excepted. With whole messages, a data frame
    // goes to the handler only as the end of its message, all fragments joined. (The connection
    // keeps that choice: among its other flags, a bool costs no padding.)
    template< typename Log >
    void deliver_frame( const ws_handle_t & wsh, final_frame_flag_t final_flag, opcode_t opcode,
                        std::string && payload, bool whole_messages, const Log & log )
    {
        if( !whole_messages || is_control_frame( opcode ) )
            return deliver( wsh, make_message( final_flag, opcode, std::move( payload ) ), log );
        std::string spent = m_assembler.add_frame( final_flag, opcode, std::move( payload ),
                [ & ]( opcode_t message_opcode, std::string && message ) {
                    deliver( wsh, make_message( final_frame, message_opcode, std::move( message ) ), log );
                } );
        per_thread_payload_strings().give_back( std::move( spent ) );
    }

    // `log` has error( format, args... ) (connection_log_t).
    template< typename Log >
    void deliver( const ws_handle_t & wsh, const message_handle_t & message, const Log & log )
    {
        if( !wsh )
            return;
        try
        {
            // Lvalues: a handler taking const references costs no reference count.
            m_handler( wsh, message );
        }
        catch( const std::exception & ex )
        {
            log.error( "message handler failed: {}", ex.what() );
        }
        catch( ... )
        {
            log.error( "message handler failed with an exception not derived from std::exception" );
        }
    }

private:
    WS_Message_Handler m_handler;
    std::weak_ptr< ws_t > m_ws;
    message_assembler_t m_assembler;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
