// message_assembler_t: joins the fragments of a data message (RFC 6455 5.4) into one payload, for
// a message handler that asked for whole messages.
//
// It sits after the receiver, which has already checked everything about the fragments: their
// order, the UTF-8 of a text message (fail-fast, across fragments) and the message-size limit
// over their total (1009 before a byte is reserved). So the assembler only moves and appends. An
// unfragmented message passes through as it came (its string moved, never copied); the fragments
// of one message are appended to the first fragment's string. Control frames never reach it:
// the caller delivers them as they arrive, between fragments too. Pure: no I/O, no pools.
#pragma once

#include <restinio/websocket/message.hpp>

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

class message_assembler_t
{
public:
    // Takes the next data frame (text, binary or continuation), in arrival order, as the receiver
    // delivered it. When the frame ends a message, calls `deliver( opcode, std::string && payload )`
    // with the opcode of the message's first frame and the payload of all its fragments. Returns
    // a string that is no longer needed (a continuation's own, once appended) for the caller to
    // recycle; often an empty one.
    template< typename Deliver >
    [[nodiscard]] std::string add_frame(
        final_frame_flag_t final_flag, opcode_t opcode, std::string && payload, Deliver && deliver )
    {
        const bool is_final = final_frame_flag_t::final_frame == final_flag;
        if( opcode_t::continuation_frame != opcode )
        {
            if( is_final )
            {
                deliver( opcode, std::move( payload ) );
                return {};
            }
            // Made for the first fragmented message only, so that a connection that never
            // sees one holds one pointer for it; later messages reuse it.
            if( !m_message )
                m_message = std::make_unique< partial_message_t >();
            m_message->m_opcode = opcode;
            return std::exchange( m_message->m_payload, std::move( payload ) );
        }

        std::string & joined = m_message->m_payload;
        // An empty first fragment (a browser's or a library's way to start a stream) has no
        // storage worth keeping: the continuation's string becomes the message's.
        if( joined.empty() )
            std::swap( joined, payload );
        else
            joined.append( payload );
        if( is_final )
            deliver( m_message->m_opcode, std::move( joined ) );
        return std::move( payload );
    }

private:
    // The message being joined: its first frame's opcode and the fragments received so far.
    struct partial_message_t
    {
        std::string m_payload;
        opcode_t m_opcode{ opcode_t::continuation_frame };
    };

    std::unique_ptr< partial_message_t > m_message;
};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
