// libFuzzer target for what KIE sends us: callback bodies (from the internet) and API answers
// read into task states.
//
// Build and run from the repository root (not part of the CMake build). clang 14 cannot
// instrument the HttpClient's coroutines, and this target only needs HttpResponse from it, so
// that file is compiled plainly first:
//   clang++-14 -std=c++20 -O1 -Isrc -c src/net/http_client.cpp -o build/http_client_plain.o
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
//     -Isrc tests/fuzz/kie_fuzz.cpp src/providers/kie/callback.cpp \
//     src/providers/kie/kie_reply.cpp src/providers/kie/kie_records.cpp \
//     src/net/http_transfer.cpp src/net/hmac.cpp build/http_client_plain.o \
//     src/core/untrusted_json.cpp src/core/utf16.cpp -lfmt -lcurl -lcrypto -o build/kie_fuzz
//   mkdir -p build/kie-fuzz-corpus && build/kie_fuzz build/kie-fuzz-corpus tests/fuzz/corpus/kie \
//     -max_len=65536 -max_total_time=120
#include <cstddef>
#include <cstdint>
#include <string>

#include "providers/kie/callback.hpp"
#include "providers/kie/kie_records.hpp"
#include "providers/kie/kie_reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)nc::providers::kie::parse_callback(text);

  // The same bytes as an API answer, then its data as both kinds of task record.
  nc::net::HttpResponse response;
  response.status = 200;
  response.body = text;
  response.headers.emplace_back("retry-after", text.substr(0, 12));
  auto reply = nc::providers::kie::read_reply(response, nc::providers::kie::KieCall::kStatus);
  (void)nc::providers::kie::read_veo_record(reply.data);
  (void)nc::providers::kie::read_market_record(reply.data);
  (void)nc::providers::kie::read_url_list(reply.data);
  (void)nc::providers::kie::user_reason_for(text);
  return 0;
}
