// The passes (see connection.hpp and websocket/impl/ws_connection.hpp) running on this thread.
// A call on a connection made from inside another connection's pass is posted to it instead of
// run there: nothing of one connection (a handler that hears of a close, say) runs inside
// another's handler, which may be walking a list of connections. A call from outside any pass
// (a timer, the server's cleanup) is dispatched: at once where the strand allows.
#pragma once

#include <restinio/asio_include.hpp>

#include <utility>

namespace restinio
{
namespace impl
{

class pass_scope_t
{
public:
    pass_scope_t() noexcept { ++depth(); }
    ~pass_scope_t() { --depth(); }

    pass_scope_t( const pass_scope_t & ) = delete;
    pass_scope_t & operator=( const pass_scope_t & ) = delete;

    [[nodiscard]] static bool any_running() noexcept { return 0 != depth(); }

private:
    [[nodiscard]] static int & depth() noexcept
    {
        static thread_local int passes = 0;
        return passes;
    }
};

// Runs `task` on `strand`: dispatched outside any pass, posted inside one.
template< typename Strand, typename Task >
void dispatch_unless_in_a_pass( const Strand & strand, Task && task )
{
    if( pass_scope_t::any_running() )
        asio_ns::post( strand, std::forward< Task >( task ) );
    else
        asio_ns::dispatch( strand, std::forward< Task >( task ) );
}

} // namespace impl
} // namespace restinio
