// Telegram's text rules: UTF-16 lengths and a checker for the HTML parse mode.
#include "fakes/bot_api_text.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

namespace nc::fakes {

namespace {

constexpr std::array<std::string_view, 16> kHtmlTags = {
    "b",   "strong", "i", "em",   "u",   "ins",        "s",        "strike",
    "del", "span",   "a", "code", "pre", "tg-spoiler", "tg-emoji", "blockquote"};

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// "&lt;" and friends plus numeric references; nullopt leaves the '&' as plain text.
std::optional<std::uint32_t> decode_entity(std::string_view name) {
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "amp") return '&';
  if (name == "quot") return '"';
  if (name.size() < 2 || name.front() != '#') return std::nullopt;
  int base = 10;
  name.remove_prefix(1);
  if (name.front() == 'x' || name.front() == 'X') {
    base = 16;
    name.remove_prefix(1);
  }
  std::uint32_t cp = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), cp, base);
  if (ec != std::errc{} || end != name.data() + name.size() || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  return cp;
}

}  // namespace

std::optional<std::size_t> utf16_length(std::string_view text) {
  std::size_t units = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (byte < 0x80) {
      cp = byte;
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      extra = 1;
      cp = byte & 0x1F;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      extra = 2;
      cp = byte & 0x0F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      extra = 3;
      cp = byte & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + extra >= text.size()) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      cp = cp << 6 | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    units += cp >= 0x10000 ? 2 : 1;
    i += extra + 1;
  }
  return units;
}

ParsedText parse_message_text(std::string_view text, std::string_view parse_mode) {
  auto mode = to_lower(parse_mode);
  if (mode.empty() || mode == "markdown" || mode == "markdownv2") return {std::string(text), {}};
  if (mode != "html") return {{}, "unsupported parse_mode"};

  ParsedText out;
  std::vector<std::string> open;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<') {
      auto end = text.find('>', i);
      if (end == std::string_view::npos) {
        out.error = fmt::format("can't parse entities: Unclosed start tag at byte offset {}", i);
        return out;
      }
      auto inner = text.substr(i + 1, end - i - 1);
      if (!inner.empty() && inner.front() == '/') {
        auto name = to_lower(inner.substr(1));
        if (open.empty()) {
          out.error = fmt::format("can't parse entities: Unexpected end tag at byte offset {}", i);
          return out;
        }
        if (name != open.back()) {
          out.error = fmt::format(
              "can't parse entities: Unmatched end tag at byte offset {}, expected \"</{}>\", "
              "found \"</{}>\"",
              i, open.back(), name);
          return out;
        }
        open.pop_back();
      } else {
        auto name = to_lower(inner.substr(0, inner.find_first_of(" \t\n/")));
        bool known = false;
        for (auto tag : kHtmlTags)
          known = known || tag == name;
        if (!known) {
          out.error = fmt::format(
              "can't parse entities: Unsupported start tag \"{}\" at byte offset {}", name, i);
          return out;
        }
        open.push_back(std::move(name));
      }
      i = end;
    } else if (c == '&') {
      auto semicolon = text.find(';', i);
      std::optional<std::uint32_t> cp;
      if (semicolon != std::string_view::npos && semicolon - i <= 10) {
        cp = decode_entity(text.substr(i + 1, semicolon - i - 1));
      }
      if (cp) {
        append_utf8(out.text, *cp);
        i = semicolon;
      } else {
        out.text += '&';
      }
    } else {
      out.text += c;
    }
  }
  if (!open.empty()) {
    out.error = fmt::format(
        "can't parse entities: Can't find end tag corresponding to start tag \"{}\"", open.back());
  }
  return out;
}

}  // namespace nc::fakes
