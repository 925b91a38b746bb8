// A blocking raw WebSocket client for the end-to-end tests that run an in-process server
// (ws_api.cpp, ws_core.cpp): every read and write has a 5 s deadline, frames are built and read
// as exact bytes, and the way a read that got nothing ended (EOF, reset, deadline) is kept.
#pragma once

#include <restinio/websocket/message.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ws_test
{

namespace rws = restinio::websocket::basic;

inline const std::string rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
inline const std::string rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

inline const std::string exact_101 =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
        rfc_accept + "\r\nUpgrade: websocket\r\n\r\n";

inline std::string upgrade_request( const std::string & path, const std::string & extra_fields = {} )
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: " + rfc_key +
           "\r\nSec-WebSocket-Version: 13\r\n" + extra_fields + "\r\n";
}

// ---- frames ----

inline std::string length_field( unsigned char mask_bit, std::size_t size )
{
    std::string field;
    if( size < 126 )
        field += static_cast< char >( mask_bit | size );
    else if( size <= 0xFFFF )
    {
        field += static_cast< char >( mask_bit | 126 );
        field += static_cast< char >( size >> 8 );
        field += static_cast< char >( size & 0xFF );
    }
    else
    {
        field += static_cast< char >( mask_bit | 127 );
        for( int shift = 56; shift >= 0; shift -= 8 )
            field += static_cast< char >( ( static_cast< std::uint64_t >( size ) >> shift ) & 0xFF );
    }
    return field;
}

// A client frame (FIN set), masked with 11 22 33 44.
inline std::string client_frame( rws::opcode_t opcode, const std::string & payload )
{
    const unsigned char key[ 4 ] = { 0x11, 0x22, 0x33, 0x44 };
    std::string frame;
    frame += static_cast< char >( 0x80 | static_cast< unsigned >( opcode ) );
    frame += length_field( 0x80, payload.size() );
    frame.append( reinterpret_cast< const char * >( key ), 4 );
    const std::size_t start = frame.size();
    frame.resize( start + payload.size() );
    for( std::size_t i = 0; i != payload.size(); ++i )
        frame[ start + i ] = static_cast< char >( payload[ i ] ^ key[ i % 4 ] );
    return frame;
}

inline std::string client_text( const std::string & payload ) { return client_frame( rws::opcode_t::text_frame, payload ); }

inline std::string client_close( rws::status_code_t code )
{
    return client_frame( rws::opcode_t::connection_close_frame, rws::status_code_to_bin( code ) );
}

// What the server sends: FIN set, unmasked.
inline std::string server_frame( rws::opcode_t opcode, const std::string & payload )
{
    std::string frame;
    frame += static_cast< char >( 0x80 | static_cast< unsigned >( opcode ) );
    return frame + length_field( 0, payload.size() ) + payload;
}

inline std::string server_text( const std::string & payload ) { return server_frame( rws::opcode_t::text_frame, payload ); }

inline std::string server_close( std::uint16_t code, const std::string & reason = {} )
{
    return server_frame( rws::opcode_t::connection_close_frame,
                         rws::status_code_to_bin( static_cast< rws::status_code_t >( code ) ) + reason );
}

// Bytes as "88 02 03 E8", so that a mismatch reads well; long strings are cut.
inline std::string hex( const std::string & bytes )
{
    constexpr std::size_t shown = 48;
    std::string result;
    char byte[ 4 ];
    for( std::size_t i = 0; i != bytes.size() && i != shown; ++i )
    {
        std::snprintf( byte, sizeof byte, "%02X", static_cast< unsigned char >( bytes[ i ] ) );
        if( !result.empty() )
            result += ' ';
        result += byte;
    }
    if( bytes.size() > shown )
        result += " ... (" + std::to_string( bytes.size() ) + " bytes)";
    return result.empty() ? "(nothing)" : result;
}

// ---- the client ----

// How a read that got nothing ended.
enum class input_end_t { none, eof, reset, deadline, error };

// A blocking client socket; every read and write has a 5 s deadline.
class raw_client_t
{
public:
    explicit raw_client_t( std::uint16_t port )
    {
        m_fd = ::socket( AF_INET, SOCK_STREAM, 0 );
        REQUIRE( m_fd >= 0 );
        timeval tv{ 5, 0 };
        ::setsockopt( m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv );
        ::setsockopt( m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv );
        int one = 1;
        ::setsockopt( m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one );
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons( port );
        addr.sin_addr.s_addr = htonl( INADDR_LOOPBACK );
        REQUIRE( 0 == ::connect( m_fd, reinterpret_cast< sockaddr * >( &addr ), sizeof addr ) );
    }

    ~raw_client_t() { ::close( m_fd ); }

    raw_client_t( const raw_client_t & ) = delete;
    raw_client_t & operator=( const raw_client_t & ) = delete;

    [[nodiscard]] std::uint16_t local_port() const
    {
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        ::getsockname( m_fd, reinterpret_cast< sockaddr * >( &addr ), &len );
        return ntohs( addr.sin_port );
    }

    // All of `bytes`, in one send() call (small writes leave in one segment).
    void write( const std::string & bytes )
    {
        REQUIRE( static_cast< ssize_t >( bytes.size() ) ==
                 ::send( m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL ) );
    }

    // As much of `bytes` as the server takes before it closes (or the deadline); the count.
    std::size_t write_while_accepted( const std::string & bytes )
    {
        std::size_t sent = 0;
        while( sent != bytes.size() )
        {
            const ssize_t n = ::send( m_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL );
            if( n < 0 && EINTR == errno )
                continue;
            if( n <= 0 )
                break;
            sent += static_cast< std::size_t >( n );
        }
        return sent;
    }

    std::string read_until( const std::string & marker )
    {
        while( m_buffer.find( marker ) == std::string::npos && fill() )
            ;
        const auto pos = m_buffer.find( marker );
        REQUIRE( pos != std::string::npos );
        std::string result = m_buffer.substr( 0, pos + marker.size() );
        m_buffer.erase( 0, pos + marker.size() );
        return result;
    }

    std::string upgrade( const std::string & path, const std::string & extra_fields = {} )
    {
        write( upgrade_request( path, extra_fields ) );
        return read_until( "\r\n\r\n" );
    }

    // Fewer bytes than asked for means the end of input or the deadline.
    std::string read_exact( std::size_t n )
    {
        fill_to( n );
        const std::size_t taken = n < m_buffer.size() ? n : m_buffer.size();
        std::string result = m_buffer.substr( 0, taken );
        m_buffer.erase( 0, taken );
        return result;
    }

    void shutdown_write() { REQUIRE( 0 == ::shutdown( m_fd, SHUT_WR ) ); }

    // The exact bytes of one server frame (header and payload), or nothing at the end of input
    // or the deadline (then ended() says which).
    std::string read_frame()
    {
        if( !fill_to( 2 ) )
            return {};
        const auto length_7 = static_cast< unsigned char >( m_buffer[ 1 ] ) & 0x7Fu;
        const std::size_t header_size = 2u + ( 126u == length_7 ? 2u : 127u == length_7 ? 8u : 0u );
        if( !fill_to( header_size ) )
            return {};
        std::uint64_t payload_size = length_7;
        if( header_size > 2u )
        {
            payload_size = 0;
            for( std::size_t i = 2; i != header_size; ++i )
                payload_size = ( payload_size << 8 ) | static_cast< unsigned char >( m_buffer[ i ] );
        }
        REQUIRE( payload_size < 64u * 1024u * 1024u );
        const std::size_t frame_size = header_size + static_cast< std::size_t >( payload_size );
        if( !fill_to( frame_size ) )
            return {};
        std::string frame = m_buffer.substr( 0, frame_size );
        m_buffer.erase( 0, frame_size );
        return frame;
    }

    [[nodiscard]] input_end_t ended() const noexcept { return m_end; }

    // True if the server ends the connection (FIN or reset) with nothing more sent before the
    // deadline.
    bool reads_eof()
    {
        if( !m_buffer.empty() )
            return false;
        return !fill() && ( input_end_t::eof == m_end || input_end_t::reset == m_end );
    }

private:
    bool fill_to( std::size_t n )
    {
        while( m_buffer.size() < n )
            if( !fill() )
                return false;
        return true;
    }

    bool fill()
    {
        char chunk[ 16 * 1024 ];
        for( ;; )
        {
            const ssize_t n = ::recv( m_fd, chunk, sizeof chunk, 0 );
            if( n > 0 )
            {
                m_buffer.append( chunk, static_cast< std::size_t >( n ) );
                return true;
            }
            if( n < 0 && EINTR == errno )
                continue;
            m_end = 0 == n ? input_end_t::eof
                    : ECONNRESET == errno ? input_end_t::reset
                    : ( EAGAIN == errno || EWOULDBLOCK == errno ) ? input_end_t::deadline
                    : input_end_t::error;
            return false;
        }
    }

    int m_fd{ -1 };
    std::string m_buffer;
    input_end_t m_end{ input_end_t::none };
};

inline const char * to_string( input_end_t end )
{
    switch( end )
    {
        case input_end_t::none: return "none";
        case input_end_t::eof: return "EOF";
        case input_end_t::reset: return "reset";
        case input_end_t::deadline: return "the 5 s deadline";
        case input_end_t::error: return "an error";
    }
    return "?";
}

} // namespace ws_test
