// Method matchers: which HTTP methods an express route accepts.
//
// add_handler() takes a plain http_method_id_t, the result of any_of_methods(...) or
// none_of_methods(...), a dynamic_*_methods_matcher_t filled at run time, or any other
// subclass of method_matcher_t. The router stores each as an owned method_matcher_t and asks
// it once per request and route.
#pragma once

#include <restinio/http_method.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace restinio
{

namespace router
{

struct method_matcher_t
{
    method_matcher_t() = default;
    method_matcher_t( const method_matcher_t & ) = default;
    method_matcher_t( method_matcher_t && ) = default;
    method_matcher_t & operator=( const method_matcher_t & ) = default;
    method_matcher_t & operator=( method_matcher_t && ) = default;
    virtual ~method_matcher_t() = default;

    [[nodiscard]] virtual bool match( const http_method_id_t & method ) const noexcept = 0;
};

namespace impl
{

// One method, for add_handler( http_method_get(), ... ).
class fixed_method_matcher_t final : public method_matcher_t
{
public:
    explicit fixed_method_matcher_t( http_method_id_t method ) noexcept : m_method{ method } {}

    [[nodiscard]] bool match( const http_method_id_t & method ) const noexcept override
    {
        return m_method == method;
    }

private:
    http_method_id_t m_method;
};

// A fixed set of methods, chosen at compile time; Accept says whether the set is the allowed
// or the refused one.
template< std::size_t Size, bool Accept >
class fixed_methods_set_matcher_t final : public method_matcher_t
{
public:
    // Constrained, so that copying a non-const matcher does not land here.
    template< typename... Methods,
        typename = std::enable_if_t< ( std::is_convertible_v< Methods, http_method_id_t > && ... ) > >
    explicit fixed_methods_set_matcher_t( Methods &&... methods ) noexcept
        : m_methods{ { http_method_id_t{ std::forward< Methods >( methods ) }... } }
    {}

    [[nodiscard]] bool match( const http_method_id_t & method ) const noexcept override
    {
        const bool found = std::find( m_methods.begin(), m_methods.end(), method ) != m_methods.end();
        return found == Accept;
    }

private:
    std::array< http_method_id_t, Size > m_methods;
};

template< std::size_t Size >
using any_of_methods_matcher_t = fixed_methods_set_matcher_t< Size, true >;

template< std::size_t Size >
using none_of_methods_matcher_t = fixed_methods_set_matcher_t< Size, false >;

// A set of methods filled at run time.
template< bool Accept >
class dynamic_methods_set_matcher_t : public method_matcher_t
{
public:
    dynamic_methods_set_matcher_t() = default;

    [[nodiscard]] bool match( const http_method_id_t & method ) const noexcept override
    {
        const bool found = std::find( m_methods.begin(), m_methods.end(), method ) != m_methods.end();
        return found == Accept;
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_methods.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_methods.empty(); }

protected:
    std::vector< http_method_id_t > m_methods;
};

// Turns whatever add_handler() was given into a matcher the route owns.
template< typename Method_Matcher >
[[nodiscard]] std::unique_ptr< method_matcher_t > make_method_matcher(
    Method_Matcher && method_matcher )
{
    using matcher_t = std::decay_t< Method_Matcher >;
    if constexpr( std::is_same_v< matcher_t, http_method_id_t > )
        return std::make_unique< fixed_method_matcher_t >( method_matcher );
    else
    {
        static_assert( std::is_base_of_v< method_matcher_t, matcher_t >,
            "a method matcher is an http_method_id_t, the result of any_of_methods() or "
            "none_of_methods(), or a class derived from restinio::router::method_matcher_t" );
        return std::make_unique< matcher_t >( std::forward< Method_Matcher >( method_matcher ) );
    }
}

} // namespace impl

// Accepts exactly the given methods: any_of_methods( http_method_get(), http_method_head() ).
template< typename... Args >
[[nodiscard]] impl::any_of_methods_matcher_t< sizeof...( Args ) > any_of_methods( Args &&... methods )
{
    return impl::any_of_methods_matcher_t< sizeof...( Args ) >{ std::forward< Args >( methods )... };
}

// Accepts every method except the given ones.
template< typename... Args >
[[nodiscard]] impl::none_of_methods_matcher_t< sizeof...( Args ) > none_of_methods( Args &&... methods )
{
    return impl::none_of_methods_matcher_t< sizeof...( Args ) >{ std::forward< Args >( methods )... };
}

// Accepts the methods add()ed to it.
class dynamic_any_of_methods_matcher_t final : public impl::dynamic_methods_set_matcher_t< true >
{
public:
    dynamic_any_of_methods_matcher_t & add( http_method_id_t method ) &
    {
        m_methods.push_back( method );
        return *this;
    }
    dynamic_any_of_methods_matcher_t && add( http_method_id_t method ) &&
    {
        return std::move( add( method ) );
    }
};

// Accepts every method except those add()ed to it.
class dynamic_none_of_methods_matcher_t final : public impl::dynamic_methods_set_matcher_t< false >
{
public:
    dynamic_none_of_methods_matcher_t & add( http_method_id_t method ) &
    {
        m_methods.push_back( method );
        return *this;
    }
    dynamic_none_of_methods_matcher_t && add( http_method_id_t method ) &&
    {
        return std::move( add( method ) );
    }
};

} // namespace router

} // namespace restinio
