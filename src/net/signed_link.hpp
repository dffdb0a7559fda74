// Signed, expiring links to files we serve (GET /files/<name>?exp=…&sig=…): the provider can
// fetch a seller's photo for a while, and nobody can list or guess other files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nc::net {

// The query string "exp=<unix seconds>&sig=<hex HMAC-SHA256 of name|exp>".
std::string sign_link(std::string_view name, std::int64_t expires_unix, std::string_view secret);
bool verify_link(std::string_view name, std::string_view expires, std::string_view signature,
                 std::int64_t now_unix, std::string_view secret);  // now: the clock's unix seconds
// A file name we may serve: letters, digits, '-', '_' and one '.', nothing that walks paths.
bool is_safe_file_name(std::string_view name);

}  // namespace nc::net
