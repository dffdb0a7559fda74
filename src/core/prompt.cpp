#include "core/prompt.hpp"

#include <nlohmann/json.hpp>

#include "core/utf16.hpp"

namespace nc::core {
namespace {

// Replaces every {name} in `pattern` by its value in one pass, so values are never scanned
// for placeholders again.
std::string fill_placeholders(std::string_view pattern, std::string_view product, std::string_view wishes) {
  std::string out;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    if (pattern.substr(pos).starts_with("{product}")) {
      out += product;
      pos += 9;
    } else if (pattern.substr(pos).starts_with("{wishes}")) {
      out += wishes;
      pos += 8;
    } else {
      out += pattern[pos++];
    }
  }
  return out;
}

std::string trim_spaces(std::string text) {
  while (!text.empty() && text.back() == ' ') text.pop_back();
  auto begin = text.find_first_not_of(' ');
  return begin == std::string::npos ? std::string() : text.substr(begin);
}

}  // namespace

PromptInput parse_product_info(std::string_view product_info_json) {
  PromptInput input;
  const auto info = nlohmann::json::parse(product_info_json, nullptr, false);
  if (!info.is_object()) return input;
  if (info.contains("text") && info["text"].is_string()) input.product = info["text"];
  if (info.contains("user_prompt") && info["user_prompt"].is_string()) {
    input.wishes = info["user_prompt"];
  }
  return input;
}

std::string clean_seller_text(std::string_view text) {
  std::string out;
  bool space = false;
  const std::string valid = valid_utf8(text) ? std::string(text) : std::string();
  for (unsigned char c : valid) {
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (c == '"') c = '\'';  // our quotes delimit the seller's words
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string build_prompt(const VideoTemplate& video_template, const PromptInput& input,
                         std::size_t max_characters) {
  const auto product = clean_seller_text(input.product);
  auto wishes = clean_seller_text(input.wishes);
  const std::string quoted_product = "\"" + product + "\"";
  std::string wishes_text;
  if (!wishes.empty()) {
    wishes_text = video_template.wishes_are_the_prompt
                      ? wishes
                      : "Seller's wishes: \"" + wishes + "\".";
  } else if (video_template.wishes_are_the_prompt) {
    wishes_text = "Show it off in an eye-catching, cinematic way.";
  }
  auto prompt = trim_spaces(fill_placeholders(video_template.prompt, quoted_product, wishes_text));
  if (utf8_characters(prompt) <= max_characters) return prompt;
  // Too long: shorten the seller's wishes first, then the product text, keeping the format.
  const auto overflow = utf8_characters(prompt) - max_characters;
  if (!wishes.empty() && utf8_characters(wishes) > overflow + 1) {
    PromptInput shorter{input.product,
                        utf8_prefix(wishes, utf8_characters(wishes) - overflow - 1)};
    return build_prompt(video_template, shorter, max_characters);
  }
  return utf8_prefix(prompt, max_characters);
}

}  // namespace nc::core
