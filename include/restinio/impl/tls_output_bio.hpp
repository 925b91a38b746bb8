// The BIO every TLS connection writes through: OpenSSL puts the records it makes in the
// thread's output buffer, and the connection sends that buffer with one system call after each
// OpenSSL call (tls_socket.hpp). A socket BIO would send each record with a call of its own and
// keep a record the socket did not take in OpenSSL's buffer, to be retried with the same
// arguments; here a record is always taken, and what the socket does not take waits in the
// connection's own buffer, which an idle connection does not have.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/impl/byte_buffer.hpp>

#include <openssl/bio.h>

#include <vector>

namespace restinio
{
namespace impl
{

// Used only between an OpenSSL call and the send that follows it, with no other connection's
// work in between: one buffer serves every connection of the thread.
inline byte_buffer_t & per_thread_tls_output() noexcept
{
    static thread_local byte_buffer_t output;
    return output;
}

class tls_output_bio_t
{
public:
    // A new BIO (freed with the SSL it is given to).
    [[nodiscard]] static BIO * make()
    {
        static const tls_output_bio_t method;
        BIO * bio = BIO_new( method.m_method );
        if( !bio )
            throw exception_t{ "TLS: BIO_new failed" };
        return bio;
    }

    tls_output_bio_t( const tls_output_bio_t & ) = delete;
    tls_output_bio_t & operator=( const tls_output_bio_t & ) = delete;

private:
    tls_output_bio_t()
        : m_method{ BIO_meth_new( BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "restinio TLS output" ) }
    {
        if( !m_method )
            throw exception_t{ "TLS: BIO_meth_new failed" };
        BIO_meth_set_write_ex( m_method, &write );
        BIO_meth_set_ctrl( m_method, &control );
        BIO_meth_set_create( m_method, &create );
    }

    ~tls_output_bio_t() { BIO_meth_free( m_method ); }

    static int write( BIO *, const char * data, std::size_t size, std::size_t * written ) noexcept
    {
        try
        {
            auto & output = per_thread_tls_output();
            output.insert( output.end(), data, data + size );
        }
        catch( ... )
        {
            return 0;
        }
        *written = size;
        return 1;
    }

    // Nothing is ever held back here, so a flush is done at once; nothing else is supported.
    static long control( BIO *, int command, long, void * ) noexcept { return BIO_CTRL_FLUSH == command ? 1 : 0; }

    static int create( BIO * bio ) noexcept
    {
        BIO_set_init( bio, 1 );
        return 1;
    }

    BIO_METHOD * m_method;
};

} // namespace impl
} // namespace restinio
