#include "app/demo/transcript.hpp"

#include <fmt/format.h>

#include "core/utf16.hpp"

namespace nc::app::demo {
namespace {

constexpr std::string_view kIndent = "   ";

}  // namespace

std::string first_line(std::string_view text, std::size_t limit) {
  const auto line = text.substr(0, text.find('\n'));
  if (core::utf8_characters(line) <= limit) return std::string(line);
  return core::utf8_prefix(line, limit) + "…";
}

void Transcript::block(std::string_view lead, std::string_view text) {
  std::size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    out_ << (first ? lead : line.empty() ? std::string_view() : kIndent) << line << '\n';
    first = false;
    start = end + 1;
  }
  out_.flush();
}

void Transcript::buttons(const nlohmann::json& keyboard) {
  if (!keyboard.is_object() || !keyboard.contains("inline_keyboard")) return;
  for (const auto& row : keyboard["inline_keyboard"]) {
    std::string line(kIndent);
    for (const auto& button : row) {
      line += fmt::format("[ {} ] ", button.value("text", ""));
    }
    if (!row.empty()) line.pop_back();
    out_ << line << '\n';
  }
  out_.flush();
}

void Transcript::user_text(std::string_view text) {
  block("👤 ", text);
}

void Transcript::user_photo(std::string_view file_name) {
  block("👤 ", fmt::format("[photo {}]", file_name));
}

void Transcript::user_press(std::string_view label) {
  block("👤 ", fmt::format("presses «{}»", label));
}

void Transcript::bot_message(std::string_view text, const nlohmann::json& keyboard) {
  block("🤖 ", text);
  buttons(keyboard);
}

void Transcript::bot_edit(std::string_view message_text, std::string_view change,
                          const nlohmann::json& keyboard) {
  block("🤖 ", fmt::format("✏️ edits «{}»: {}", first_line(message_text), change));
  buttons(keyboard);
}

void Transcript::bot_toast(std::string_view text) {
  block("🤖 ", fmt::format("💬 (a notice over the chat) {}", text));
}

void Transcript::bot_video(int width, int height, double seconds, std::string_view path,
                           std::string_view caption, const nlohmann::json& keyboard) {
  block("🤖 ", fmt::format("🎬 video {}×{}, {:.1f} s → {}", width, height, seconds, path));
  if (!caption.empty()) block(kIndent, caption);
  buttons(keyboard);
}

void Transcript::note(std::string_view text) {
  block("⏳ ", text);
}

}  // namespace nc::app::demo
