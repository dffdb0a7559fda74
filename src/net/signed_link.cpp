#include "net/signed_link.hpp"

#include <fmt/format.h>

#include <charconv>

#include "net/hmac.hpp"

namespace nc::net {
namespace {

std::string signature_of(std::string_view name, std::string_view expires, std::string_view secret) {
  return to_hex(hmac_sha256(secret, fmt::format("{}|{}", name, expires)));
}

}  // namespace

std::string sign_link(std::string_view name, std::int64_t expires_unix, std::string_view secret) {
  const auto expires = std::to_string(expires_unix);
  return fmt::format("exp={}&sig={}", expires, signature_of(name, expires, secret));
}

bool verify_link(std::string_view name, std::string_view expires, std::string_view signature,
                 std::int64_t now_unix, std::string_view secret) {
  std::int64_t expires_unix = 0;
  auto [end, error] =
      std::from_chars(expires.data(), expires.data() + expires.size(), expires_unix);
  if (error != std::errc() || end != expires.data() + expires.size()) return false;
  if (expires_unix < now_unix) return false;
  return constant_time_equal(signature, signature_of(name, expires, secret));
}

bool is_safe_file_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  int dots = 0;
  for (char c : name) {
    if (c == '.') {
      ++dots;
      continue;
    }
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return dots <= 1;
}

}  // namespace nc::net
