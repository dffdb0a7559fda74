// Builds the generation prompt from a video format's template and what the seller wrote.
// Seller text is data, never template: it is inserted once (a "{wishes}" typed by the seller
// stays literal text), quoted, stripped of control characters and cut to fit the model.
#pragma once

#include <string>
#include <string_view>

#include "core/templates.hpp"

namespace nc::core {

struct PromptInput {
  std::string product;  // "text" of product_info
  std::string wishes;   // "user_prompt" of product_info
};

// Reads {"text": …, "user_prompt": …}; anything unreadable gives empty fields.
PromptInput parse_product_info(std::string_view product_info_json);

// `max_characters` is the model's prompt limit (Unicode characters).
std::string build_prompt(const VideoTemplate& video_template, const PromptInput& input,
                         std::size_t max_characters);

// Whitespace collapsed, control characters and quotes that would end our quoting removed.
std::string clean_seller_text(std::string_view text);

}  // namespace nc::core
