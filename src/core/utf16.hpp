// UTF-8 checks and UTF-16 arithmetic: Telegram measures text limits and entity offsets in UTF-16
// code units, while the bot keeps text as UTF-8.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nc::core {

// Strict RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated tails.
bool valid_utf8(std::string_view text);

// Code points above U+FFFF count 2, others 1. An invalid byte counts 1, as its U+FFFD would.
std::size_t utf16_length(std::string_view utf8);

// The longest prefix of at most max_units UTF-16 units that ends between code points. Cuts may
// still fall inside a grapheme (between a letter and its combining mark, or inside a ZWJ emoji).
std::string utf8_truncate(std::string_view utf8, std::size_t max_units);

// Characters (code points) in UTF-8 text: what limits shown to people ("500 characters") count.
std::size_t utf8_characters(std::string_view utf8);

// The first max_characters code points of utf8.
std::string utf8_prefix(std::string_view utf8, std::size_t max_characters);

// The bytes of utf8 covering [offset, offset + length) in UTF-16 units, e.g. a MessageEntity.
// nullopt when the range runs past the end or splits a surrogate pair.
std::optional<std::string_view> utf16_slice(std::string_view utf8, std::size_t offset,
                                            std::size_t length);

}  // namespace nc::core
