// Response builders returned by request_t::create_response(): restinio_controlled_output_t (the
// library sets Content-Length), user_controlled_output_t (the user does, and may flush in parts)
// and chunked_output_t (Transfer-Encoding: chunked).
//
// A builder owns the request's connection handle; done() hands the response to the connection,
// which writes responses to pipelined requests in request order whatever thread they come from.
#pragma once

#include <restinio/buffers.hpp>
#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/http_headers.hpp>
#include <restinio/impl/connection_base.hpp>
#include <restinio/impl/header_helpers.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace restinio
{

struct restinio_controlled_output_t {};
struct user_controlled_output_t {};
struct chunked_output_t {};

template< typename Response_Output_Strategy >
class response_builder_t;

// The header part every builder shares.
template< typename Response_Builder >
class base_response_builder_t
{
public:
    base_response_builder_t( const base_response_builder_t & ) = delete;
    base_response_builder_t & operator=( const base_response_builder_t & ) = delete;
    base_response_builder_t( base_response_builder_t && ) noexcept = default;
    base_response_builder_t & operator=( base_response_builder_t && ) noexcept = default;
    virtual ~base_response_builder_t() = default;

    base_response_builder_t(
        http_status_line_t status_line,
        impl::connection_handle_t connection,
        request_id_t request_id,
        bool should_keep_alive )
        : m_header{ std::move( status_line ) }
        , m_connection{ std::move( connection ) }
        , m_request_id{ request_id }
    {
        m_header.should_keep_alive( should_keep_alive );
    }

    [[nodiscard]] http_response_header_t & header() noexcept { return m_header; }
    [[nodiscard]] const http_response_header_t & header() const noexcept { return m_header; }

    Response_Builder & append_header( std::string field_name, std::string field_value ) &
    {
        m_header.add_field( std::move( field_name ), std::move( field_value ) );
        return upcast();
    }
    Response_Builder && append_header( std::string field_name, std::string field_value ) &&
    {
        return std::move( append_header( std::move( field_name ), std::move( field_value ) ) );
    }

    Response_Builder & append_header( http_header_field_t http_header_field ) &
    {
        m_header.add_field( std::move( http_header_field ) );
        return upcast();
    }
    Response_Builder && append_header( http_header_field_t http_header_field ) &&
    {
        return std::move( append_header( std::move( http_header_field ) ) );
    }

    Response_Builder & append_header( http_field_t field_id, std::string field_value ) &
    {
        m_header.add_field( field_id, std::move( field_value ) );
        return upcast();
    }
    Response_Builder && append_header( http_field_t field_id, std::string field_value ) &&
    {
        return std::move( append_header( field_id, std::move( field_value ) ) );
    }

    Response_Builder & append_header_date_field(
        std::chrono::system_clock::time_point tp = std::chrono::system_clock::now() ) &
    {
        m_header.set_field( http_field_t::date, make_date_field_value( tp ) );
        return upcast();
    }
    Response_Builder && append_header_date_field(
        std::chrono::system_clock::time_point tp = std::chrono::system_clock::now() ) &&
    {
        return std::move( append_header_date_field( tp ) );
    }

    Response_Builder & connection_close() & noexcept
    {
        m_header.should_keep_alive( false );
        return upcast();
    }
    Response_Builder && connection_close() && noexcept { return std::move( connection_close() ); }

    // Unlike RESTinio 0.6/0.7, this really asks for keep-alive.
    Response_Builder & connection_keep_alive() & noexcept
    {
        m_header.should_keep_alive( true );
        return upcast();
    }
    Response_Builder && connection_keep_alive() && noexcept { return std::move( connection_keep_alive() ); }

protected:
    [[nodiscard]] impl::response_output_flags_t output_flags( impl::response_parts_attr_t parts ) const noexcept
    {
        return { parts, impl::response_connection_attr( m_header.should_keep_alive() ) };
    }

    // Sends a group to the connection; the last part also gives the connection up.
    void send( write_group_t wg, impl::response_parts_attr_t parts )
    {
        if( !m_connection )
            throw exception_t{ "done() cannot be called twice" };
        auto conn = impl::response_parts_attr_t::final_parts == parts
                ? std::move( m_connection ) : m_connection;
        conn->write_response_parts( m_request_id, output_flags( parts ), std::move( wg ) );
    }

    [[nodiscard]] bool has_connection() const noexcept { return static_cast< bool >( m_connection ); }

    http_response_header_t m_header;
    impl::connection_handle_t m_connection;
    request_id_t m_request_id;

private:
    Response_Builder & upcast() noexcept { return static_cast< Response_Builder & >( *this ); }
};

namespace impl
{

[[nodiscard]] inline std::size_t total_size( const writable_items_container_t & items )
{
    std::size_t size = 0;
    for( const auto & item : items )
        size += item.size();
    return size;
}

// set_body() and append_body(): the body parts collected until they are sent.
template< typename Builder >
class body_collecting_builder_t : public base_response_builder_t< Builder >
{
public:
    using base_response_builder_t< Builder >::base_response_builder_t;

    Builder & set_body( writable_item_t body ) &
    {
        m_body.clear();
        m_body.push_back( std::move( body ) );
        return static_cast< Builder & >( *this );
    }
    Builder && set_body( writable_item_t body ) && { return std::move( set_body( std::move( body ) ) ); }

    Builder & append_body( writable_item_t body_part ) &
    {
        m_body.push_back( std::move( body_part ) );
        return static_cast< Builder & >( *this );
    }
    Builder && append_body( writable_item_t body_part ) &&
    {
        return std::move( append_body( std::move( body_part ) ) );
    }

protected:
    // Moves the collected parts to the end of `items`.
    void take_body_into( writable_items_container_t & items )
    {
        for( auto & part : m_body )
            items.push_back( std::move( part ) );
        m_body.clear();
    }

    writable_items_container_t m_body;
};

// flush() and done() for builders that send a response in parts: the header goes with the
// first part; Builder::add_ready_parts( items, parts ) says what else each part carries.
template< typename Builder, typename Base, content_length_field_presence_t Length_Field >
class flushing_builder_t : public Base
{
public:
    using Base::Base;

    Builder & flush( write_status_cb_t wscb = write_status_cb_t{} ) &
    {
        send_ready_parts( response_parts_attr_t::not_final_parts, std::move( wscb ) );
        return static_cast< Builder & >( *this );
    }
    Builder && flush( write_status_cb_t wscb = write_status_cb_t{} ) &&
    {
        return std::move( flush( std::move( wscb ) ) );
    }

    request_handling_status_t done( write_status_cb_t wscb = write_status_cb_t{} )
    {
        send_ready_parts( response_parts_attr_t::final_parts, std::move( wscb ) );
        return request_accepted();
    }

private:
    void send_ready_parts( response_parts_attr_t parts, write_status_cb_t wscb )
    {
        if( !this->has_connection() )
            throw exception_t{ "done() cannot be called twice" };

        writable_items_container_t items;
        if( !m_header_was_sent )
        {
            m_header_was_sent = true;
            items.emplace_back( create_header_string( this->m_header, Length_Field ) );
        }
        static_cast< Builder & >( *this ).add_ready_parts( items, parts );

        write_group_t wg{ std::move( items ) };
        wg.after_write_notificator( std::move( wscb ) );
        this->send( std::move( wg ), parts );
    }

    bool m_header_was_sent{ false };
};

} // namespace impl

// The whole body is collected; done() sends the header with its Content-Length and the body.
template<>
class response_builder_t< restinio_controlled_output_t > final
    : public impl::body_collecting_builder_t< response_builder_t< restinio_controlled_output_t > >
{
    using base_type_t = impl::body_collecting_builder_t< response_builder_t< restinio_controlled_output_t > >;

public:
    using self_type_t = response_builder_t< restinio_controlled_output_t >;
    using base_type_t::base_type_t;
    response_builder_t( response_builder_t && ) = default;

    request_handling_status_t done( write_status_cb_t wscb = write_status_cb_t{} )
    {
        if( !has_connection() )
            throw exception_t{ "done() cannot be called twice" };

        m_header.content_length( impl::total_size( m_body ) );
        writable_items_container_t items;
        items.reserve( 1 + m_body.size() );
        items.emplace_back( impl::create_header_string( m_header ) );
        take_body_into( items );

        write_group_t wg{ std::move( items ) };
        wg.status_line_size( 1 );
        wg.after_write_notificator( std::move( wscb ) );
        send( std::move( wg ), impl::response_parts_attr_t::final_parts );
        return request_accepted();
    }
};

// The user sets Content-Length and may send the body in several flushes.
template<>
class response_builder_t< user_controlled_output_t > final
    : public impl::flushing_builder_t<
            response_builder_t< user_controlled_output_t >,
            impl::body_collecting_builder_t< response_builder_t< user_controlled_output_t > >,
            impl::content_length_field_presence_t::add_content_length >
{
    using base_type_t = impl::flushing_builder_t<
            response_builder_t< user_controlled_output_t >,
            impl::body_collecting_builder_t< response_builder_t< user_controlled_output_t > >,
            impl::content_length_field_presence_t::add_content_length >;
    friend base_type_t;

public:
    using self_type_t = response_builder_t< user_controlled_output_t >;
    using base_type_t::base_type_t;
    response_builder_t( response_builder_t && ) = default;

    self_type_t & set_content_length( std::size_t content_length ) &
    {
        m_header.content_length( content_length );
        return *this;
    }
    self_type_t && set_content_length( std::size_t content_length ) &&
    {
        return std::move( set_content_length( content_length ) );
    }

private:
    void add_ready_parts( writable_items_container_t & items, impl::response_parts_attr_t )
    {
        take_body_into( items );
    }
};

// Transfer-Encoding: chunked; each appended chunk is framed, done() adds the last chunk.
template<>
class response_builder_t< chunked_output_t > final
    : public impl::flushing_builder_t<
            response_builder_t< chunked_output_t >,
            base_response_builder_t< response_builder_t< chunked_output_t > >,
            impl::content_length_field_presence_t::add_chunked_transfer_encoding >
{
    using base_type_t = impl::flushing_builder_t<
            response_builder_t< chunked_output_t >,
            base_response_builder_t< response_builder_t< chunked_output_t > >,
            impl::content_length_field_presence_t::add_chunked_transfer_encoding >;
    friend base_type_t;

public:
    using self_type_t = response_builder_t< chunked_output_t >;
    using base_type_t::base_type_t;
    response_builder_t( response_builder_t && ) = default;

    self_type_t & append_chunk( writable_item_t chunk ) &
    {
        if( chunk.size() != 0 )
            m_chunks.push_back( std::move( chunk ) );
        return *this;
    }
    self_type_t && append_chunk( writable_item_t chunk ) &&
    {
        return std::move( append_chunk( std::move( chunk ) ) );
    }

private:
    void add_ready_parts( writable_items_container_t & items, impl::response_parts_attr_t parts )
    {
        for( auto & chunk : m_chunks )
        {
            // RFC 9112 7.1: chunk-size in hex, CRLF, chunk-data, CRLF.
            items.emplace_back( fmt::format( "{:x}\r\n", chunk.size() ) );
            items.push_back( std::move( chunk ) );
            items.emplace_back( const_buffer( "\r\n", 2 ) );
        }
        m_chunks.clear();

        if( impl::response_parts_attr_t::final_parts == parts )
            items.emplace_back( const_buffer( "0\r\n\r\n", 5 ) );
    }

    writable_items_container_t m_chunks;
};

} // namespace restinio
