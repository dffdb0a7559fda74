// libFuzzer target for parse_update, the parser of webhook bodies (input from the internet).
//
// Build and run from the repository root (not part of the CMake build):
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
//     -Isrc tests/fuzz/update_fuzz.cpp src/telegram/json.cpp src/telegram/types.cpp \
//     src/core/untrusted_json.cpp src/core/utf16.cpp -o build/update_fuzz
//   mkdir -p build/fuzz-corpus && build/update_fuzz build/fuzz-corpus tests/fuzz/corpus/update \
//     -max_len=65536 -max_total_time=120
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "telegram/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto update = nc::telegram::parse_update(text);
  if (!update.ok()) return 0;
  // Walk the helpers too: they index into entities and photos taken from the input.
  const auto& value = update.value();
  (void)value.user();
  (void)value.chat_id();
  for (const auto* message :
       {value.message ? &*value.message : nullptr,
        value.edited_message ? &*value.edited_message : nullptr,
        value.callback_query && value.callback_query->message ? &*value.callback_query->message
                                                              : nullptr}) {
    if (message == nullptr) continue;
    (void)message->command();
    (void)message->largest_photo(20 << 20);
  }
  return 0;
}
