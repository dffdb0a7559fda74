// UTF-8 decoding for validation and UTF-16 counting.
#include "core/utf16.hpp"

#include <cstdint>

namespace nc::core {
namespace {

struct Step {
  std::size_t bytes;  // bytes consumed; 1 for an invalid byte
  std::size_t units;  // UTF-16 code units of the code point
  bool valid;
};

constexpr bool is_continuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

// Decodes one code point at text[pos] (pos < size); the tables follow RFC 3629 section 4.
Step step_at(std::string_view text, std::size_t pos) {
  constexpr Step kInvalid{1, 1, false};
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return {1, 1, true};

  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong below U+0800
    if (lead == 0xED) second_max = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong below U+10000
    if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return kInvalid;
  }
  if (text.size() - pos < length) return kInvalid;
  const auto second = static_cast<unsigned char>(text[pos + 1]);
  if (second < second_min || second > second_max) return kInvalid;
  for (std::size_t i = 2; i < length; ++i) {
    if (!is_continuation(static_cast<unsigned char>(text[pos + i]))) return kInvalid;
  }
  return {length, length == 4 ? 2u : 1u, true};
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    const Step step = step_at(text, pos);
    if (!step.valid) return false;
    pos += step.bytes;
  }
  return true;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const Step step = step_at(utf8, pos);
    units += step.units;
    pos += step.bytes;
  }
  return units;
}

std::string utf8_truncate(std::string_view utf8, std::size_t max_units) {
  std::size_t units = 0;
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    const Step step = step_at(utf8, pos);
    if (units + step.units > max_units) break;
    units += step.units;
    pos += step.bytes;
  }
  return std::string(utf8.substr(0, pos));
}

std::optional<std::string_view> utf16_slice(std::string_view utf8, std::size_t offset,
                                            std::size_t length) {
  // Offsets come from outside (message entities), so guard the addition.
  if (length > SIZE_MAX - offset) return std::nullopt;
  const std::size_t end_units = offset + length;
  std::size_t units = 0;
  std::size_t pos = 0;
  std::optional<std::size_t> begin_byte;
  while (true) {
    // units grows by at least one per step, so it equals offset at most once.
    if (units == offset) {
      begin_byte = pos;
    } else if (units > offset && !begin_byte) {
      return std::nullopt;  // offset inside a surrogate pair
    }
    if (units == end_units) return utf8.substr(*begin_byte, pos - *begin_byte);
    if (units > end_units || pos >= utf8.size()) return std::nullopt;
    const Step step = step_at(utf8, pos);
    units += step.units;
    pos += step.bytes;
  }
}

std::size_t utf8_characters(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

std::string utf8_prefix(std::string_view utf8, std::size_t max_characters) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const bool starts = (static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80;
    if (starts && ++count > max_characters) return std::string(utf8.substr(0, i));
  }
  return std::string(utf8);
}

}  // namespace nc::core
