// clang-format off
// clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc src/net/multipart.cpp tests/fuzz/multipart_fuzz.cpp -o build/multipart_fuzz && build/multipart_fuzz -max_total_time=60 tests/fuzz/corpus/multipart
// clang-format on
// libFuzzer target for parse_multipart: the first line of the input is the Content-Type, the
// rest the body. Besides crashes it checks that every field's data is a piece of the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  auto content_type = input.substr(0, newline);
  auto body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  auto fields = nc::net::parse_multipart(content_type, body);
  if (!fields) return 0;
  std::size_t total = 0;
  for (const auto& field : *fields) {
    if (!field.data.empty() && body.find(field.data) == std::string_view::npos) std::abort();
    total += field.data.size();
  }
  if (total > body.size()) std::abort();
  return 0;
}
