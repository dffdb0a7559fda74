// The demo's conversation as a person reads it: the seller's moves (👤), the bot's messages
// (🤖) with their buttons under them, edits, videos and the narrator's notes (⏳).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace nc::app::demo {

class Transcript {
 public:
  explicit Transcript(std::ostream& out) : out_(out) {}

  void user_text(std::string_view text);
  void user_photo(std::string_view file_name);
  void user_press(std::string_view label);
  // A new message; `keyboard` is its reply_markup (null when it has none).
  void bot_message(std::string_view text, const nlohmann::json& keyboard);
  // What changed in an earlier message, named by its first line.
  void bot_edit(std::string_view message_text, std::string_view change,
                const nlohmann::json& keyboard);
  void bot_toast(std::string_view text);
  void bot_video(int width, int height, double seconds, std::string_view path,
                 std::string_view caption, const nlohmann::json& keyboard);
  void note(std::string_view text);

 private:
  // The first line after `lead`, the others indented under it; every line flushed at once so
  // the conversation shows up live.
  void block(std::string_view lead, std::string_view text);
  void buttons(const nlohmann::json& keyboard);

  std::ostream& out_;
};

// The first line of a text, shortened to about `limit` characters.
std::string first_line(std::string_view text, std::size_t limit = 60);

}  // namespace nc::app::demo
