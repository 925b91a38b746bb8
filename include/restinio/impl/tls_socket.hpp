// tls_socket_t: a TCP socket and the OpenSSL connection over it, without asio::ssl::stream.
// The calls here never wait: they read what the socket has, encrypt and send what the socket
// takes now, and say what they would wait for (tls_transport.hpp does the waiting).
//
// Memory: OpenSSL's read and write buffers are given back whenever they are empty
// (SSL_MODE_RELEASE_BUFFERS), and records the socket did not take wait in a buffer this socket
// has only while they wait; so an idle connection keeps only OpenSSL's connection state.
// Input is read ahead (as much as one read gets), and output is sent once per call, many
// records at a time (tls_output_bio.hpp).
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/impl/tls_output_bio.hpp>
#include <restinio/tls_fwd.hpp>

#include <asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace restinio
{
namespace impl
{

class tls_socket_t
{
public:
    using lowest_layer_type = tcp_socket_t;
    using executor_type = lowest_layer_type::executor_type;

    // The server side of a TLS connection on `socket`, with `context`'s settings; the handshake
    // must be over by `handshake_deadline`.
    tls_socket_t( lowest_layer_type socket, SSL_CTX * context,
                  std::chrono::steady_clock::time_point handshake_deadline )
        : m_socket{ std::move( socket ) }
        , m_ssl{ SSL_new( context ) }
        , m_handshake_deadline{ handshake_deadline }
    {
        if( !m_ssl )
            throw exception_t{ "TLS: SSL_new failed" };
        BIO * input = BIO_new_socket( static_cast< int >( m_socket.native_handle() ), BIO_NOCLOSE );
        if( !input )
            throw exception_t{ "TLS: BIO_new_socket failed" };
        SSL_set_bio( m_ssl.get(), input, tls_output_bio_t::make() );
        SSL_set_accept_state( m_ssl.get() );
        SSL_set_mode( m_ssl.get(), SSL_MODE_RELEASE_BUFFERS );
        // An end of input without close_notify is an end of input: HTTP and WebSocket frame
        // their own messages, and many clients just close. Renegotiation is refused.
        SSL_set_options( m_ssl.get(), SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION );
        SSL_set_read_ahead( m_ssl.get(), 1 );
        m_socket.non_blocking( true );
    }

    tls_socket_t( tls_socket_t && ) noexcept = default;
    tls_socket_t & operator=( tls_socket_t && ) noexcept = default;

    // ---- for users (through connection_state::tls_accessor_t) ----

    [[nodiscard]] SSL * native_handle() const noexcept { return m_ssl.get(); }
    [[nodiscard]] lowest_layer_type & lowest_layer() noexcept { return m_socket; }
    [[nodiscard]] executor_type get_executor() noexcept { return m_socket.get_executor(); }
    [[nodiscard]] bool is_open() const noexcept { return m_socket.is_open(); }

    // ---- for tls_transport_t ----

    // Until the handshake has succeeded (also once it has failed).
    [[nodiscard]] std::optional< std::chrono::steady_clock::time_point > handshake_deadline() const noexcept
    {
        if( m_handshake_done )
            return std::nullopt;
        return m_handshake_deadline;
    }

    // Records the socket has not taken yet.
    [[nodiscard]] bool output_waits() const noexcept { return static_cast< bool >( m_waiting_output ); }

    // Decrypted or undecrypted input that OpenSSL holds: readable without waiting.
    [[nodiscard]] bool input_buffered() const noexcept { return SSL_has_pending( m_ssl.get() ) != 0; }

    enum class handshake_step_t : std::uint8_t { done, needs_input, failed };

    // Takes the handshake as far as the input allows.
    [[nodiscard]] handshake_step_t handshake_step( asio_ns::error_code & ec ) noexcept
    {
        ERR_clear_error();
        const int result = SSL_do_handshake( m_ssl.get() );
        const int error = 1 == result ? SSL_ERROR_NONE : SSL_get_error( m_ssl.get(), result );
        // Taken before the send, which may change errno.
        const asio_ns::error_code failure =
                SSL_ERROR_NONE == error || SSL_ERROR_WANT_READ == error ? asio_ns::error_code{} : error_of( error );
        // The alert of a failed handshake goes too.
        send_output( ec );
        if( failure )
            ec = failure;
        if( ec )
        {
            m_state = state_t::failed;
            return handshake_step_t::failed;
        }
        if( SSL_ERROR_WANT_READ == error )
            return handshake_step_t::needs_input;
        m_state = state_t::open;
        m_handshake_done = true;
        return handshake_step_t::done;
    }

    // Up to `size` bytes of what has come (0 bytes and eof at the end of input), or would_block
    // (then the socket was found empty by this call, as with plain_transport_t::read_some).
    // Whatever OpenSSL holds is taken, many records at a time; the socket is read again only
    // when nothing was taken yet, so a read that returns data makes at most one system call.
    [[nodiscard]] std::size_t read_some( std::uint8_t * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        std::size_t got = 0;
        while( got < size )
        {
            std::size_t n = 0;
            const int result = SSL_read_ex( m_ssl.get(), data + got, size - got, &n );
            if( 1 == result )
            {
                got += n;
                if( !SSL_has_pending( m_ssl.get() ) )
                    break;
                continue;
            }
            const int error = SSL_get_error( m_ssl.get(), result );
            if( SSL_ERROR_WANT_READ == error )
            {
                if( 0 == got )
                    ec = asio_ns::error::would_block;
            }
            else if( 0 == got )
            {
                ec = error_of( error );
                if( SSL_ERROR_ZERO_RETURN != error )
                    m_state = state_t::failed;
            }
            // Else the error shows again on the next call.
            break;
        }
        // A read may have produced records (an alert, an answer to a key update).
        asio_ns::error_code ignored;
        send_output( ignored );
        return got;
    }

    // How much of `buffers` was taken: encrypted, and sent or left waiting. would_block if
    // records wait for the socket (then write_some or flush_output must be called again).
    [[nodiscard]] std::size_t write_some( const std::vector< asio_ns::const_buffer > & buffers,
                                          asio_ns::error_code & ec ) noexcept
    {
        if( !flush_output( ec ) )
        {
            if( !ec )
                ec = asio_ns::error::would_block;
            return 0;
        }
        std::size_t taken = 0;
        auto & staged = per_thread_staged_input();
        staged.clear();
        bool socket_full = false;
        for( auto buffer = buffers.begin(); buffer != buffers.end() && !socket_full; ++buffer )
        {
            // In pieces, so that a large buffer's records go out as they are made.
            const auto * data = static_cast< const unsigned char * >( buffer->data() );
            for( std::size_t left = buffer->size(); left != 0 && !socket_full; )
            {
                const std::size_t piece = std::min( left, output_batch_size );
                if( !stage_and_encrypt( data, piece, ec ) )
                    return taken;
                taken += piece;
                data += piece;
                left -= piece;
                if( per_thread_tls_output().size() >= output_batch_size )
                {
                    send_output( ec );
                    socket_full = ec || m_waiting_output;
                }
            }
        }
        // What was taken is encrypted now: it waits with the records before it if need be.
        if( ec || !encrypt( staged.data(), staged.size(), ec ) )
            return taken;
        send_output( ec );
        if( m_waiting_output )
            would_block_unless( ec );
        return taken;
    }

    // Sends the records still waiting; true if none are left.
    [[nodiscard]] bool flush_output( asio_ns::error_code & ec ) noexcept
    {
        if( !m_waiting_output )
            return true;
        std::vector< unsigned char > & waiting = *m_waiting_output;
        const std::size_t n = send( waiting.data(), waiting.size(), ec );
        waiting.erase( waiting.begin(), waiting.begin() + static_cast< std::ptrdiff_t >( n ) );
        if( waiting.empty() )
            m_waiting_output.reset();
        return !m_waiting_output;
    }

    // close_notify, then the TCP FIN (unless records still wait: the FIN would cut them off).
    void shutdown_send() noexcept
    {
        send_close_notify();
        if( !m_waiting_output )
        {
            asio_ns::error_code ignored;
            m_socket.shutdown( asio_ns::socket_base::shutdown_send, ignored );
        }
    }

    // close_notify if it has not gone yet and the connection is sound, then the socket closes.
    void close() noexcept
    {
        send_close_notify();
        asio_ns::error_code ignored;
        m_socket.close( ignored );
    }

private:
    // One record's worth: smaller buffers are gathered into full records.
    static constexpr std::size_t record_size = 16384;
    // Encrypted output is sent once it is this large, so that neither the thread's buffer nor
    // the records waiting for a slow reader grow much beyond it.
    static constexpr std::size_t output_batch_size = 256 * 1024;

    // closing: close_notify sent.
    enum class state_t : std::uint8_t { handshaking, open, closing, failed };

    struct ssl_deleter_t
    {
        void operator()( SSL * ssl ) const noexcept { SSL_free( ssl ); }
    };

    static std::vector< unsigned char > & per_thread_staged_input() noexcept
    {
        static thread_local std::vector< unsigned char > staged;
        return staged;
    }

    static void would_block_unless( asio_ns::error_code & ec ) noexcept
    {
        if( !ec )
            ec = asio_ns::error::would_block;
    }

    // Small pieces go to the staging buffer; a full record is encrypted from there, and whole
    // records of a large piece straight from it.
    bool stage_and_encrypt( const unsigned char * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        auto & staged = per_thread_staged_input();
        try
        {
            if( staged.size() + size < record_size )
            {
                staged.insert( staged.end(), data, data + size );
                return true;
            }
            const std::size_t fill = record_size - staged.size();
            staged.insert( staged.end(), data, data + fill );
            if( !encrypt( staged.data(), staged.size(), ec ) )
                return false;
            staged.clear();
            data += fill;
            size -= fill;
            const std::size_t whole = size - size % record_size;
            if( !encrypt( data, whole, ec ) )
                return false;
            staged.insert( staged.end(), data + whole, data + size );
            return true;
        }
        catch( const std::bad_alloc & )
        {
            ec = asio_ns::error::no_memory;
            return false;
        }
    }

    bool encrypt( const unsigned char * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        if( 0 == size )
            return true;
        std::size_t written = 0;
        const int result = SSL_write_ex( m_ssl.get(), data, size, &written );
        if( 1 == result )
            return true;
        ec = error_of( SSL_get_error( m_ssl.get(), result ) );
        m_state = state_t::failed;
        return false;
    }

    // Sends the thread's output; what the socket does not take waits in this socket's buffer.
    void send_output( asio_ns::error_code & ec ) noexcept
    {
        auto & output = per_thread_tls_output();
        if( output.empty() )
            return;
        try
        {
            if( m_waiting_output )
            {
                m_waiting_output->insert( m_waiting_output->end(), output.begin(), output.end() );
                output.clear();
                (void)flush_output( ec );
                return;
            }
            const std::size_t n = send( output.data(), output.size(), ec );
            if( !ec && n != output.size() )
                m_waiting_output = std::make_unique< std::vector< unsigned char > >(
                        output.begin() + static_cast< std::ptrdiff_t >( n ), output.end() );
        }
        catch( const std::bad_alloc & )
        {
            ec = asio_ns::error::no_memory;
        }
        output.clear();
    }

    // What the socket takes now; would_block is no error here.
    std::size_t send( const unsigned char * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        const std::size_t n = m_socket.write_some( asio_ns::buffer( data, size ), ec );
        if( ec == asio_ns::error::would_block || ec == asio_ns::error::try_again )
            ec = {};
        return n;
    }

    void send_close_notify() noexcept
    {
        if( state_t::open != m_state )
            return;
        m_state = state_t::closing;
        ERR_clear_error();
        (void)SSL_shutdown( m_ssl.get() );
        asio_ns::error_code ignored;
        send_output( ignored );
    }

    // The error of a failed OpenSSL call: OpenSSL's reason, the system's, or the end of input.
    [[nodiscard]] static asio_ns::error_code error_of( int ssl_error ) noexcept
    {
        if( SSL_ERROR_SSL == ssl_error )
        {
            const unsigned long code = ERR_peek_last_error();
            ERR_clear_error();
            return { static_cast< int >( code ), asio_ns::error::get_ssl_category() };
        }
        if( SSL_ERROR_SYSCALL == ssl_error && 0 != errno )
            return { errno, asio_ns::error::get_system_category() };
        return asio_ns::error::eof;
    }

    lowest_layer_type m_socket;
    std::unique_ptr< SSL, ssl_deleter_t > m_ssl;
    std::unique_ptr< std::vector< unsigned char > > m_waiting_output;
    std::chrono::steady_clock::time_point m_handshake_deadline;
    state_t m_state{ state_t::handshaking };
    bool m_handshake_done{ false };
};

} // namespace impl
} // namespace restinio
