#include "net/public_address.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <string>

namespace nc::net {
namespace {

bool is_public_v4(std::uint32_t address) {
  struct Block {
    std::uint32_t network;
    int prefix;
  };
  static constexpr std::array<Block, 9> kNotPublic{{
      {0x00000000, 8},   // "this network"
      {0x0A000000, 8},   // 10/8
      {0x64400000, 10},  // 100.64/10, carrier-grade NAT
      {0x7F000000, 8},   // loopback
      {0xA9FE0000, 16},  // 169.254/16, link-local (cloud metadata)
      {0xAC100000, 12},  // 172.16/12
      {0xC0A80000, 16},  // 192.168/16
      {0xE0000000, 4},   // multicast
      {0xF0000000, 4},   // reserved and broadcast
  }};
  for (const auto& block : kNotPublic) {
    const std::uint32_t mask = ~std::uint32_t{0} << (32 - block.prefix);
    if ((address & mask) == block.network) return false;
  }
  return true;
}

}  // namespace

bool is_public_address(std::string_view ip) {
  const std::string text(ip);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return is_public_v4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  const auto* bytes = v6.s6_addr;
  bool zero_prefix = true;  // ::/96 (unspecified, loopback, old compatible forms)
  for (int i = 0; i < 12; ++i)
    zero_prefix = zero_prefix && bytes[i] == 0;
  if (zero_prefix) return false;
  bool mapped = bytes[10] == 0xFF && bytes[11] == 0xFF;  // ::ffff:a.b.c.d
  for (int i = 0; i < 10; ++i)
    mapped = mapped && bytes[i] == 0;
  if (mapped) {
    return is_public_v4(std::uint32_t{bytes[12]} << 24 | std::uint32_t{bytes[13]} << 16 |
                        std::uint32_t{bytes[14]} << 8 | bytes[15]);
  }
  if ((bytes[0] & 0xFE) == 0xFC) return false;                      // fc00::/7, unique local
  if (bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80) return false;  // fe80::/10, link-local
  if (bytes[0] == 0xFF) return false;                               // multicast
  return true;
}

}  // namespace nc::net
