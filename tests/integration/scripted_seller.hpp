// A seller talking to the bot through the fake Bot API: sends messages and photos, presses the
// buttons the bot actually sent, and reads the bot's replies in their chat.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fakes/fake_bot_api.hpp"

namespace nc::testing {

class ScriptedSeller {
 public:
  ScriptedSeller(fakes::FakeBotApi& fake, std::int64_t user_id) : fake_(fake), user_id_(user_id) {}

  void say(const std::string& text);
  void press(const std::string& data, std::int64_t message_id);
  void send_photo(const std::string& file_id, int width, int height);

  // The n-th sendMessage to this seller (from 1), waited for; "" when it did not come in time.
  std::string reply(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  nlohmann::json keyboard(std::size_t n);
  std::string button(std::size_t n, int row, int column = 0);
  std::int64_t message_id(std::size_t n);
  std::size_t reply_count() const;
  // The seller's Telegram speaks Russian.
  static nlohmann::json russian(nlohmann::json update);

  // /start → photo → product text → the first format → no wishes → `count` videos → confirm.
  // Returns the bot's answer to the confirmation.
  std::string order(const std::string& photo_file_id, const std::string& product, int count);

 private:
  std::vector<fakes::RecordedCall> messages() const;

  fakes::FakeBotApi& fake_;
  std::int64_t user_id_;
};

}  // namespace nc::testing
