// The passes (see connection.hpp and websocket/impl/ws_connection.hpp) running on this thread.
// A call on a connection made from inside another connection's pass is posted to it instead of
// run there: nothing of one connection (a handler that hears of a close, say) runs inside
// another's handler, which may be walking a list of connections. A call from outside any pass
// (a timer, the server's cleanup) is dispatched: at once where the strand allows.
//
// pass_driver_t is the drive loop both connections share: a call runs in a pass, and a call
// made during a pass of the same connection only changes its state (the pass settles after).
#pragma once

#include <restinio/asio_include.hpp>

#include <exception>
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

// The base of a connection driven in passes (CRTP, no data of its own). Connection provides
// m_transport (strand(), running_on_strand()), m_in_pass, self_handle(), settle() (the end of
// every pass: write, read, arm deadlines) and fail_inside_pass( const char * ) noexcept.
template< typename Connection >
class pass_driver_t
{
protected:
    // Whether a call may run here and now: on the connection's strand, inside one of its passes
    // or outside any pass. (Strand first: m_in_pass belongs to it.)
    [[nodiscard]] bool may_run_here() const noexcept
    {
        const auto & self = static_cast< const Connection & >( *this );
        return self.m_transport.running_on_strand() && ( self.m_in_pass || !pass_scope_t::any_running() );
    }

    // Runs `f( connection )` in a pass: here and now if it may, else through the strand.
    template< typename F >
    void on_strand( F && f )
    {
        auto & self = static_cast< Connection & >( *this );
        if( may_run_here() )
            return run_pass( [ & ] { f( self ); } );
        dispatch_unless_in_a_pass( self.m_transport.strand(),
            [ handle = self.self_handle(), f = std::forward< F >( f ) ]() mutable {
                static_cast< pass_driver_t & >( *handle ).run_pass( [ & ] { f( *handle ); } );
            } );
    }

    // A call from inside this connection's pass changes its state now; its I/O waits for the
    // end of that pass. An exception from the body or the settling ends in fail_inside_pass.
    template< typename Body >
    void run_pass( Body && body )
    {
        auto & self = static_cast< Connection & >( *this );
        if( self.m_in_pass )
            return body();
        const pass_scope_t scope;
        self.m_in_pass = true;
        try
        {
            body();
            self.settle();
        }
        catch( const std::exception & ex ) { self.fail_inside_pass( ex.what() ); }
        catch( ... ) { self.fail_inside_pass( "an exception not derived from std::exception" ); }
        self.m_in_pass = false;
    }
};

} // namespace impl
} // namespace restinio
