// What a response body or a WebSocket payload is made of: writable_item_t (a buffer that is
// borrowed, owned or shared), and write_group_t (items that leave together, with one callback).
//
// Owning items keep their data where it was built (a std::string is moved, never copied), so a
// payload travels from the user's handler to the gathered socket write without a copy.
#pragma once

#include <restinio/asio_include.hpp>
#include <restinio/common_types.hpp>
#include <restinio/exception.hpp>
#include <restinio/sendfile.hpp>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace restinio
{

// A buffer the caller keeps alive until the write has completed.
struct const_buffer_t
{
    constexpr const_buffer_t( const void * str, std::size_t size ) noexcept
        : m_str{ str }, m_size{ size }
    {}

    const void * const m_str;
    const std::size_t m_size;
};

[[nodiscard]] constexpr const_buffer_t const_buffer( const void * str, std::size_t size ) noexcept
{
    return const_buffer_t{ str, size };
}

[[nodiscard]] inline const_buffer_t const_buffer( const char * str ) noexcept
{
    return const_buffer_t{ str, std::strlen( str ) };
}

enum class writable_item_type_t
{
    trivial_write_operation,
    file_write_operation
};

class writable_item_t;

namespace impl
{

std::string * owned_string( writable_item_t & item ) noexcept;

template< typename T, typename = void >
struct is_datasizeable : std::false_type {};

template< typename T >
struct is_datasizeable< T, std::void_t<
        decltype( std::declval< const T & >().data() ),
        decltype( std::declval< const T & >().size() ) > >
    : std::true_type
{};

template< typename T >
constexpr bool is_datasizeable_v = is_datasizeable< T >::value
    && !std::is_same_v< std::decay_t< T >, writable_item_t >
    && !std::is_same_v< std::decay_t< T >, std::vector< writable_item_t > >;

} // namespace impl

// One piece of output. Move-only. A std::string is kept inline; any other owned container and
// shared_ptr payloads are kept alive by a shared owner; a const_buffer_t is only referenced.
// Only one of these is ever held, so they share storage: an item is 40 bytes.
class writable_item_t
{
public:
    writable_item_t() = default;

    writable_item_t( const_buffer_t const_buf ) noexcept
        : m_storage{ referenced_t{ const_buf.m_str, const_buf.m_size } }
    {}

    writable_item_t( std::string str ) noexcept
        : m_storage{ std::move( str ) }
    {}

    writable_item_t( const char * str )
        : writable_item_t{ std::string{ str } }
    {}

    template< typename Datasizeable,
              typename = std::enable_if_t<
                    impl::is_datasizeable_v< Datasizeable >
                    && !std::is_convertible_v< Datasizeable, std::string > > >
    writable_item_t( Datasizeable ds )
        : writable_item_t{ std::make_shared< Datasizeable >( std::move( ds ) ) }
    {}

    template< typename Datasizeable >
    writable_item_t( std::shared_ptr< Datasizeable > sp )
    {
        if( !sp )
            throw exception_t{ "empty shared_ptr cannot be used as a writable item" };
        const void * data = sp->data();
        const std::size_t size = sp->size() * sizeof( *sp->data() );
        m_storage = shared_t{ std::move( sp ), data, size };
    }

    writable_item_t( sendfile_t sf_opts )
        : m_storage{ std::make_unique< sendfile_t >( std::move( sf_opts ) ) }
    {}

    writable_item_t( const writable_item_t & ) = delete;
    writable_item_t & operator=( const writable_item_t & ) = delete;
    writable_item_t( writable_item_t && ) noexcept = default;
    writable_item_t & operator=( writable_item_t && ) noexcept = default;

    [[nodiscard]] writable_item_type_t write_type() const noexcept
    {
        return std::holds_alternative< std::unique_ptr< sendfile_t > >( m_storage )
                ? writable_item_type_t::file_write_operation
                : writable_item_type_t::trivial_write_operation;
    }

    [[nodiscard]] std::size_t size() const
    {
        if( const auto * str = std::get_if< std::string >( &m_storage ) )
            return str->size();
        if( const auto * ref = std::get_if< referenced_t >( &m_storage ) )
            return ref->m_size;
        if( const auto * shared = std::get_if< shared_t >( &m_storage ) )
            return shared->m_size;
        return static_cast< std::size_t >( std::get< std::unique_ptr< sendfile_t > >( m_storage )->size() );
    }

    // Computed on each call: an inline std::string moves its bytes when the item moves.
    [[nodiscard]] asio_ns::const_buffer buf() const
    {
        if( const auto * str = std::get_if< std::string >( &m_storage ) )
            return asio_ns::buffer( *str );
        if( const auto * ref = std::get_if< referenced_t >( &m_storage ) )
            return asio_ns::const_buffer{ ref->m_data, ref->m_size };
        if( const auto * shared = std::get_if< shared_t >( &m_storage ) )
            return asio_ns::const_buffer{ shared->m_data, shared->m_size };
        throw exception_t{ "sendfile item has no memory buffer" };
    }

    friend std::string * impl::owned_string( writable_item_t & item ) noexcept;

    [[nodiscard]] sendfile_t & sendfile_operation()
    {
        if( auto * sf = std::get_if< std::unique_ptr< sendfile_t > >( &m_storage ) )
            return **sf;
        throw exception_t{ "writable item is not a sendfile operation" };
    }

private:
    struct referenced_t
    {
        const void * m_data;
        std::size_t m_size;
    };

    struct shared_t
    {
        std::shared_ptr< const void > m_owner;
        const void * m_data;
        std::size_t m_size;
    };

    std::variant< referenced_t, std::string, shared_t, std::unique_ptr< sendfile_t > > m_storage{
            referenced_t{ nullptr, 0 } };
};

namespace impl
{

// The string an item holds inline, if it holds one: a writer may take it back once written.
inline std::string * owned_string( writable_item_t & item ) noexcept
{
    return std::get_if< std::string >( &item.m_storage );
}

} // namespace impl

using writable_items_container_t = std::vector< writable_item_t >;

using write_status_cb_t = std::function< void ( const asio_ns::error_code & ec ) >;

// Items written back to back, and a callback run once when they are written, failed, or dropped.
// A group destroyed before it was written reports write_group_destroyed_passively.
class write_group_t
{
public:
    explicit write_group_t( writable_items_container_t items )
        : m_items{ std::move( items ) }
    {}

    write_group_t( const write_group_t & ) = delete;
    write_group_t & operator=( const write_group_t & ) = delete;

    write_group_t( write_group_t && other ) noexcept
        : m_items{ std::move( other.m_items ) }
        , m_after_write_notificator{ std::move( other.m_after_write_notificator ) }
        , m_status_line_size{ other.m_status_line_size }
    {
        other.m_after_write_notificator = nullptr;
    }

    write_group_t & operator=( write_group_t && other ) noexcept
    {
        write_group_t tmp{ std::move( other ) };
        swap( tmp );
        return *this;
    }

    ~write_group_t()
    {
        invoke_after_write_notificator_if_exists(
            make_asio_compaible_error( asio_convertible_error_t::write_group_destroyed_passively ) );
    }

    void swap( write_group_t & other ) noexcept
    {
        std::swap( m_items, other.m_items );
        std::swap( m_after_write_notificator, other.m_after_write_notificator );
        std::swap( m_status_line_size, other.m_status_line_size );
    }

    void after_write_notificator( write_status_cb_t notificator ) noexcept
    {
        m_after_write_notificator = std::move( notificator );
    }

    [[nodiscard]] bool has_after_write_notificator() const noexcept
    {
        return static_cast< bool >( m_after_write_notificator );
    }

    // Runs the callback at most once; an exception from it does not escape.
    void invoke_after_write_notificator_if_exists( const asio_ns::error_code & ec ) noexcept
    {
        if( m_after_write_notificator )
        {
            auto cb = std::move( m_after_write_notificator );
            m_after_write_notificator = nullptr;
            try { cb( ec ); } catch( ... ) {}
        }
    }

    [[nodiscard]] std::size_t items_count() const noexcept { return m_items.size(); }
    [[nodiscard]] const writable_items_container_t & items() const noexcept { return m_items; }
    [[nodiscard]] writable_items_container_t & items() noexcept { return m_items; }

    void status_line_size( std::size_t n ) noexcept { m_status_line_size = n; }
    [[nodiscard]] std::size_t status_line_size() const noexcept { return m_status_line_size; }

    void reset() noexcept
    {
        m_items.clear();
        m_after_write_notificator = nullptr;
        m_status_line_size = 0;
    }

    // Appends the other group's items; its callback wins if it has one.
    void merge( write_group_t second )
    {
        for( auto & item : second.m_items )
            m_items.push_back( std::move( item ) );
        if( second.m_after_write_notificator )
        {
            m_after_write_notificator = std::move( second.m_after_write_notificator );
            second.m_after_write_notificator = nullptr;
        }
    }

private:
    writable_items_container_t m_items;
    write_status_cb_t m_after_write_notificator;
    std::size_t m_status_line_size{ 0 };
};

} // namespace restinio
