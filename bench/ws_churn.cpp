// ws_churn: connection churn against a WebSocket server. Keeps --connections clients busy, each
// in a loop: connect, send an upgrade request, wait for the 101, close (with a close frame, a
// FIN or an RST), and connect again at once. It runs for --seconds and prints what became of
// every attempt (101, EOF or reset before the 101, refused, timed out), the time from connect()
// to the 101 in percentiles and buckets, the longest time no 101 arrived at all, and what the
// kernel counted meanwhile on the listening side (TcpExt ListenOverflows, ListenDrops, SYN
// cookies: a SYN dropped for a full accept queue is sent again 1, 3, 7 s after the first) with
// the sysctls that bound the queues.
//
//   ws_churn --port P [--address 127.0.0.1] [--connections 2000] [--seconds 10]
//            [--close frame|fin|rst] [--timeout-ms 15000]
//
// One thread, non-blocking sockets and epoll, nothing but POSIX, so that what it measures is
// the server's and the kernel's doing. Loopback only.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

using clock_type = std::chrono::steady_clock;

enum class close_mode_t { frame, fin, rst };

struct options_t
{
    std::string address{ "127.0.0.1" };
    std::uint16_t port{ 0 };
    std::size_t connections{ 2000 };
    std::chrono::seconds duration{ 10 };
    close_mode_t close_mode{ close_mode_t::frame };
    std::chrono::milliseconds timeout{ 15000 };
};

[[noreturn]] void usage_and_exit( const char * program )
{
    std::fprintf( stderr, "usage: %s --port P [--address A] [--connections N] [--seconds S]"
                          " [--close frame|fin|rst] [--timeout-ms MS]\n", program );
    std::exit( 2 );
}

options_t parse_options( int argc, char ** argv )
{
    options_t o;
    for( int i = 1; i < argc; ++i )
    {
        const std::string arg = argv[ i ];
        if( i + 1 >= argc )
            usage_and_exit( argv[ 0 ] );
        const std::string value = argv[ ++i ];
        if( "--address" == arg ) o.address = value;
        else if( "--port" == arg ) o.port = static_cast< std::uint16_t >( std::stoul( value ) );
        else if( "--connections" == arg ) o.connections = std::stoul( value );
        else if( "--seconds" == arg ) o.duration = std::chrono::seconds{ std::stoul( value ) };
        else if( "--timeout-ms" == arg ) o.timeout = std::chrono::milliseconds{ std::stoul( value ) };
        else if( "--close" == arg && "frame" == value ) o.close_mode = close_mode_t::frame;
        else if( "--close" == arg && "fin" == value ) o.close_mode = close_mode_t::fin;
        else if( "--close" == arg && "rst" == value ) o.close_mode = close_mode_t::rst;
        else usage_and_exit( argv[ 0 ] );
    }
    if( 0 == o.port || 0 == o.connections )
        usage_and_exit( argv[ 0 ] );
    return o;
}

// What became of one attempt.
enum class outcome_t { upgraded, eof_before_101, reset_before_101, not_101, refused, connect_error,
                       timed_out };

const char * outcome_name( outcome_t o )
{
    switch( o )
    {
    case outcome_t::upgraded: return "101 received";
    case outcome_t::eof_before_101: return "EOF before the 101";
    case outcome_t::reset_before_101: return "reset before the 101";
    case outcome_t::not_101: return "another status";
    case outcome_t::refused: return "connection refused";
    case outcome_t::connect_error: return "other connect error";
    case outcome_t::timed_out: return "no 101 in time";
    }
    return "?";
}

enum class state_t { connecting, awaiting_101, closing };

struct client_t
{
    int fd{ -1 };
    state_t state{ state_t::connecting };
    clock_type::time_point started;
    std::string input;
};

struct attempt_t
{
    outcome_t outcome;
    double seconds;         // from connect() to the outcome
};

const char upgrade_request[] =
    "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// A masked close frame with status 1000 (the mask is all zero bytes, so the payload is as is).
const unsigned char close_frame[] = { 0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8 };

class churn_t
{
public:
    explicit churn_t( const options_t & o ) : m_options{ o }, m_clients( o.connections )
    {
        m_peer.sin_family = AF_INET;
        m_peer.sin_port = htons( o.port );
        if( 1 != ::inet_pton( AF_INET, o.address.c_str(), &m_peer.sin_addr ) )
            throw std::runtime_error{ "not an IPv4 address: " + o.address };
        m_epoll = ::epoll_create1( EPOLL_CLOEXEC );
    }

    void run()
    {
        const auto start = clock_type::now();
        m_stop_at = start + m_options.duration;
        m_last_upgrade = start;
        for( std::size_t i = 0; i != m_clients.size(); ++i )
            start_attempt( i );
        restart_finished( start );

        std::vector< epoll_event > events( 1024 );
        auto next_scan = start;
        while( m_active > 0 || !m_finished.empty() )
        {
            const int n = ::epoll_wait( m_epoll, events.data(), static_cast< int >( events.size() ), 50 );
            for( int e = 0; e < n; ++e )
                on_event( events[ static_cast< std::size_t >( e ) ].data.u64,
                          events[ static_cast< std::size_t >( e ) ].events );
            const auto now = clock_type::now();
            if( now >= next_scan )
            {
                expire( now );
                next_scan = now + std::chrono::milliseconds{ 100 };
            }
            restart_finished( now );
            // After the run, attempts still under way get their own timeout to finish.
            if( now > m_stop_at + m_options.timeout + std::chrono::seconds{ 1 } )
                break;
        }
        m_elapsed = std::chrono::duration< double >( clock_type::now() - start ).count();
    }

    void report() const
    {
        std::map< outcome_t, std::size_t > counts;
        std::map< outcome_t, std::vector< double > > times;
        for( const auto & a : m_attempts )
        {
            ++counts[ a.outcome ];
            times[ a.outcome ].push_back( a.seconds );
        }
        std::printf( "%zu clients, %.1f s, close by %s: %zu attempts (%.0f/s), %zu still under way\n",
                     m_clients.size(), m_elapsed, close_mode_name(), m_attempts.size(),
                     static_cast< double >( m_attempts.size() ) / m_elapsed, m_active );
        std::printf( "%-24s %9s %7s %9s %9s %9s %9s\n", "outcome", "count", "%", "p50 ms", "p99 ms",
                     "p99.9 ms", "max ms" );
        for( auto & [ outcome, count ] : counts )
        {
            auto t = times.at( outcome );
            std::sort( t.begin(), t.end() );
            std::printf( "%-24s %9zu %7.3f %9.1f %9.1f %9.1f %9.1f\n", outcome_name( outcome ), count,
                         100.0 * static_cast< double >( count ) / static_cast< double >( m_attempts.size() ),
                         1e3 * percentile( t, 0.5 ), 1e3 * percentile( t, 0.99 ),
                         1e3 * percentile( t, 0.999 ), 1e3 * t.back() );
        }
        const double bounds[] = { 0.01, 0.1, 0.5, 1.0, 3.0, 7.0, 15.0 };
        std::printf( "time to the 101:" );
        std::size_t below_previous = 0;
        const auto & upgraded = times.count( outcome_t::upgraded ) ? times.at( outcome_t::upgraded )
                                                                   : std::vector< double >{};
        for( double bound : bounds )
        {
            const auto below = static_cast< std::size_t >( std::count_if( upgraded.begin(), upgraded.end(),
                    [bound]( double s ) { return s < bound; } ) );
            std::printf( "  <%gs %zu", bound, below - below_previous );
            below_previous = below;
        }
        std::printf( "  more %zu\n", upgraded.size() - below_previous );
        std::printf( "longest time without any 101: %.1f ms\n", 1e3 * m_longest_gap );
    }

private:
    static double percentile( const std::vector< double > & sorted, double p )
    {
        if( sorted.empty() )
            return 0;
        return sorted[ std::min( sorted.size() - 1, static_cast< std::size_t >( p * static_cast< double >( sorted.size() ) ) ) ];
    }

    const char * close_mode_name() const
    {
        switch( m_options.close_mode )
        {
        case close_mode_t::frame: return "close frame";
        case close_mode_t::fin: return "FIN";
        case close_mode_t::rst: return "RST";
        }
        return "?";
    }

    void start_attempt( std::size_t i )
    {
        auto & c = m_clients[ i ];
        c.input.clear();
        c.started = clock_type::now();
        c.state = state_t::connecting;
        c.fd = ::socket( AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0 );
        if( c.fd < 0 )
        {
            std::perror( "socket" );
            std::exit( 1 );
        }
        const int one = 1;
        ::setsockopt( c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof( one ) );
        ++m_active;
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u64 = i;
        ::epoll_ctl( m_epoll, EPOLL_CTL_ADD, c.fd, &ev );
        if( 0 != ::connect( c.fd, reinterpret_cast< const sockaddr * >( &m_peer ), sizeof( m_peer ) )
            && EINPROGRESS != errno )
            finish( i, ECONNREFUSED == errno ? outcome_t::refused : outcome_t::connect_error );
    }

    // Clients whose attempt ended start the next one here, after the events of a wait have been
    // handled (an event of the old socket must not reach the new one).
    void restart_finished( clock_type::time_point now )
    {
        while( !m_finished.empty() )
        {
            const auto i = m_finished.back();
            m_finished.pop_back();
            if( now < m_stop_at )
                start_attempt( i );
        }
    }

    // Records the attempt's outcome (unless it was the close after a 101) and closes.
    void finish( std::size_t i, std::optional< outcome_t > outcome )
    {
        auto & c = m_clients[ i ];
        const auto now = clock_type::now();
        if( outcome )
        {
            m_attempts.push_back( { *outcome, std::chrono::duration< double >( now - c.started ).count() } );
            if( outcome_t::upgraded == *outcome )
            {
                m_longest_gap = std::max( m_longest_gap,
                        std::chrono::duration< double >( now - m_last_upgrade ).count() );
                m_last_upgrade = now;
            }
        }
        if( close_mode_t::rst == m_options.close_mode && outcome && outcome_t::upgraded == *outcome )
        {
            const linger abort_on_close{ 1, 0 };
            ::setsockopt( c.fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof( abort_on_close ) );
        }
        ::close( c.fd );
        c.fd = -1;
        --m_active;
        m_finished.push_back( i );
    }

    void on_event( std::size_t i, std::uint32_t events )
    {
        auto & c = m_clients[ i ];
        if( c.fd < 0 )
            return;
        if( state_t::connecting == c.state )
        {
            int error = 0;
            socklen_t len = sizeof( error );
            ::getsockopt( c.fd, SOL_SOCKET, SO_ERROR, &error, &len );
            if( 0 != error )
                return finish( i, ECONNREFUSED == error ? outcome_t::refused : outcome_t::connect_error );
            if( !( events & EPOLLOUT ) )
                return;
            if( ::send( c.fd, upgrade_request, sizeof( upgrade_request ) - 1, MSG_NOSIGNAL )
                != static_cast< ssize_t >( sizeof( upgrade_request ) - 1 ) )
                return finish( i, outcome_t::reset_before_101 );
            c.state = state_t::awaiting_101;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = i;
            ::epoll_ctl( m_epoll, EPOLL_CTL_MOD, c.fd, &ev );
            return;
        }

        char buffer[ 4096 ];
        const ssize_t n = ::recv( c.fd, buffer, sizeof( buffer ), 0 );
        if( n < 0 && ( EAGAIN == errno || EWOULDBLOCK == errno ) )
            return;
        if( state_t::closing == c.state )
        {
            if( n <= 0 )            // the server's FIN (after its close frame), or a reset
                finish( i, std::nullopt );
            return;
        }
        if( n < 0 )
            return finish( i, outcome_t::reset_before_101 );
        if( 0 == n )
            return finish( i, outcome_t::eof_before_101 );
        c.input.append( buffer, static_cast< std::size_t >( n ) );
        const auto end = c.input.find( "\r\n\r\n" );
        if( std::string::npos == end )
            return;
        if( 0 != c.input.compare( 0, 13, "HTTP/1.1 101 " ) )
            return finish( i, outcome_t::not_101 );
        if( close_mode_t::frame != m_options.close_mode )
            return finish( i, outcome_t::upgraded );

        // Count the 101 now; the close handshake is no part of the attempt's time.
        const auto now = clock_type::now();
        m_attempts.push_back( { outcome_t::upgraded, std::chrono::duration< double >( now - c.started ).count() } );
        m_longest_gap = std::max( m_longest_gap, std::chrono::duration< double >( now - m_last_upgrade ).count() );
        m_last_upgrade = now;
        c.state = state_t::closing;
        c.started = now;
        ::send( c.fd, close_frame, sizeof( close_frame ), MSG_NOSIGNAL );
    }

    void expire( clock_type::time_point now )
    {
        for( std::size_t i = 0; i != m_clients.size(); ++i )
        {
            const auto & c = m_clients[ i ];
            if( c.fd >= 0 && now - c.started > m_options.timeout )
                finish( i, state_t::closing == c.state ? std::nullopt
                                                       : std::optional< outcome_t >{ outcome_t::timed_out } );
        }
    }

    const options_t m_options;
    sockaddr_in m_peer{};
    int m_epoll{ -1 };
    std::vector< client_t > m_clients;
    std::vector< attempt_t > m_attempts;
    std::vector< std::size_t > m_finished;
    std::size_t m_active{ 0 };
    clock_type::time_point m_stop_at;
    clock_type::time_point m_last_upgrade;
    double m_longest_gap{ 0 };
    double m_elapsed{ 0 };
};

// TcpExt counters of /proc/net/netstat (a header line of names, then one of values); the
// network namespace's, so other traffic on the machine counts too.
std::map< std::string, long long > tcp_ext_counters()
{
    std::ifstream in{ "/proc/net/netstat" };
    std::string names, values;
    std::map< std::string, long long > counters;
    while( std::getline( in, names ) && std::getline( in, values ) )
    {
        if( 0 != names.rfind( "TcpExt:", 0 ) )
            continue;
        std::istringstream n{ names }, v{ values };
        std::string name, skip;
        long long value = 0;
        n >> skip;
        v >> skip;
        while( n >> name && v >> value )
            counters[ name ] = value;
    }
    return counters;
}

std::string sysctl( const char * path )
{
    std::ifstream in{ path };
    std::string value;
    std::getline( in, value );
    return value.empty() ? "?" : value;
}

void report_kernel( const std::map< std::string, long long > & before,
                    const std::map< std::string, long long > & after )
{
    std::printf( "kernel: somaxconn %s, tcp_max_syn_backlog %s, tcp_syncookies %s,"
                 " tcp_abort_on_overflow %s\n",
                 sysctl( "/proc/sys/net/core/somaxconn" ).c_str(),
                 sysctl( "/proc/sys/net/ipv4/tcp_max_syn_backlog" ).c_str(),
                 sysctl( "/proc/sys/net/ipv4/tcp_syncookies" ).c_str(),
                 sysctl( "/proc/sys/net/ipv4/tcp_abort_on_overflow" ).c_str() );
    std::printf( "during the run:" );
    for( const char * name : { "ListenOverflows", "ListenDrops", "SyncookiesSent", "SyncookiesRecv",
                               "TCPReqQFullDrop", "TCPReqQFullDoCookies" } )
    {
        const auto b = before.find( name );
        const auto a = after.find( name );
        if( b != before.end() && a != after.end() )
            std::printf( " %s %lld", name, a->second - b->second );
    }
    std::printf( "\n" );
}

void raise_open_files_limit( std::size_t needed )
{
    rlimit limit{};
    ::getrlimit( RLIMIT_NOFILE, &limit );
    if( limit.rlim_cur < needed && limit.rlim_max >= needed )
    {
        limit.rlim_cur = needed;
        ::setrlimit( RLIMIT_NOFILE, &limit );
    }
}

} // namespace

int main( int argc, char ** argv )
{
    try
    {
        const options_t options = parse_options( argc, argv );
        raise_open_files_limit( options.connections + 64 );
        churn_t churn{ options };
        const auto counters_before = tcp_ext_counters();
        churn.run();
        const auto counters_after = tcp_ext_counters();
        churn.report();
        report_kernel( counters_before, counters_after );
        return 0;
    }
    catch( const std::exception & ex )
    {
        std::fprintf( stderr, "error: %s\n", ex.what() );
        return 1;
    }
}
