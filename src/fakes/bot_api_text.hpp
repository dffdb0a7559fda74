// Telegram's text rules as the fake enforces them: lengths in UTF-16 code units and the HTML
// parse mode's tags and entities.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nc::fakes {

// Length in UTF-16 code units, the unit of Telegram's text limits; nullopt if not UTF-8.
std::optional<std::size_t> utf16_length(std::string_view text);

struct ParsedText {
  std::string text;   // what the user sees: tags removed, entities decoded
  std::string error;  // non-empty: the description after "Bad Request: "
};

// parse_mode "" or Markdown flavours: the text as is (not checked); "HTML" (any case): checked
// like the server does for the tags Telegram supports.
ParsedText parse_message_text(std::string_view text, std::string_view parse_mode);

}  // namespace nc::fakes
