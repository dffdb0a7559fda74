// The demo's seller: walks the real conversation from /start to a delivered batch of videos,
// pressing the buttons the bot actually sent (found by the labels the bot's own texts give
// them), so the demo stops with a clear sentence as soon as the flow stops matching it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo/demo_telegram.hpp"
#include "app/demo/transcript.hpp"
#include "core/templates.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/update_sink.hpp"

namespace nc::app::demo {

struct SellerScript {
  std::int64_t user_id = 0;
  nlohmann::json user;  // the Telegram User object: first_name, username, language_code
  std::string photo_path;
  int photo_width = 0;
  int photo_height = 0;
  std::string product;  // typed when the bot asks what the product is
  std::string format_id = "studio_360";
  int count = 3;
  std::chrono::seconds reply_timeout{30};
  std::chrono::seconds videos_timeout{300};
};

// A step that did not happen: the message says which and what the bot did instead.
class DemoFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ScriptedSeller {
 public:
  ScriptedSeller(DemoTelegram& telegram, telegram::UpdateSink& bot,
                 const telegram::OutboxSender& sender, const core::TemplateCatalog& catalog,
                 Transcript& transcript, SellerScript script);

  // Returns the delivered videos; throws DemoFailure.
  boost::asio::awaitable<std::vector<BotMessage>> run();

 private:
  struct Button {
    std::string label;
    std::string data;
    std::int64_t message_id = 0;
  };

  // The seller's moves.
  boost::asio::awaitable<void> type(std::string_view text);
  boost::asio::awaitable<void> send_photo();
  boost::asio::awaitable<void> press(const Button& button);
  boost::asio::awaitable<void> deliver(const nlohmann::json& update);
  nlohmann::json message_from_seller();

  // What the seller waits for, among the bot's messages since the last move.
  boost::asio::awaitable<Button> expect_button(std::string_view label, std::string_view what);
  // Returns the message's place in DemoTelegram::messages().
  boost::asio::awaitable<std::size_t> expect_text(std::string_view text, std::string_view what);
  // The first message since the last move that `matches`, once the move's replies are out;
  // fails with `wanted` when none comes within the reply timeout.
  boost::asio::awaitable<std::size_t> expect_message(
      const std::function<bool(const BotMessage&)>& matches, const std::string& wanted);
  // The videos among the messages after `after`, every one of them a video.
  boost::asio::awaitable<std::vector<BotMessage>> expect_videos(std::size_t after);
  // Until every reply of the last move is out, so the transcript reads in order.
  boost::asio::awaitable<void> settle();
  boost::asio::awaitable<void> pause();

  void check_refusals() const;
  [[noreturn]] void fail(std::string_view what, std::chrono::seconds waited) const;

  DemoTelegram& telegram_;
  telegram::UpdateSink& bot_;
  const telegram::OutboxSender& sender_;
  const core::TemplateCatalog& catalog_;
  Transcript& transcript_;
  SellerScript script_;
  std::int64_t update_id_ = 500000000;
  std::size_t since_ = 0;  // the bot's messages before the last move
  std::string last_move_;  // "pressed «…»": for the sentence when a step fails
  std::map<std::string, std::string> pressed_;  // callback query id → the button's label
};

}  // namespace nc::app::demo
