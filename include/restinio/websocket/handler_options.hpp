// The choices one connection can make for itself, given with its message handler to any
// upgrade() overload: whole_messages() / frame_by_frame() (how the handler gets data messages)
// and with_deflate() / without_deflate() (whether permessage-deflate is offered). Wrappers
// nest; what a handler does not choose is the server's setting.
#pragma once

#include <restinio/websocket/deflate_options.hpp>

#include <optional>
#include <utility>

namespace restinio
{
namespace websocket
{
namespace basic
{

namespace impl
{

// A message handler with choices of its own for its connection; see whole_messages() and
// with_deflate() below. What it does not choose is the server's.
template< typename WS_Message_Handler >
struct handler_with_delivery_t
{
    WS_Message_Handler m_handler;
    std::optional< bool > m_whole_messages;
    std::optional< deflate_t > m_deflate;
};

// The handler given to upgrade(), unwrapped, with its own choices made in `whole_messages`
// and `deflate` (which hold the server's).
template< typename WS_Message_Handler >
WS_Message_Handler && bare_handler( WS_Message_Handler & handler, bool &, deflate_t & ) noexcept
{
    return std::move( handler );
}

template< typename WS_Message_Handler >
WS_Message_Handler && bare_handler(
    handler_with_delivery_t< WS_Message_Handler > & wrapped, bool & whole_messages, deflate_t & deflate ) noexcept
{
    whole_messages = wrapped.m_whole_messages.value_or( whole_messages );
    if( wrapped.m_deflate )
        deflate = std::move( *wrapped.m_deflate );
    return std::move( wrapped.m_handler );
}

template< typename WS_Message_Handler >
handler_with_delivery_t< WS_Message_Handler > wrap( WS_Message_Handler handler )
{
    return { std::move( handler ), std::nullopt, std::nullopt };
}

template< typename WS_Message_Handler >
handler_with_delivery_t< WS_Message_Handler > wrap( handler_with_delivery_t< WS_Message_Handler > handler )
{
    return handler;
}

} // namespace impl

// Not in RESTinio: the handler of this one connection gets each data message whole (its
// fragments joined into one message_t with final_frame and the first frame's opcode; control
// frames as they come), whatever the server's websocket_whole_messages() says. Wraps the handler
// given to any upgrade() overload:
//     upgrade< traits_t >( *req, activation_t::immediate, whole_messages( handler ) );
template< typename WS_Message_Handler >
auto whole_messages( WS_Message_Handler handler )
{
    auto wrapped = impl::wrap( std::move( handler ) );
    wrapped.m_whole_messages = true;
    return wrapped;
}

// Not in RESTinio: the handler of this one connection gets one call per frame, as in RESTinio,
// even on a server set to websocket_whole_messages( true ).
template< typename WS_Message_Handler >
auto frame_by_frame( WS_Message_Handler handler )
{
    auto wrapped = impl::wrap( std::move( handler ) );
    wrapped.m_whole_messages = false;
    return wrapped;
}

// Not in RESTinio: this one connection offers permessage-deflate with `deflate` (from
// make_zlib_deflate(), <restinio/websocket/deflate.hpp>) whatever the server's
// websocket_deflate() says; an empty deflate_t turns it off. Wraps the handler given to any
// upgrade() overload, or one already wrapped:
//     upgrade< traits_t >( *req, activation_t::immediate, with_deflate( whole_messages( handler ), d ) );
template< typename WS_Message_Handler >
auto with_deflate( WS_Message_Handler handler, deflate_t deflate )
{
    auto wrapped = impl::wrap( std::move( handler ) );
    wrapped.m_deflate = std::move( deflate );
    return wrapped;
}

// Not in RESTinio: this one connection compresses nothing, even on a server with
// websocket_deflate() set.
template< typename WS_Message_Handler >
auto without_deflate( WS_Message_Handler handler )
{
    return with_deflate( std::move( handler ), deflate_t{} );
}

} // namespace basic
} // namespace websocket
} // namespace restinio
