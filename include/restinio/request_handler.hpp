// request_t: one parsed HTTP request as the user's handler sees it, with the connection it came
// on. The request owns that connection handle once: create_response() or
// websocket::basic::upgrade() takes it, and a second taker gets an exception.
#pragma once

#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/http_headers.hpp>
#include <restinio/impl/connection_base.hpp>
#include <restinio/message_builders.hpp>

#include <iosfwd>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace restinio
{

// Where an extra-data factory builds its object (placement new into the request).
template< typename Extra_Data >
class extra_data_buffer_t
{
public:
    explicit extra_data_buffer_t( void * buffer ) noexcept : m_buffer{ buffer } {}
    [[nodiscard]] void * get() const noexcept { return m_buffer; }

private:
    void * m_buffer;
};

struct no_extra_data_factory_t
{
    struct data_t {};

    void make_within( extra_data_buffer_t< data_t > buffer ) noexcept
    {
        new( buffer.get() ) data_t{};
    }
};

template< typename Extra_Data >
struct simple_extra_data_factory_t
{
    using data_t = Extra_Data;

    void make_within( extra_data_buffer_t< data_t > buffer )
        noexcept( noexcept( new( buffer.get() ) data_t{} ) )
    {
        new( buffer.get() ) data_t{};
    }
};

// One chunk of a chunked request body: where it starts in body() and how long it is.
class chunk_info_t
{
public:
    chunk_info_t( std::size_t started_at, std::size_t size ) noexcept
        : m_started_at{ started_at }, m_size{ size }
    {}

    [[nodiscard]] std::size_t started_at() const noexcept { return m_started_at; }
    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

    [[nodiscard]] string_view_t make_string_view_nothrow( string_view_t full_body ) const noexcept
    {
        if( m_started_at >= full_body.size() || m_started_at + m_size > full_body.size() )
            return {};
        return full_body.substr( m_started_at, m_size );
    }

    [[nodiscard]] string_view_t make_string_view( string_view_t full_body ) const
    {
        if( m_started_at + m_size > full_body.size() )
            throw exception_t{ "chunk is outside of the body" };
        return full_body.substr( m_started_at, m_size );
    }

private:
    std::size_t m_started_at;
    std::size_t m_size;
};

// Present on requests that came with Transfer-Encoding: chunked.
class chunked_input_info_t
{
public:
    chunked_input_info_t() = default;
    chunked_input_info_t( std::vector< chunk_info_t > chunks, http_header_fields_t trailing_fields )
        : m_chunks{ std::move( chunks ) }, m_trailing_fields{ std::move( trailing_fields ) }
    {}

    [[nodiscard]] std::size_t chunk_count() const noexcept { return m_chunks.size(); }
    [[nodiscard]] const chunk_info_t & chunk_at_nochecks( std::size_t index ) const noexcept
    { return m_chunks[ index ]; }
    [[nodiscard]] const chunk_info_t & chunk_at( std::size_t index ) const { return m_chunks.at( index ); }
    [[nodiscard]] const std::vector< chunk_info_t > & chunks() const noexcept { return m_chunks; }
    [[nodiscard]] const http_header_fields_t & trailing_fields() const noexcept { return m_trailing_fields; }

private:
    std::vector< chunk_info_t > m_chunks;
    http_header_fields_t m_trailing_fields;
};

using chunked_input_info_unique_ptr_t = std::unique_ptr< chunked_input_info_t >;

template< typename Extra_Data >
class generic_request_t;

namespace impl
{

// How upgrade() takes the connection out of a request.
template< typename Extra_Data >
connection_handle_t & access_req_connection( generic_request_t< Extra_Data > & req ) noexcept;

} // namespace impl

template< typename Extra_Data >
class generic_request_t final
    : public std::enable_shared_from_this< generic_request_t< Extra_Data > >
{
    template< typename D >
    friend impl::connection_handle_t & impl::access_req_connection( generic_request_t< D > & ) noexcept;

public:
    template< typename Extra_Data_Factory >
    generic_request_t(
        request_id_t request_id,
        http_request_header_t header,
        std::string body,
        impl::connection_handle_t connection,
        endpoint_t remote_endpoint,
        Extra_Data_Factory & extra_data_factory )
        : generic_request_t{ request_id, std::move( header ), std::move( body ),
                             chunked_input_info_unique_ptr_t{}, std::move( connection ),
                             remote_endpoint, extra_data_factory }
    {}

    template< typename Extra_Data_Factory >
    generic_request_t(
        request_id_t request_id,
        http_request_header_t header,
        std::string body,
        chunked_input_info_unique_ptr_t chunked_input_info,
        impl::connection_handle_t connection,
        endpoint_t remote_endpoint,
        Extra_Data_Factory & extra_data_factory )
        : m_request_id{ request_id }
        , m_header{ std::move( header ) }
        , m_body{ std::move( body ) }
        , m_chunked_input_info{ std::move( chunked_input_info ) }
        , m_connection{ std::move( connection ) }
        , m_connection_id{ m_connection ? m_connection->connection_id() : 0 }
        , m_remote_endpoint{ remote_endpoint }
    {
        extra_data_factory.make_within( extra_data_buffer_t< Extra_Data >{ &m_extra_data_storage } );
    }

    generic_request_t( const generic_request_t & ) = delete;
    generic_request_t & operator=( const generic_request_t & ) = delete;

    ~generic_request_t() { extra_data().~Extra_Data(); }

    [[nodiscard]] const http_request_header_t & header() const noexcept { return m_header; }
    [[nodiscard]] const std::string & body() const noexcept { return m_body; }

    template< typename Output = restinio_controlled_output_t >
    auto create_response( http_status_line_t status_line = status_ok() )
    {
        if( !m_connection )
            throw exception_t{ "connection already moved" };
        return response_builder_t< Output >{
                std::move( status_line ), std::move( m_connection ), m_request_id,
                m_header.should_keep_alive() };
    }

    [[nodiscard]] auto request_id() const noexcept { return m_request_id; }
    [[nodiscard]] connection_id_t connection_id() const noexcept { return m_connection_id; }
    [[nodiscard]] const endpoint_t & remote_endpoint() const noexcept { return m_remote_endpoint; }

    [[nodiscard]] nullable_pointer_t< const chunked_input_info_t > chunked_input_info() const noexcept
    {
        return m_chunked_input_info.get();
    }

    [[nodiscard]] Extra_Data & extra_data() noexcept
    {
        return *std::launder( reinterpret_cast< Extra_Data * >( &m_extra_data_storage ) );
    }

    [[nodiscard]] const Extra_Data & extra_data() const noexcept
    {
        return *std::launder( reinterpret_cast< const Extra_Data * >( &m_extra_data_storage ) );
    }

private:
    const request_id_t m_request_id;
    http_request_header_t m_header;
    std::string m_body;
    chunked_input_info_unique_ptr_t m_chunked_input_info;
    impl::connection_handle_t m_connection;
    const connection_id_t m_connection_id;
    const endpoint_t m_remote_endpoint;
    std::aligned_storage_t< sizeof( Extra_Data ), alignof( Extra_Data ) > m_extra_data_storage;
};

namespace impl
{

template< typename Extra_Data >
connection_handle_t & access_req_connection( generic_request_t< Extra_Data > & req ) noexcept
{
    return req.m_connection;
}

} // namespace impl

template< typename Extra_Data >
std::ostream & operator<<( std::ostream & o, const generic_request_t< Extra_Data > & req )
{
    return o << "{req_id: " << req.request_id()
             << ", conn_id: " << req.connection_id()
             << ", path: " << req.header().path()
             << ", query: " << req.header().query() << "}";
}

template< typename Extra_Data >
using generic_request_handle_t = std::shared_ptr< generic_request_t< Extra_Data > >;

using request_t = generic_request_t< no_extra_data_factory_t::data_t >;
using request_handle_t = std::shared_ptr< request_t >;

using default_request_handler_t = std::function< request_handling_status_t ( request_handle_t ) >;

} // namespace restinio
