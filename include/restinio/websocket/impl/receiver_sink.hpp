// The Sink concept: what receiver_t (receiver.hpp) hands each valid frame to, and how it asks
// its sink for the string a payload goes in. Found at compile time: no virtual call per frame.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{
namespace impl
{

//
// The Sink concept
//
// A sink is any object with this member:
//
//     void on_frame( final_frame_flag_t final_flag, opcode_t opcode, std::string && payload );
//
// * It is called once for each valid frame, in arrival order, before consume() returns. The
//   payload is that frame's unmasked application data only (inflated, in a compressed message:
//   what its bytes inflated to). A continuation arrives with
//   opcode_t::continuation_frame; control frames may arrive between the fragments of a message.
// * "Valid" means every check of receiver_t passed for the whole frame, including: a close payload is
//   well formed, and a text message's bytes so far are UTF-8 (a final text fragment also ends
//   on a code point boundary).
// * After a close frame is delivered the receiver ignores any further input (RFC 6455 5.5.1:
//   nothing may follow a close), and close_received() becomes true.
// * on_frame must not call consume() on the same receiver. If it throws, the exception leaves
//   consume(); the receiver is still consistent, but the rest of that input was not processed,
//   so the caller must treat the connection as failed.
//
// A sink may also have
//
//     std::string take_payload_string( std::size_t size );
//
// which the receiver then asks for the string to put a payload of `size` bytes in: a recycled
// one with the capacity saves an allocation per frame, and one that is already that long (its
// old content is overwritten) saves clearing the space for a payload read straight into it.
// Without it the string is a new one.
//

template< typename Sink, typename = void >
struct sink_recycles_strings : std::false_type {};

template< typename Sink >
struct sink_recycles_strings< Sink,
        std::void_t< decltype( std::declval< Sink & >().take_payload_string( std::size_t{} ) ) > >
    : std::true_type
{};

} // namespace impl
} // namespace basic
} // namespace websocket
} // namespace restinio
