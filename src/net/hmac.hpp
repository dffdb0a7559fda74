// Small crypto and encoding helpers over OpenSSL: HMAC-SHA256 for signed payloads, hex and
// base64, constant-time comparison of secrets and random tokens.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nc::net {

// The raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hex, two characters per byte.
std::string to_hex(std::string_view bytes);

// Standard alphabet with '=' padding, no line breaks.
std::string base64_encode(std::string_view bytes);
// Strict inverse of base64_encode: nullopt for a wrong length, a foreign character or misplaced
// padding (whitespace included).
std::optional<std::string> base64_decode(std::string_view text);

// Compares in time that depends only on the lengths, so a secret cannot be guessed byte by byte.
bool constant_time_equal(std::string_view a, std::string_view b);

// `bytes` bytes from OpenSSL's CSPRNG, hex-encoded (2 * bytes characters).
std::string random_token(std::size_t bytes);

}  // namespace nc::net
