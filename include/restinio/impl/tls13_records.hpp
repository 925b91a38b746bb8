// TLS 1.3 record protection (RFC 8446 section 5) for a connection whose handshake OpenSSL has
// done: the traffic keys derived from the secrets OpenSSL logged, records sealed and opened with
// OpenSSL's AEAD ciphers, and what may arrive after the handshake (alerts, KeyUpdate). No I/O:
// tls_socket.hpp moves the bytes.
//
// Why: an OpenSSL 3.0 `SSL` keeps about 13.7 KB per connection for as long as it lives
// (bench/tls_connection_memory); this keeps the two directions' secrets, keys and sequence
// numbers (a few hundred bytes), and the cipher contexts are the thread's, keyed as needed.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/impl/byte_buffer.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace restinio
{
namespace impl
{
namespace tls13
{

// RFC 8446 5.1-5.2.
constexpr std::size_t header_size = 5;
constexpr std::size_t tag_size = 16;
constexpr std::size_t max_plaintext = 16384;
constexpr std::size_t max_ciphertext = max_plaintext + 256;
constexpr std::size_t max_record = header_size + max_ciphertext;

enum class content_type_t : std::uint8_t
{
    alert = 21,
    handshake = 22,
    application_data = 23
};

// RFC 8446 6: the alerts this layer sends or tells apart.
enum class alert_t : std::uint8_t
{
    close_notify = 0,
    unexpected_message = 10,
    bad_record_mac = 20,
    record_overflow = 22,
    illegal_parameter = 47,
    decode_error = 50,
    internal_error = 80,
    user_canceled = 90
};

// Errors as the alert that ends the connection: the one sent (this side found the fault) or
// the one received (value + 256).
class error_category_t final : public asio_ns::error_category
{
public:
    [[nodiscard]] const char * name() const noexcept override { return "restinio.tls13"; }

    [[nodiscard]] std::string message( int value ) const override
    {
        const bool received = value >= 256;
        std::string what = received ? "TLS alert received: " : "TLS record error: ";
        switch( static_cast< alert_t >( value & 0xff ) )
        {
        case alert_t::close_notify: return what + "close_notify";
        case alert_t::unexpected_message: return what + "unexpected_message";
        case alert_t::bad_record_mac: return what + "bad_record_mac";
        case alert_t::record_overflow: return what + "record_overflow";
        case alert_t::illegal_parameter: return what + "illegal_parameter";
        case alert_t::decode_error: return what + "decode_error";
        case alert_t::internal_error: return what + "internal_error";
        case alert_t::user_canceled: return what + "user_canceled";
        }
        return what + "alert " + std::to_string( value & 0xff );
    }
};

[[nodiscard]] inline const asio_ns::error_category & error_category() noexcept
{
    static const error_category_t category;
    return category;
}

[[nodiscard]] inline asio_ns::error_code sent_alert( alert_t alert ) noexcept
{
    return { static_cast< int >( alert ), error_category() };
}

[[nodiscard]] inline asio_ns::error_code received_alert( std::uint8_t description ) noexcept
{
    return { 256 + description, error_category() };
}

// A cipher suite of RFC 8446 B.4 that this layer protects records with.
struct suite_t
{
    std::uint16_t id;
    const char * cipher;
    const char * digest;
    std::uint8_t key_size;
    std::uint8_t hash_size;
};

// OpenSSL's AEAD and digest of a suite, fetched once for the process.
struct fetched_suite_t
{
    EVP_CIPHER * cipher;
    EVP_MD * digest;
};

inline constexpr suite_t suites[] = {
    { 0x1301, "AES-128-GCM", "SHA256", 16, 32 },
    { 0x1302, "AES-256-GCM", "SHA384", 32, 48 },
    { 0x1303, "ChaCha20-Poly1305", "SHA256", 32, 32 },
};

// The suite with this protocol id (SSL_CIPHER_get_protocol_id), if this layer has it.
[[nodiscard]] inline const suite_t * find_suite( std::uint16_t id ) noexcept
{
    for( const auto & suite : suites )
        if( suite.id == id )
            return &suite;
    return nullptr;
}

[[nodiscard]] inline const fetched_suite_t & fetched( const suite_t & suite ) noexcept
{
    static const auto all = [] {
        std::array< fetched_suite_t, std::size( suites ) > result{};
        for( std::size_t i = 0; i != result.size(); ++i )
            result[ i ] = { EVP_CIPHER_fetch( nullptr, suites[ i ].cipher, nullptr ),
                            EVP_MD_fetch( nullptr, suites[ i ].digest, nullptr ) };
        return result;
    }();
    return all[ static_cast< std::size_t >( &suite - suites ) ];
}

// HKDF-Expand-Label( secret, label, "", length ) of RFC 8446 7.1, for a length of at most the
// hash's (one HMAC block). False if OpenSSL fails.
[[nodiscard]] inline bool expand_label( const suite_t & suite, const std::uint8_t * secret, const char * label,
                                        std::uint8_t * out, std::size_t length ) noexcept
{
    std::uint8_t info[ 2 + 1 + 6 + 32 + 1 + 1 ];
    const std::size_t label_size = std::strlen( label );
    std::size_t n = 0;
    info[ n++ ] = static_cast< std::uint8_t >( length >> 8 );
    info[ n++ ] = static_cast< std::uint8_t >( length );
    info[ n++ ] = static_cast< std::uint8_t >( 6 + label_size );
    std::memcpy( info + n, "tls13 ", 6 );
    n += 6;
    std::memcpy( info + n, label, label_size );
    n += label_size;
    info[ n++ ] = 0; // the empty context
    info[ n++ ] = 1; // HKDF-Expand's block counter
    std::uint8_t block[ EVP_MAX_MD_SIZE ];
    unsigned int block_size = 0;
    if( !fetched( suite ).digest
        || !HMAC( fetched( suite ).digest, secret, static_cast< int >( suite.hash_size ), info, n, block, &block_size )
        || block_size < length )
        return false;
    std::memcpy( out, block, length );
    OPENSSL_cleanse( block, sizeof( block ) );
    return true;
}

// One direction's traffic secret, key, IV and record sequence number (RFC 8446 5.3, 7.2-7.3).
class traffic_keys_t
{
public:
    traffic_keys_t() = default;
    traffic_keys_t( const traffic_keys_t & ) = delete;
    traffic_keys_t & operator=( const traffic_keys_t & ) = delete;
    ~traffic_keys_t() { OPENSSL_cleanse( this, sizeof( *this ) ); }

    // Keys from a traffic secret of the suite's hash size; `sequence`: records already
    // protected with them.
    [[nodiscard]] bool init( const suite_t & suite, const std::uint8_t * secret, std::uint64_t sequence ) noexcept
    {
        m_suite = &suite;
        std::memcpy( m_secret, secret, suite.hash_size );
        m_sequence = sequence;
        return derive();
    }

    // The next generation (a KeyUpdate).
    [[nodiscard]] bool update() noexcept
    {
        std::uint8_t next[ 48 ];
        if( !expand_label( *m_suite, m_secret, "traffic upd", next, m_suite->hash_size ) )
            return false;
        std::memcpy( m_secret, next, m_suite->hash_size );
        OPENSSL_cleanse( next, sizeof( next ) );
        m_sequence = 0;
        return derive();
    }

    [[nodiscard]] const suite_t & suite() const noexcept { return *m_suite; }
    [[nodiscard]] const std::uint8_t * key() const noexcept { return m_key; }
    [[nodiscard]] std::uint64_t id() const noexcept { return m_id; }

    // The next record's nonce; the sequence number moves on.
    void next_nonce( std::uint8_t ( &nonce )[ 12 ] ) noexcept
    {
        std::memcpy( nonce, m_iv, 12 );
        for( int i = 0; i != 8; ++i )
            nonce[ 11 - i ] ^= static_cast< std::uint8_t >( m_sequence >> ( 8 * i ) );
        ++m_sequence;
    }

private:
    [[nodiscard]] bool derive() noexcept
    {
        static std::atomic< std::uint64_t > last_id{ 0 };
        m_id = ++last_id;
        return expand_label( *m_suite, m_secret, "key", m_key, m_suite->key_size )
                && expand_label( *m_suite, m_secret, "iv", m_iv, 12 );
    }

    const suite_t * m_suite{ nullptr };
    std::uint64_t m_sequence{ 0 };
    // Which keys a thread's cipher context holds (see aead_t).
    std::uint64_t m_id{ 0 };
    std::uint8_t m_secret[ 48 ]{};
    std::uint8_t m_key[ 32 ]{};
    std::uint8_t m_iv[ 12 ]{};
};

// The thread's AEAD contexts, one for each direction, keyed for the connection that used them
// last (so a thread serving one busy connection sets no key per record).
class aead_t
{
public:
    [[nodiscard]] static aead_t & of_this_thread() noexcept
    {
        static thread_local aead_t aead;
        return aead;
    }

    // out[0..size + 1 + tag_size) = seal( in[0..size) and `type` ), with the record header as
    // additional data.
    [[nodiscard]] bool seal( traffic_keys_t & keys, const std::uint8_t * header, const std::uint8_t * in,
                             std::size_t size, std::uint8_t type, std::uint8_t * out ) noexcept
    {
        std::uint8_t nonce[ 12 ];
        keys.next_nonce( nonce );
        int n = 0;
        int last = 0;
        return m_seal && start( m_seal, m_seal_id, keys, nonce, 1 )
                && 1 == EVP_EncryptUpdate( m_seal, nullptr, &n, header, header_size )
                && 1 == EVP_EncryptUpdate( m_seal, out, &n, in, static_cast< int >( size ) )
                && 1 == EVP_EncryptUpdate( m_seal, out + size, &n, &type, 1 )
                && 1 == EVP_EncryptFinal_ex( m_seal, out + size + 1, &last )
                && 1 == EVP_CIPHER_CTX_ctrl( m_seal, EVP_CTRL_AEAD_GET_TAG, tag_size, out + size + 1 );
    }

    // out[0..size - tag_size) = open( in[0..size) ) if the tag is right (out may be in).
    [[nodiscard]] bool open( traffic_keys_t & keys, const std::uint8_t * header, const std::uint8_t * in,
                             std::size_t size, std::uint8_t * out ) noexcept
    {
        std::uint8_t nonce[ 12 ];
        keys.next_nonce( nonce );
        std::uint8_t tag[ tag_size ];
        std::memcpy( tag, in + size - tag_size, tag_size );
        int n = 0;
        int last = 0;
        return m_open && start( m_open, m_open_id, keys, nonce, 0 )
                && 1 == EVP_DecryptUpdate( m_open, nullptr, &n, header, header_size )
                && 1 == EVP_DecryptUpdate( m_open, out, &n, in, static_cast< int >( size - tag_size ) )
                && 1 == EVP_CIPHER_CTX_ctrl( m_open, EVP_CTRL_AEAD_SET_TAG, tag_size, tag )
                && 1 == EVP_DecryptFinal_ex( m_open, out + n, &last );
    }

    aead_t( const aead_t & ) = delete;
    aead_t & operator=( const aead_t & ) = delete;

private:
    aead_t() = default;
    ~aead_t()
    {
        EVP_CIPHER_CTX_free( m_seal );
        EVP_CIPHER_CTX_free( m_open );
    }

    [[nodiscard]] static bool start( EVP_CIPHER_CTX * context, std::uint64_t & loaded, const traffic_keys_t & keys,
                                     const std::uint8_t * nonce, int encrypt ) noexcept
    {
        if( loaded != keys.id() )
        {
            loaded = 0;
            const EVP_CIPHER * cipher = fetched( keys.suite() ).cipher;
            if( !cipher || 1 != EVP_CipherInit_ex2( context, cipher, keys.key(), nullptr, encrypt, nullptr ) )
                return false;
            loaded = keys.id();
        }
        return 1 == EVP_CipherInit_ex2( context, nullptr, nullptr, nonce, encrypt, nullptr );
    }

    EVP_CIPHER_CTX * m_seal{ EVP_CIPHER_CTX_new() };
    EVP_CIPHER_CTX * m_open{ EVP_CIPHER_CTX_new() };
    std::uint64_t m_seal_id{ 0 };
    std::uint64_t m_open_id{ 0 };
};

// Both directions of a server connection after its handshake.
class record_protection_t
{
public:
    // What open() found in a record.
    enum class opened_t : std::uint8_t
    {
        data,          // application data: `size` bytes of plaintext
        nothing,       // a KeyUpdate (answered into `output` if asked), part of one, user_canceled
        end_of_input   // close_notify
    };

    // `client_secret`, `server_secret`: the application traffic secrets (hash size);
    // `server_records`: records the server has already sent with its secret (session tickets).
    [[nodiscard]] bool init( const suite_t & suite, const std::uint8_t * client_secret,
                             const std::uint8_t * server_secret, std::uint64_t server_records ) noexcept
    {
        return m_read.init( suite, client_secret, 0 ) && m_write.init( suite, server_secret, server_records );
    }

    // The size of the record that begins at `header` (5 bytes), or an error (then nothing about
    // the connection can be trusted any more).
    [[nodiscard]] static std::size_t record_size( const std::uint8_t * header, asio_ns::error_code & ec ) noexcept
    {
        const std::size_t length = static_cast< std::size_t >( header[ 3 ] ) << 8 | header[ 4 ];
        // 5.1: after the handshake every record is protected, with the 1.2 version; a
        // change_cipher_spec is no longer allowed (5).
        if( static_cast< std::uint8_t >( content_type_t::application_data ) != header[ 0 ] )
            ec = sent_alert( alert_t::unexpected_message );
        else if( 3 != header[ 1 ] || 3 != header[ 2 ] )
            ec = sent_alert( alert_t::decode_error );
        else if( length > max_ciphertext )
            ec = sent_alert( alert_t::record_overflow );
        else if( length < tag_size + 1 )
            ec = sent_alert( alert_t::decode_error );
        return header_size + length;
    }

    // Opens the whole record at `record` (record_size() bytes) into `out` (room for its size
    // less header_size + tag_size; out may be record + header_size). Records this side must
    // send in answer (a KeyUpdate) are appended to `output`.
    [[nodiscard]] opened_t open( const std::uint8_t * record, std::uint8_t * out, std::size_t & size,
                                 byte_buffer_t & output, asio_ns::error_code & ec ) noexcept
    {
        const std::size_t length = record_size( record, ec ) - header_size;
        if( ec )
            return opened_t::nothing;
        if( !aead_t::of_this_thread().open( m_read, record, record + header_size, length, out ) )
            return fail( alert_t::bad_record_mac, ec );
        // 5.4: the content type is the last byte that is not padding.
        std::size_t inner = length - tag_size;
        while( inner != 0 && 0 == out[ inner - 1 ] )
            --inner;
        if( 0 == inner )
            return fail( alert_t::unexpected_message, ec );
        const auto type = static_cast< content_type_t >( out[ --inner ] );
        if( inner > max_plaintext )
            return fail( alert_t::record_overflow, ec );
        size = inner;
        switch( type )
        {
        case content_type_t::application_data:
            m_key_updates_in_a_row = 0;
            return m_handshake_size != 0 ? fail( alert_t::unexpected_message, ec ) : opened_t::data;
        case content_type_t::alert:
            return alert( out, inner, ec );
        case content_type_t::handshake:
            return handshake( out, inner, output, ec );
        default:
            return fail( alert_t::unexpected_message, ec );
        }
    }

    // Appends `data` to `output` as records of `type`, of up to 16 KiB each (an empty `data`
    // makes one empty record).
    [[nodiscard]] bool seal( content_type_t type, const std::uint8_t * data, std::size_t size,
                             byte_buffer_t & output ) noexcept
    {
        try
        {
            do
            {
                const std::size_t piece = std::min( size, max_plaintext );
                const std::size_t length = piece + 1 + tag_size;
                const std::size_t at = output.size();
                output.resize( at + header_size + length );
                std::uint8_t * record = output.data() + at;
                record[ 0 ] = static_cast< std::uint8_t >( content_type_t::application_data );
                record[ 1 ] = 3;
                record[ 2 ] = 3;
                record[ 3 ] = static_cast< std::uint8_t >( length >> 8 );
                record[ 4 ] = static_cast< std::uint8_t >( length );
                if( !aead_t::of_this_thread().seal( m_write, record, data, piece, static_cast< std::uint8_t >( type ),
                                                    record + header_size ) )
                {
                    output.resize( at );
                    return false;
                }
                data += piece;
                size -= piece;
            } while( size != 0 );
            return true;
        }
        catch( ... )
        {
            return false;
        }
    }

    [[nodiscard]] bool seal_alert( alert_t alert, byte_buffer_t & output ) noexcept
    {
        const std::uint8_t body[ 2 ] = { alert_t::close_notify == alert ? std::uint8_t{ 1 } : std::uint8_t{ 2 },
                                         static_cast< std::uint8_t >( alert ) };
        return seal( content_type_t::alert, body, sizeof( body ), output );
    }

private:
    // 4.6.3: at most this many KeyUpdates without application data between them (a peer
    // asking for one answer after another while it reads nothing).
    static constexpr std::uint8_t max_key_updates_in_a_row = 32;

    static opened_t fail( alert_t alert, asio_ns::error_code & ec ) noexcept
    {
        ec = sent_alert( alert );
        return opened_t::nothing;
    }

    opened_t alert( const std::uint8_t * body, std::size_t size, asio_ns::error_code & ec ) noexcept
    {
        if( 2 != size || m_handshake_size != 0 )
            return fail( alert_t::decode_error, ec );
        if( static_cast< std::uint8_t >( alert_t::close_notify ) == body[ 1 ] )
            return opened_t::end_of_input;
        // 6: every other alert ends the connection, whatever its level, but user_canceled,
        // which a close_notify follows.
        if( static_cast< std::uint8_t >( alert_t::user_canceled ) == body[ 1 ] )
            return opened_t::nothing;
        ec = received_alert( body[ 1 ] );
        return opened_t::nothing;
    }

    // After the handshake a client may send nothing but KeyUpdate (4.6.3): 4 bytes of message
    // header and 1 of body, which may come in pieces over several records (5.1).
    opened_t handshake( const std::uint8_t * body, std::size_t size, byte_buffer_t & output,
                        asio_ns::error_code & ec ) noexcept
    {
        if( 0 == size )
            return fail( alert_t::unexpected_message, ec );
        for( std::size_t i = 0; i != size; ++i )
        {
            m_handshake[ m_handshake_size++ ] = body[ i ];
            if( 1 == m_handshake_size && 24 != m_handshake[ 0 ] )
                return fail( alert_t::unexpected_message, ec );
            if( 4 == m_handshake_size && ( 0 != m_handshake[ 1 ] || 0 != m_handshake[ 2 ] || 1 != m_handshake[ 3 ] ) )
                return fail( alert_t::decode_error, ec );
            if( 5 != m_handshake_size )
                continue;
            m_handshake_size = 0;
            // 5.1: a message that changes keys ends its record.
            if( i + 1 != size )
                return fail( alert_t::unexpected_message, ec );
            return key_update( m_handshake[ 4 ], output, ec );
        }
        return opened_t::nothing;
    }

    opened_t key_update( std::uint8_t request_update, byte_buffer_t & output,
                         asio_ns::error_code & ec ) noexcept
    {
        if( request_update > 1 )
            return fail( alert_t::illegal_parameter, ec );
        if( ++m_key_updates_in_a_row > max_key_updates_in_a_row )
            return fail( alert_t::unexpected_message, ec );
        if( !m_read.update() )
            return fail( alert_t::internal_error, ec );
        if( 1 == request_update )
        {
            // Ours, not asking for another, goes before any more data; then our keys change.
            const std::uint8_t message[ 5 ] = { 24, 0, 0, 1, 0 };
            if( !seal( content_type_t::handshake, message, sizeof( message ), output ) || !m_write.update() )
                return fail( alert_t::internal_error, ec );
        }
        return opened_t::nothing;
    }

    traffic_keys_t m_read;
    traffic_keys_t m_write;
    std::uint8_t m_handshake[ 5 ]{};
    std::uint8_t m_handshake_size{ 0 };
    std::uint8_t m_key_updates_in_a_row{ 0 };
};

} // namespace tls13
} // namespace impl
} // namespace restinio
