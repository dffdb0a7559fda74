// The demo's seller walk: from /start through a pack bought with Telegram Stars to a delivered
// batch of videos through the fake Telegram,
// pressing the buttons the bot actually sent (found by the labels the bot's own texts give
// them) and printing the chat as it happens, so the demo stops with a clear sentence as soon
// as the flow stops matching it. Runs on a thread of its own while the bot and the worker run.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo/transcript.hpp"
#include "bot/texts.hpp"
#include "core/templates.hpp"
#include "fakes/scripted_seller.hpp"

namespace nc::app::demo {

struct WalkScript {
  std::string language = "ru";
  std::string photo_file_id;  // registered with the fake Telegram
  std::string photo_name;     // as the transcript shows it
  int photo_width = 0;
  int photo_height = 0;
  std::string product;  // typed when the bot asks what the product is
  std::string format_id = "studio_360";
  int count = 3;
  // The pack bought with Stars before ordering; 0: the seller orders with what they have.
  std::int64_t pack_credits = 0;
  std::int64_t pack_stars = 0;
  std::chrono::seconds reply_timeout{30};
  std::chrono::seconds videos_timeout{300};
};

// A delivered video, as the seller's Telegram keeps it.
struct Video {
  std::string path;
  int width = 0;
  int height = 0;
  double duration_s = 0;
};

// A step that did not happen: the message says which and what the bot did instead.
class DemoFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SellerWalk {
 public:
  // `stopping` set: the walk ends at its next look at the chat (DemoFailure "Interrupted.").
  SellerWalk(fakes::ScriptedSeller& seller, const core::TemplateCatalog& catalog,
             Transcript& transcript, WalkScript script, const std::atomic<bool>& stopping);

  // Returns the delivered videos; throws DemoFailure.
  std::vector<Video> run();

 private:
  struct Button {
    std::string label;
    std::string data;
    std::int64_t message_id = 0;
  };
  // One message the bot sent in the chat.
  struct Message {
    std::int64_t message_id = 0;
    std::string text;  // or a video's caption
    nlohmann::json keyboard;
    std::optional<Video> video;
    bool invoice = false;
  };

  // The seller's moves.
  void type(const std::string& text);
  void send_photo();
  void press(const Button& button);
  // Pays the invoice the bot just sent, as Telegram does (pre-checkout, then the payment).
  void pay_invoice();
  void buy_pack(const bot::Texts& texts);
  void moved(std::string move);

  // What the seller waits for, among the bot's messages since the last move.
  Button expect_button(std::string_view label, std::string_view what);
  // Returns the message's place in messages_.
  std::size_t expect_text(std::string_view text, std::string_view what);
  std::size_t expect_message(const std::function<bool(const Message&)>& matches,
                             const std::string& wanted);
  // The videos among the messages after `after`, every one of them a video.
  std::vector<Video> expect_videos(std::size_t after);

  // Reads what the bot did since the last look: prints it, keeps its messages, and fails on a
  // call Telegram refused.
  void look();
  void show(const fakes::RecordedCall& call);
  // Until every press is answered and the chat is quiet, so the transcript reads in order.
  void settle();
  void pause();
  [[noreturn]] void fail(std::string_view what, std::chrono::seconds waited) const;

  fakes::ScriptedSeller& seller_;
  const core::TemplateCatalog& catalog_;
  Transcript& transcript_;
  WalkScript script_;
  const std::atomic<bool>& stopping_;
  std::size_t seen_ = 0;           // calls already looked at
  std::vector<Message> messages_;  // the bot's messages in the order sent
  std::size_t since_ = 0;          // messages before the last move
  std::string last_move_;          // "pressed «…»": for the sentence when a step fails
  std::map<std::string, std::string> unanswered_;  // callback query id → the button's label
};

}  // namespace nc::app::demo
