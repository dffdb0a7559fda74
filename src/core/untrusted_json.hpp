// Parses JSON that comes from outside (webhook bodies, API replies) with a size cap, a nesting
// cap and a UTF-8 check, turning every failure into an Error instead of an exception.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"

namespace nc::core {

// Error codes of parse_untrusted_json.
inline constexpr std::string_view kErrorTooLarge = "too_large";
inline constexpr std::string_view kErrorTooDeep = "too_deep";
inline constexpr std::string_view kErrorInvalidUtf8 = "invalid_utf8";
inline constexpr std::string_view kErrorInvalidJson = "invalid_json";

struct JsonLimits {
  std::size_t max_bytes = std::size_t{1} << 20;
  int max_depth = 64;  // open objects and arrays at once; real Bot API payloads stay under 15
};

Result<nlohmann::json> parse_untrusted_json(std::string_view text, JsonLimits limits = {});

}  // namespace nc::core
