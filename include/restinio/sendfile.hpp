// sendfile_t: a response body taken from a file, read and written in chunks by the connection.
//
// The file is opened when the sendfile_t is made (so a missing file is an exception in the
// handler, not a broken response) and closed when the last owner goes.
#pragma once

#include <restinio/exception.hpp>
#include <restinio/string_view.hpp>

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace restinio
{

using file_descriptor_t = int;
using file_offset_t = std::uint64_t;
using file_size_t = std::uint64_t;

constexpr file_size_t sendfile_default_chunk_size = 1024 * 1024;
constexpr file_size_t sendfile_max_chunk_size = 1024 * 1024 * 1024;

namespace impl
{

// A chunk size of 0 means the default, as in RESTinio: the connection reads the file a chunk at
// a time, and a chunk of 0 bytes would end the response right after its header.
[[nodiscard]] constexpr file_size_t clarified_sendfile_chunk_size( file_size_t chunk_size ) noexcept
{
    if( 0 == chunk_size )
        return sendfile_default_chunk_size;
    return std::min( chunk_size, sendfile_max_chunk_size );
}

} // namespace impl

class file_descriptor_holder_t
{
public:
    explicit file_descriptor_holder_t( file_descriptor_t fd ) noexcept : m_fd{ fd } {}
    file_descriptor_holder_t( const file_descriptor_holder_t & ) = delete;
    file_descriptor_holder_t & operator=( const file_descriptor_holder_t & ) = delete;
    ~file_descriptor_holder_t() { if( m_fd >= 0 ) ::close( m_fd ); }
    [[nodiscard]] file_descriptor_t fd() const noexcept { return m_fd; }

private:
    file_descriptor_t m_fd;
};

struct file_meta_t
{
    file_size_t m_size{ 0 };
    std::chrono::system_clock::time_point m_last_modified_at;

    [[nodiscard]] file_size_t fsize() const noexcept { return m_size; }
    [[nodiscard]] auto last_modified_at() const noexcept { return m_last_modified_at; }
};

class sendfile_t
{
public:
    sendfile_t( std::shared_ptr< file_descriptor_holder_t > file, file_meta_t meta,
                file_size_t chunk_size = sendfile_default_chunk_size ) noexcept
        : m_file{ std::move( file ) }, m_meta{ meta }, m_size{ meta.fsize() }
        , m_chunk_size{ impl::clarified_sendfile_chunk_size( chunk_size ) }
    {}

    [[nodiscard]] bool is_valid() const noexcept { return m_file && m_file->fd() >= 0; }
    [[nodiscard]] file_descriptor_t file_descriptor() const noexcept { return m_file->fd(); }
    [[nodiscard]] const file_meta_t & meta() const noexcept { return m_meta; }
    [[nodiscard]] file_offset_t offset() const noexcept { return m_offset; }
    [[nodiscard]] file_size_t size() const noexcept { return m_size; }
    [[nodiscard]] file_size_t chunk_size() const noexcept { return m_chunk_size; }
    [[nodiscard]] std::chrono::steady_clock::duration timelimit() const noexcept { return m_timelimit; }

    // Which part of the file to send; clipped to the file's size.
    sendfile_t & offset_and_size( file_offset_t offset,
                                  file_size_t size = std::numeric_limits< file_size_t >::max() ) &
    {
        if( offset > m_meta.fsize() )
            throw exception_t{ fmt::format( "invalid file offset: {}, while file size is {}",
                                            offset, m_meta.fsize() ) };
        m_offset = offset;
        m_size = std::min( m_meta.fsize() - offset, size );
        return *this;
    }
    sendfile_t && offset_and_size( file_offset_t offset,
                                   file_size_t size = std::numeric_limits< file_size_t >::max() ) &&
    {
        return std::move( this->offset_and_size( offset, size ) );
    }

    sendfile_t & chunk_size( file_size_t chunk ) & noexcept
    {
        m_chunk_size = impl::clarified_sendfile_chunk_size( chunk );
        return *this;
    }
    sendfile_t && chunk_size( file_size_t chunk ) && noexcept
    {
        return std::move( this->chunk_size( chunk ) );
    }

    sendfile_t & timelimit( std::chrono::steady_clock::duration limit ) & noexcept
    {
        m_timelimit = limit;
        return *this;
    }
    sendfile_t && timelimit( std::chrono::steady_clock::duration limit ) && noexcept
    {
        return std::move( this->timelimit( limit ) );
    }

private:
    std::shared_ptr< file_descriptor_holder_t > m_file;
    file_meta_t m_meta;
    file_offset_t m_offset{ 0 };
    file_size_t m_size;
    file_size_t m_chunk_size;
    std::chrono::steady_clock::duration m_timelimit{ std::chrono::steady_clock::duration::max() };
};

[[nodiscard]] inline sendfile_t sendfile( const char * file_path,
                                          file_size_t chunk_size = sendfile_default_chunk_size )
{
    const int fd = ::open( file_path, O_RDONLY | O_CLOEXEC );
    if( fd < 0 )
        throw exception_t{ fmt::format( "unable to open file '{}'", file_path ) };
    auto holder = std::make_shared< file_descriptor_holder_t >( fd );

    struct stat st{};
    if( ::fstat( fd, &st ) != 0 || !S_ISREG( st.st_mode ) )
        throw exception_t{ fmt::format( "'{}' is not a regular file", file_path ) };

    file_meta_t meta;
    meta.m_size = static_cast< file_size_t >( st.st_size );
    meta.m_last_modified_at = std::chrono::system_clock::time_point{
            std::chrono::seconds{ st.st_mtime } };
    return sendfile_t{ std::move( holder ), meta, chunk_size };
}

[[nodiscard]] inline sendfile_t sendfile( const std::string & file_path,
                                          file_size_t chunk_size = sendfile_default_chunk_size )
{
    return sendfile( file_path.c_str(), chunk_size );
}

[[nodiscard]] inline sendfile_t sendfile( string_view_t file_path,
                                          file_size_t chunk_size = sendfile_default_chunk_size )
{
    return sendfile( std::string{ file_path }, chunk_size );
}

} // namespace restinio
