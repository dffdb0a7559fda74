// Parsing of multipart/form-data bodies: a strict reader for outside input that rejects rather
// than guesses.
#include "net/multipart.hpp"

#include <cctype>
#include <cstddef>
#include <utility>

namespace nc::net {

namespace {

constexpr std::size_t kMaxParts = 1000;
constexpr std::size_t kMaxPartHeaderBytes = 8 * 1024;
constexpr std::size_t kMaxBoundary = 70;  // RFC 2046

struct HeaderValue {
  std::string value;                                        // lower-case
  std::vector<std::pair<std::string, std::string>> params;  // names lower-case
};

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

// `value; name=token; name="quoted \" string"` as in Content-Type and Content-Disposition.
std::optional<HeaderValue> parse_header_value(std::string_view text) {
  HeaderValue out;
  auto semicolon = text.find(';');
  out.value = to_lower(trim(text.substr(0, semicolon)));
  if (semicolon == std::string_view::npos) return out;
  std::size_t pos = semicolon + 1;
  while (pos < text.size()) {
    while (pos < text.size() && is_space(text[pos]))
      ++pos;
    if (pos == text.size()) break;
    if (text[pos] == ';') {
      ++pos;
      continue;
    }
    auto name_end = text.find_first_of("=;", pos);
    auto name = trim(text.substr(pos, name_end - pos));
    if (name.empty()) return std::nullopt;
    std::string value;
    pos = name_end;
    if (pos < text.size() && text[pos] == '=') {
      ++pos;
      while (pos < text.size() && is_space(text[pos]))
        ++pos;
      if (pos < text.size() && text[pos] == '"') {
        ++pos;
        bool closed = false;
        while (pos < text.size()) {
          char c = text[pos++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\' && pos < text.size()) c = text[pos++];
          value += c;
        }
        if (!closed) return std::nullopt;
        while (pos < text.size() && is_space(text[pos]))
          ++pos;
        if (pos < text.size() && text[pos] != ';') return std::nullopt;
      } else {
        auto value_end = text.find(';', pos);
        value = std::string(trim(text.substr(pos, value_end - pos)));
        pos = value_end;
      }
    }
    out.params.emplace_back(to_lower(name), std::move(value));
    if (pos < text.size()) ++pos;  // the ';'
  }
  return out;
}

const std::string* find_param(const HeaderValue& header, std::string_view name) {
  for (const auto& [key, value] : header.params) {
    if (key == name) return &value;
  }
  return nullptr;
}

// One part's header block (without the blank line that ends it) into a field without data.
std::optional<MultipartField> parse_part_headers(std::string_view block) {
  std::optional<HeaderValue> disposition;
  MultipartField field;
  while (!block.empty()) {
    auto line_end = block.find("\r\n");
    auto line = block.substr(0, line_end);
    block = line_end == std::string_view::npos ? std::string_view{} : block.substr(line_end + 2);
    auto colon = line.find(':');
    // Folded or nameless header lines are not something a form uploader sends.
    if (colon == std::string_view::npos || colon == 0 || is_space(line.front())) {
      return std::nullopt;
    }
    auto name = to_lower(trim(line.substr(0, colon)));
    auto value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (disposition) return std::nullopt;
      disposition = parse_header_value(value);
      if (!disposition) return std::nullopt;
    } else if (name == "content-type") {
      field.content_type = std::string(value);
    }
  }
  if (!disposition || disposition->value != "form-data") return std::nullopt;
  const auto* name = find_param(*disposition, "name");
  if (name == nullptr) return std::nullopt;
  field.name = *name;
  if (const auto* filename = find_param(*disposition, "filename")) field.filename = *filename;
  return field;
}

}  // namespace

std::optional<std::vector<MultipartField>> parse_multipart(std::string_view content_type,
                                                           std::string_view body) {
  auto type = parse_header_value(content_type);
  if (!type || type->value != "multipart/form-data") return std::nullopt;
  const auto* boundary = find_param(*type, "boundary");
  if (boundary == nullptr || boundary->empty() || boundary->size() > kMaxBoundary ||
      boundary->find_first_of("\r\n") != std::string::npos) {
    return std::nullopt;
  }
  const std::string delimiter = "--" + *boundary;
  const std::string next_delimiter = "\r\n" + delimiter;

  // Anything before the first delimiter is a preamble and is ignored.
  std::size_t pos = 0;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    auto first = body.find(next_delimiter);
    if (first == std::string_view::npos) return std::nullopt;
    pos = first + next_delimiter.size();
  }

  std::vector<MultipartField> fields;
  for (;;) {
    auto rest = body.substr(pos);
    if (rest.substr(0, 2) == "--") return fields;  // closing delimiter; the epilogue is ignored
    while (pos < body.size() && is_space(body[pos]))
      ++pos;
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;

    std::string_view headers;
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else {
      auto end = body.find("\r\n\r\n", pos);
      if (end == std::string_view::npos || end - pos > kMaxPartHeaderBytes) return std::nullopt;
      headers = body.substr(pos, end - pos);
      pos = end + 4;
    }
    auto field = parse_part_headers(headers);
    if (!field) return std::nullopt;

    auto end = body.find(next_delimiter, pos);
    if (end == std::string_view::npos) return std::nullopt;
    field->data = std::string(body.substr(pos, end - pos));
    pos = end + next_delimiter.size();
    fields.push_back(std::move(*field));
    if (fields.size() > kMaxParts) return std::nullopt;
  }
}

}  // namespace nc::net
