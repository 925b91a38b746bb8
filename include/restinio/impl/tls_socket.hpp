// tls_socket_t: a TCP socket and the OpenSSL connection over it, without asio::ssl::stream.
// The calls here never wait: they read what the socket has, encrypt and send what the socket
// takes now, and say what they would wait for (tls_transport.hpp does the waiting).
//
// Memory: OpenSSL's read and write buffers are given back whenever they are empty
// (SSL_MODE_RELEASE_BUFFERS), and records the socket did not take wait in a buffer this socket
// has only while they wait. After a TLS 1.3 handshake (with a context that prepare_context()
// has seen, the suites of tls13_records.hpp, no client certificate asked for) the `SSL` itself
// is freed and the records are protected here (tls13_records.hpp) with the traffic secrets
// OpenSSL logged during the handshake: an idle connection then keeps a few hundred bytes of
// TLS state instead of OpenSSL's ~13.7 KB. Other connections keep OpenSSL to the end.
// Input is read ahead (as much as one read gets), and output is sent once per call, many
// records at a time (tls_output_bio.hpp).
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/impl/tls13_records.hpp>
#include <restinio/impl/tls_output_bio.hpp>
#include <restinio/tls_fwd.hpp>

#include <asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
        if( &log_secret == SSL_CTX_get_keylog_callback( context ) )
        {
            // OpenSSL must not read past the handshake's last record: what follows is ours to
            // open once the `SSL` is gone.
            m_secrets = std::make_unique< handshake_secrets_t >();
            SSL_set_ex_data( m_ssl.get(), secrets_index(), m_secrets.get() );
        }
        else
            SSL_set_read_ahead( m_ssl.get(), 1 );
        m_socket.non_blocking( true );
    }

    // Lets connections on `context` leave OpenSSL after a TLS 1.3 handshake (see above), unless
    // the context logs its secrets elsewhere (SSL_CTX_set_keylog_callback). Once per context,
    // before its first connection.
    static void prepare_context( SSL_CTX * context ) noexcept
    {
        if( !SSL_CTX_get_keylog_callback( context ) )
            SSL_CTX_set_keylog_callback( context, &log_secret );
    }

    tls_socket_t( tls_socket_t && ) noexcept = default;
    tls_socket_t & operator=( tls_socket_t && ) noexcept = default;

    // ---- for users (through connection_state::tls_accessor_t) ----

    // Null once the connection has left OpenSSL (after a TLS 1.3 handshake, see above).
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

    // Input that is readable without waiting: decrypted or undecrypted input that OpenSSL or
    // this socket holds, or an end of input or an error already found.
    [[nodiscard]] bool input_buffered() const noexcept
    {
        if( m_ssl )
            return SSL_has_pending( m_ssl.get() ) != 0;
        return m_input_ended || m_input_error || ( m_inbound && m_inbound->readable() );
    }

    enum class handshake_step_t : std::uint8_t { done, needs_input, failed };

    // Takes the handshake as far as the input allows.
    [[nodiscard]] handshake_step_t handshake_step( asio_ns::error_code & ec ) noexcept
    {
        ERR_clear_error();
        const std::size_t output_before = per_thread_tls_output().size();
        const int result = SSL_do_handshake( m_ssl.get() );
        const int error = 1 == result ? SSL_ERROR_NONE : SSL_get_error( m_ssl.get(), result );
        // Taken before the send, which may change errno.
        const asio_ns::error_code failure =
                SSL_ERROR_NONE == error || SSL_ERROR_WANT_READ == error ? asio_ns::error_code{} : error_of( error );
        // The call that ends the handshake sends nothing but the session tickets, already
        // protected with the server's application traffic secret.
        const std::uint64_t records_sent = SSL_ERROR_NONE == error ? count_records( output_before ) : 0;
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
        leave_openssl_if_possible( records_sent );
        return handshake_step_t::done;
    }

    // Up to `size` bytes of what has come (0 bytes and eof at the end of input), or would_block
    // (then the socket was found empty by this call, as with plain_transport_t::read_some).
    // Whatever OpenSSL holds is taken, many records at a time; the socket is read again only
    // when nothing was taken yet, so a read that returns data makes at most one system call.
    [[nodiscard]] std::size_t read_some( std::uint8_t * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        if( !m_ssl )
            return read_records( data, size, ec );
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
        byte_buffer_t & waiting = *m_waiting_output;
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

    static byte_buffer_t & per_thread_staged_input() noexcept
    {
        static thread_local byte_buffer_t staged;
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
        if( !m_ssl )
        {
            if( state_t::failed != m_state
                && m_records->seal( tls13::content_type_t::application_data, data, size, per_thread_tls_output() ) )
                return true;
            ec = m_input_error ? m_input_error : tls13::sent_alert( tls13::alert_t::internal_error );
            m_state = state_t::failed;
            return false;
        }
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
                m_waiting_output = std::make_unique< byte_buffer_t >(
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
        if( m_ssl )
        {
            ERR_clear_error();
            (void)SSL_shutdown( m_ssl.get() );
        }
        else
            (void)m_records->seal_alert( tls13::alert_t::close_notify, per_thread_tls_output() );
        asio_ns::error_code ignored;
        send_output( ignored );
    }

    // ---- the handshake's secrets, and leaving OpenSSL after it ----

    // The application traffic secrets of TLS 1.3, as OpenSSL logs them during the handshake.
    struct handshake_secrets_t
    {
        std::uint8_t client[ 48 ]{};
        std::uint8_t server[ 48 ]{};
        std::size_t client_size{ 0 };
        std::size_t server_size{ 0 };

        ~handshake_secrets_t() { OPENSSL_cleanse( this, sizeof( *this ) ); }
    };

    static int secrets_index() noexcept
    {
        static const int index = SSL_get_ex_new_index( 0, nullptr, nullptr, nullptr, nullptr );
        return index;
    }

    // OpenSSL's key log line: "LABEL <client random, hex> <secret, hex>".
    static void log_secret( const SSL * ssl, const char * line ) noexcept
    {
        auto * secrets = static_cast< handshake_secrets_t * >( SSL_get_ex_data( ssl, secrets_index() ) );
        if( !secrets )
            return;
        static constexpr char client_label[] = "CLIENT_TRAFFIC_SECRET_0 ";
        static constexpr char server_label[] = "SERVER_TRAFFIC_SECRET_0 ";
        std::uint8_t * secret = nullptr;
        std::size_t * size = nullptr;
        if( 0 == std::strncmp( line, client_label, sizeof( client_label ) - 1 ) )
            secret = secrets->client, size = &secrets->client_size;
        else if( 0 == std::strncmp( line, server_label, sizeof( server_label ) - 1 ) )
            secret = secrets->server, size = &secrets->server_size;
        else
            return;
        const char * hex = std::strchr( line + sizeof( client_label ) - 1, ' ' );
        *size = 0;
        if( !hex )
            return;
        const auto digit = []( char c ) noexcept -> int {
            if( c >= '0' && c <= '9' )
                return c - '0';
            if( c >= 'a' && c <= 'f' )
                return c - 'a' + 10;
            if( c >= 'A' && c <= 'F' )
                return c - 'A' + 10;
            return -1;
        };
        std::size_t n = 0;
        for( ++hex; hex[ 0 ] && hex[ 1 ] && n != sizeof( secrets->client ); hex += 2 )
        {
            const int high = digit( hex[ 0 ] );
            const int low = digit( hex[ 1 ] );
            if( high < 0 || low < 0 )
                return;
            secret[ n++ ] = static_cast< std::uint8_t >( high << 4 | low );
        }
        if( 0 == hex[ 0 ] )
            *size = n;
    }

    // Records in the thread's output from `from` on (whole records: the output BIO takes
    // OpenSSL's records whole).
    [[nodiscard]] static std::uint64_t count_records( std::size_t from ) noexcept
    {
        const auto & output = per_thread_tls_output();
        std::uint64_t records = 0;
        for( std::size_t at = from; at + tls13::header_size <= output.size(); ++records )
            at += tls13::header_size + ( static_cast< std::size_t >( output[ at + 3 ] ) << 8 | output[ at + 4 ] );
        return records;
    }

    void leave_openssl_if_possible( std::uint64_t server_records ) noexcept
    {
        const std::unique_ptr< handshake_secrets_t > secrets = std::move( m_secrets );
        if( !secrets )
            return;
        SSL_set_ex_data( m_ssl.get(), secrets_index(), nullptr );
        const SSL_CIPHER * cipher = SSL_get_current_cipher( m_ssl.get() );
        const tls13::suite_t * suite = cipher ? tls13::find_suite( SSL_CIPHER_get_protocol_id( cipher ) ) : nullptr;
        // OpenSSL keeps the connection if it is not TLS 1.3 with one of our suites, if it holds
        // input (it should not: it read no further than the handshake), or if it asked for a
        // client certificate (the user may want to look at it).
        if( TLS1_3_VERSION == SSL_version( m_ssl.get() ) && suite && suite->hash_size == secrets->client_size
            && suite->hash_size == secrets->server_size && !SSL_has_pending( m_ssl.get() )
            && 0 == ( SSL_get_verify_mode( m_ssl.get() ) & SSL_VERIFY_PEER ) )
        {
            try
            {
                auto records = std::make_unique< tls13::record_protection_t >();
                if( records->init( *suite, secrets->client, secrets->server, server_records ) )
                {
                    m_records = std::move( records );
                    m_ssl.reset();
                    return;
                }
            }
            catch( const std::bad_alloc & )
            {
            }
        }
        SSL_set_read_ahead( m_ssl.get(), 1 );
    }

    // ---- reading records after leaving OpenSSL ----

    // Input read but not given to the reader yet: plaintext of a record that did not fit, and
    // bytes of records not opened yet (the last maybe incomplete).
    struct inbound_t
    {
        byte_buffer_t plaintext;
        byte_buffer_t records;

        [[nodiscard]] bool readable() const noexcept { return !plaintext.empty() || whole_record( records, 0 ); }
        [[nodiscard]] bool empty() const noexcept { return plaintext.empty() && records.empty(); }
    };

    // The size of the whole record at `at` of `bytes`, or 0 if it is not all there. A record
    // whose header is wrong counts as whole (opening it finds the fault).
    [[nodiscard]] static std::size_t whole_record( const byte_buffer_t & bytes, std::size_t at ) noexcept
    {
        if( bytes.size() - at < tls13::header_size )
            return 0;
        asio_ns::error_code ignored;
        const std::size_t size = tls13::record_protection_t::record_size( bytes.data() + at, ignored );
        return ignored || bytes.size() - at >= size ? size : 0;
    }

    static byte_buffer_t & per_thread_records() noexcept
    {
        static thread_local byte_buffer_t records;
        return records;
    }

    // read_some after leaving OpenSSL: as there, a read that returns data makes at most one
    // system call, and would_block means the socket was found empty.
    [[nodiscard]] std::size_t read_records( std::uint8_t * data, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        // After close_notify (or a fault) nothing more goes out, not even a KeyUpdate's answer.
        const bool may_answer = state_t::open == m_state;
        std::size_t got = 0;
        if( m_inbound && !m_inbound->plaintext.empty() )
        {
            auto & plaintext = m_inbound->plaintext;
            got = std::min( size, plaintext.size() );
            std::memcpy( data, plaintext.data(), got );
            plaintext.erase( plaintext.begin(), plaintext.begin() + static_cast< std::ptrdiff_t >( got ) );
        }
        auto & records = per_thread_records();
        records.clear();
        try
        {
            // Copied rather than swapped: the thread's buffer is the large one, and stays so.
            if( m_inbound )
            {
                records.assign( m_inbound->records.begin(), m_inbound->records.end() );
                m_inbound->records.clear();
            }
            while( got < size && !m_input_ended && !m_input_error )
            {
                if( !whole_record( records, 0 ) )
                {
                    if( got != 0 || !receive( records, ec ) )
                        break;
                    continue;
                }
                got += open_records( records, data + got, size - got );
            }
            keep_inbound( records );
        }
        catch( const std::bad_alloc & )
        {
            m_input_error = asio_ns::error::no_memory;
        }
        if( 0 == got && !ec )
        {
            if( m_input_error )
                ec = m_input_error;
            else if( m_input_ended )
                ec = asio_ns::error::eof;
        }
        // Opening may have produced records: a KeyUpdate of ours, an alert.
        if( !may_answer )
            per_thread_tls_output().clear();
        asio_ns::error_code ignored;
        send_output( ignored );
        return got;
    }

    // Appends what the socket has to `records`; false (and would_block, or the socket's error,
    // or the end of input noted) if it had nothing.
    bool receive( byte_buffer_t & records, asio_ns::error_code & ec )
    {
        static constexpr std::size_t read_size = 64 * 1024;
        const std::size_t old_size = records.size();
        records.resize( old_size + read_size );
        asio_ns::error_code read_ec;
        const std::size_t n = m_socket.read_some( asio_ns::buffer( records.data() + old_size, read_size ), read_ec );
        records.resize( old_size + n );
        if( read_ec == asio_ns::error::would_block || read_ec == asio_ns::error::try_again )
            ec = asio_ns::error::would_block;
        else if( read_ec == asio_ns::error::eof )
            m_input_ended = true;   // without close_notify: an end of input all the same
        else if( read_ec )
        {
            m_input_error = read_ec;
            m_state = state_t::failed;
        }
        return 0 != n;
    }

    // Opens the whole records at the front of `records` into data[0..room), as long as there
    // is room; takes them off `records`. The plaintext of a record too large for the room left
    // waits in m_inbound. Returns the bytes put in `data`.
    std::size_t open_records( byte_buffer_t & records, std::uint8_t * data, std::size_t room )
    {
        std::size_t got = 0;
        std::size_t at = 0;
        for( std::size_t size; got < room && !m_input_ended && !m_input_error && ( size = whole_record( records, at ) ) != 0; )
        {
            std::uint8_t * record = records.data() + at;
            at += size;
            const std::size_t largest = size - tls13::header_size - tls13::tag_size;
            const bool fits = room - got >= largest;
            std::uint8_t * out = fits ? data + got : record + tls13::header_size;
            std::size_t n = 0;
            asio_ns::error_code ec;
            const auto opened = m_records->open( record, out, n, per_thread_tls_output(), ec );
            if( ec )
            {
                fail_input( ec );
                break;
            }
            if( tls13::record_protection_t::opened_t::end_of_input == opened )
                m_input_ended = true;
            if( tls13::record_protection_t::opened_t::data != opened )
                continue;
            if( fits )
            {
                got += n;
                continue;
            }
            const std::size_t taken = std::min( n, room - got );
            std::memcpy( data + got, out, taken );
            got += taken;
            if( taken != n )
            {
                if( !m_inbound )
                    m_inbound = std::make_unique< inbound_t >();
                m_inbound->plaintext.assign( out + taken, out + n );
            }
        }
        records.erase( records.begin(), records.begin() + static_cast< std::ptrdiff_t >( at ) );
        return got;
    }

    // A fault of the peer's records: the alert that says so goes out (unless the peer's own
    // alert ended the connection), and every later read fails.
    void fail_input( const asio_ns::error_code & ec ) noexcept
    {
        m_input_error = ec;
        if( state_t::open == m_state && ec.value() < 256 )
            (void)m_records->seal_alert( static_cast< tls13::alert_t >( ec.value() ), per_thread_tls_output() );
        m_state = state_t::failed;
    }

    // What `records` still holds waits in m_inbound, which exists only while it holds something.
    void keep_inbound( byte_buffer_t & records )
    {
        if( !records.empty() )
        {
            if( !m_inbound )
                m_inbound = std::make_unique< inbound_t >();
            m_inbound->records.assign( records.begin(), records.end() );
            records.clear();
        }
        if( m_inbound && m_inbound->empty() )
            m_inbound.reset();
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
    // Until the connection leaves OpenSSL (if it does).
    std::unique_ptr< SSL, ssl_deleter_t > m_ssl;
    // During the handshake, if the connection may leave OpenSSL after it.
    std::unique_ptr< handshake_secrets_t > m_secrets;
    // Once it has left.
    std::unique_ptr< tls13::record_protection_t > m_records;
    std::unique_ptr< inbound_t > m_inbound;
    asio_ns::error_code m_input_error;
    bool m_input_ended{ false };
    std::unique_ptr< byte_buffer_t > m_waiting_output;
    std::chrono::steady_clock::time_point m_handshake_deadline;
    state_t m_state{ state_t::handshaking };
    bool m_handshake_done{ false };
};

} // namespace impl
} // namespace restinio
