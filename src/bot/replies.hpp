// The Bot API calls a handler decides on. They are written to the outbox in the handling
// transaction and sent after it commits.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/outbox.hpp"

namespace nc::bot {

using Keyboard = nlohmann::json;  // an InlineKeyboardMarkup object

class Replies {
 public:
  explicit Replies(std::int64_t chat_id) : chat_id_(chat_id) {}

  void send_text(const std::string& text, const Keyboard& keyboard = nullptr);
  // Every button press is answered (the client shows a spinner until then); `toast` may be
  // empty.
  void answer_callback(const std::string& callback_id, const std::string& toast = "");
  // Removes the buttons under an earlier message so old choices cannot be pressed again.
  void remove_keyboard(std::int64_t message_id);
  // Sends an earlier message of this chat again (a delivered video from /history).
  void copy_message(std::int64_t message_id, const Keyboard& keyboard);

  // An invoice in Telegram Stars (XTR): one price, no provider token (contract section 5.2).
  void send_invoice(const std::string& title, const std::string& description,
                    const std::string& payload, const std::string& label, std::int64_t stars);

  const std::vector<store::OutgoingCall>& calls() const { return calls_; }

 private:
  void add(const char* method, nlohmann::json payload, int priority = 0);

  std::int64_t chat_id_;
  std::vector<store::OutgoingCall> calls_;
};

}  // namespace nc::bot
