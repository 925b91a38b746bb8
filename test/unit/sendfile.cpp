#include <restinio/sendfile.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include <unistd.h>

namespace
{

// A file of `size` bytes in /tmp, removed with the object.
class temp_file_t
{
public:
    explicit temp_file_t( std::size_t size )
    {
        const int fd = ::mkstemp( m_path.data() );
        REQUIRE( fd >= 0 );
        const std::string bytes( size, 'x' );
        REQUIRE( ::write( fd, bytes.data(), bytes.size() ) == static_cast< ssize_t >( bytes.size() ) );
        ::close( fd );
    }
    ~temp_file_t() { std::remove( m_path.c_str() ); }

    [[nodiscard]] const std::string & path() const noexcept { return m_path; }

private:
    std::string m_path{ "/tmp/restinio-sendfile-XXXXXX" };
};

constexpr auto max_size = std::numeric_limits< restinio::file_size_t >::max();

} // namespace

TEST_CASE( "the chunk size is clarified wherever it is given", "[sendfile]" )
{
    using restinio::sendfile_default_chunk_size;
    using restinio::sendfile_max_chunk_size;
    struct row_t { restinio::file_size_t given; restinio::file_size_t expected; };
    const row_t rows[] = {
        { 0, sendfile_default_chunk_size },     // 0 would end the body after the header
        { 1, 1 },
        { 4096, 4096 },
        { sendfile_max_chunk_size, sendfile_max_chunk_size },
        { sendfile_max_chunk_size + 1, sendfile_max_chunk_size },
        { max_size, sendfile_max_chunk_size },
    };
    const temp_file_t file{ 10 };
    for( const auto & row : rows )
    {
        INFO( "chunk size " << row.given );
        CHECK( restinio::sendfile( file.path(), row.given ).chunk_size() == row.expected );
        CHECK( restinio::sendfile( file.path() ).chunk_size( row.given ).chunk_size() == row.expected );
    }
    CHECK( restinio::sendfile( file.path() ).chunk_size() == sendfile_default_chunk_size );
}

TEST_CASE( "offset_and_size() picks a part of the file, clipped to its end", "[sendfile]" )
{
    struct row_t
    {
        restinio::file_offset_t offset;
        restinio::file_size_t size;
        restinio::file_size_t expected_size;
    };
    const row_t rows[] = {
        { 0, max_size, 1000 }, { 0, 1000, 1000 }, { 0, 0, 0 }, { 100, 200, 200 },
        { 999, max_size, 1 }, { 1000, max_size, 0 }, { 1000, 5, 0 }, { 500, 10000, 500 },
    };
    const temp_file_t file{ 1000 };
    for( const auto & row : rows )
    {
        INFO( "offset " << row.offset << ", size " << row.size );
        const auto sf = restinio::sendfile( file.path() ).offset_and_size( row.offset, row.size );
        CHECK( sf.offset() == row.offset );
        CHECK( sf.size() == row.expected_size );
        CHECK( sf.meta().fsize() == 1000 );
    }
    CHECK( restinio::sendfile( file.path() ).offset_and_size( 10 ).size() == 990 );
    CHECK_THROWS_WITH( restinio::sendfile( file.path() ).offset_and_size( 1001 ),
                       "invalid file offset: 1001, while file size is 1000" );
}

TEST_CASE( "sendfile() refuses what is not a readable regular file", "[sendfile]" )
{
    CHECK_THROWS_WITH( restinio::sendfile( "/nonexistent/restinio-sendfile" ),
                       "unable to open file '/nonexistent/restinio-sendfile'" );
    CHECK_THROWS_WITH( restinio::sendfile( "/tmp" ), "'/tmp' is not a regular file" );
    const temp_file_t file{ 3 };
    const auto sf = restinio::sendfile( restinio::string_view_t{ file.path() } );
    CHECK( sf.is_valid() );
    CHECK( sf.size() == 3 );
    CHECK( sf.offset() == 0 );
}
