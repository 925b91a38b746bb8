// An optional check of each accepted peer's address; noop_ip_blocker_t lets everyone in.
#pragma once

#include <restinio/common_types.hpp>

namespace restinio
{
namespace ip_blocker
{

enum class inspection_result_t { deny, allow };

[[nodiscard]] constexpr inspection_result_t deny() noexcept { return inspection_result_t::deny; }
[[nodiscard]] constexpr inspection_result_t allow() noexcept { return inspection_result_t::allow; }

class incoming_info_t
{
public:
    explicit incoming_info_t( endpoint_t remote_endpoint ) : m_remote_endpoint{ remote_endpoint } {}
    [[nodiscard]] endpoint_t remote_endpoint() const noexcept { return m_remote_endpoint; }

private:
    endpoint_t m_remote_endpoint;
};

struct noop_ip_blocker_t {};

} // namespace ip_blocker
} // namespace restinio
