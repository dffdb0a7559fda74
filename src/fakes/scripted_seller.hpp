// A seller talking to the bot through the fake Bot API: sends messages and photos, presses the
// buttons the bot actually sent, and reads the bot's replies in their chat. The tests drive it
// step by step; `neurocards demo` walks the whole order with it.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_bot_api.hpp"

namespace nc::fakes {

class ScriptedSeller {
 public:
  // `from` adds to the Telegram User the updates carry (first_name, username, language_code);
  // by default the seller's Telegram speaks Russian.
  ScriptedSeller(FakeBotApi& fake, std::int64_t user_id,
                 nlohmann::json from = {{"language_code", "ru"}});

  // The moves; each queues one update for the bot (getUpdates or the webhook).
  void say(const std::string& text);
  // Returns the callback query id, which the bot must answer.
  std::string press(const std::string& data, std::int64_t message_id);
  void send_photo(const std::string& file_id, int width, int height);

  // The n-th sendMessage to this seller (from 1), waited for; "" when it did not come in time.
  std::string reply(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  nlohmann::json keyboard(std::size_t n);
  std::string button(std::size_t n, int row, int column = 0);
  std::int64_t message_id(std::size_t n);
  std::size_t reply_count() const;
  // Every call the bot made in this seller's chat, and its answers to button presses, in the
  // order they were answered.
  std::vector<RecordedCall> calls() const;
  // The seller's Telegram speaks Russian.
  static nlohmann::json russian(nlohmann::json update);

  // Buys the pack of `credits` from /topup and pays its invoice; returns the payment as
  // Telegram ended it (nullopt: no invoice came).
  std::optional<FakePayment> buy(std::int64_t credits);
  // Pays the latest invoice the bot sent this seller, waiting for it to arrive.
  std::optional<FakePayment> pay_latest_invoice();

  // /start → photo → product text → the first format → no wishes → `count` videos → confirm.
  // Returns the bot's answer to the confirmation.
  std::string order(const std::string& photo_file_id, const std::string& product, int count);

 private:
  std::vector<RecordedCall> messages() const;
  nlohmann::json from_me(nlohmann::json update) const;

  FakeBotApi& fake_;
  std::int64_t user_id_;
  nlohmann::json from_;
};

}  // namespace nc::fakes
