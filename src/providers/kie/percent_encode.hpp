// Percent-encoding for the ids we put into KIE URLs and our own callback URLs.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <string_view>

namespace nc::providers::kie {

// Keeps RFC 3986 unreserved characters, encodes every other byte as %XX.
inline std::string percent_encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(u));
    }
  }
  return out;
}

}  // namespace nc::providers::kie
