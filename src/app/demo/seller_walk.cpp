#include "app/demo/seller_walk.hpp"

#include <fmt/format.h>

#include <thread>

#include "bot/texts.hpp"
#include "media/probe.hpp"

namespace nc::app::demo {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPoll{20};
constexpr std::chrono::milliseconds kQuiet{
    200};  // no new call this long: the move's replies are out
constexpr std::chrono::seconds kSettleLimit{5};

std::string waited_for(std::chrono::seconds waited) {
  if (waited.count() >= 120 && waited.count() % 60 == 0) {
    return fmt::format("{} min", waited.count() / 60);
  }
  return fmt::format("{} s", waited.count());
}

// A parameter as sent: JSON bodies carry objects, multipart forms carry them as strings.
json structured(const json& params, const char* name) {
  if (!params.contains(name)) return nullptr;
  const auto& value = params[name];
  return value.is_string() ? json::parse(value.get<std::string>(), nullptr, false) : value;
}

bool has_buttons(const json& keyboard) {
  return keyboard.is_object() && keyboard.contains("inline_keyboard") &&
         keyboard["inline_keyboard"].is_array() && !keyboard["inline_keyboard"].empty();
}

// The button labelled `label` that sends callback data, in a message's inline keyboard.
const json* find_button(const json& keyboard, std::string_view label) {
  if (!has_buttons(keyboard)) return nullptr;
  for (const auto& row : keyboard["inline_keyboard"]) {
    for (const auto& button : row) {
      if (button.value("text", "") == label && button.contains("callback_data")) return &button;
    }
  }
  return nullptr;
}

}  // namespace

SellerWalk::SellerWalk(fakes::ScriptedSeller& seller, const core::TemplateCatalog& catalog,
                       Transcript& transcript, WalkScript script, const std::atomic<bool>& stopping)
    : seller_(seller),
      catalog_(catalog),
      transcript_(transcript),
      script_(std::move(script)),
      stopping_(stopping) {}

std::vector<Video> SellerWalk::run() {
  const auto& texts = bot::texts(bot::language_of(script_.language));
  const auto* format = catalog_.find(script_.format_id);
  if (!format) {
    throw DemoFailure(fmt::format("The video format '{}' the demo picks is not in the catalog.",
                                  script_.format_id));
  }
  const auto format_title = format->title(script_.language);
  const auto count_label = std::to_string(script_.count);
  const auto launched = bot::format(texts.launched, fmt::arg("count", script_.count));

  type("/start");
  if (script_.pack_credits > 0) buy_pack(texts);
  press(expect_button(texts.button_make_reels, "the main menu"));
  expect_text(texts.ask_photo, "the request for a product photo");
  send_photo();
  expect_text(texts.ask_product, "the request to describe the product");
  type(script_.product);
  press(expect_button(format_title, "the list of video formats"));
  press(expect_button(texts.button_skip, "the question about wishes"));
  press(expect_button(count_label, "the choice of how many videos"));
  press(expect_button(texts.button_launch, "the order summary"));
  const auto confirmation =
      expect_text(launched, "the confirmation that the videos are being made");
  transcript_.note(fmt::format(
      "The worker renders {} videos on this machine with ffmpeg; this takes a little while…",
      script_.count));
  return expect_videos(confirmation);
}

void SellerWalk::buy_pack(const bot::Texts& texts) {
  const auto credits = fmt::arg("credits", script_.pack_credits);
  press(expect_button(texts.button_top_up, "the main menu"));
  press(
      expect_button(bot::format(texts.button_pack, credits, fmt::arg("stars", script_.pack_stars)),
                    "the list of credit packs"));
  expect_message([](const Message& message) { return message.invoice; }, "an invoice");
  pay_invoice();
  expect_text(bot::format(texts.receipt, credits, fmt::arg("stars", script_.pack_stars),
                          fmt::arg("balance", script_.pack_credits)),
              "the receipt for the pack");
}

void SellerWalk::pay_invoice() {
  moved(fmt::format("paid {} ⭐", script_.pack_stars));
  transcript_.note(
      fmt::format("The seller pays {} ⭐ in Telegram; Telegram asks the bot to "
                  "confirm the order (pre-checkout), then takes the Stars…",
                  script_.pack_stars));
  const auto payment = seller_.pay_latest_invoice();
  if (!payment || payment->state != fakes::FakePaymentState::kPaid) {
    throw DemoFailure(fmt::format("Telegram did not take the payment: {}",
                                  !payment ? "no invoice arrived"
                                  : payment->state == fakes::FakePaymentState::kDeclined
                                      ? "the bot declined it («" + payment->error_message + "»)"
                                      : "the bot did not confirm it in time"));
  }
}

void SellerWalk::moved(std::string move) {
  look();  // whatever came before the move is not an answer to it
  since_ = messages_.size();
  last_move_ = std::move(move);
}

void SellerWalk::type(const std::string& text) {
  moved(text.starts_with("/") ? fmt::format("sent {}", text) : fmt::format("typed «{}»", text));
  transcript_.user_text(text);
  seller_.say(text);
}

void SellerWalk::send_photo() {
  moved(fmt::format("sent the photo {}", script_.photo_name));
  transcript_.user_photo(script_.photo_name);
  seller_.send_photo(script_.photo_file_id, script_.photo_width, script_.photo_height);
}

void SellerWalk::press(const Button& button) {
  moved(fmt::format("pressed «{}»", button.label));
  transcript_.user_press(button.label);
  unanswered_[seller_.press(button.data, button.message_id)] = button.label;
}

void SellerWalk::look() {
  if (stopping_) throw DemoFailure("Interrupted.");
  const auto calls = seller_.calls();
  for (; seen_ < calls.size(); ++seen_)
    show(calls[seen_]);
}

void SellerWalk::show(const fakes::RecordedCall& call) {
  if (call.status != 200) {
    const auto description =
        call.response.is_object() ? call.response.value("description", "") : "no answer";
    throw DemoFailure(fmt::format("After the seller {}, Telegram refused {}: {}", last_move_,
                                  call.method, description));
  }
  const auto& params = call.params;
  const auto& result = call.response["result"];
  const auto keyboard = structured(params, "reply_markup");
  if (call.method == "sendMessage") {
    messages_.push_back(Message{.message_id = result.value("message_id", std::int64_t{0}),
                                .text = params.value("text", ""),
                                .keyboard = keyboard});
    transcript_.bot_message(messages_.back().text, keyboard);
  } else if (call.method == "sendVideo") {
    Video video{.path = call.files.empty() ? "" : call.files.front().saved_path};
    if (const auto info = media::probe_video(video.path)) {
      video.width = info->width;
      video.height = info->height;
      video.duration_s = info->duration_s;
    }
    messages_.push_back(Message{.message_id = result.value("message_id", std::int64_t{0}),
                                .text = params.value("caption", ""),
                                .keyboard = keyboard,
                                .video = video});
    transcript_.bot_video(video.width, video.height, video.duration_s, video.path,
                          messages_.back().text, keyboard);
  } else if (call.method == "editMessageReplyMarkup" || call.method == "editMessageText") {
    const auto id = params.value("message_id", std::int64_t{0});
    for (auto& message : messages_) {
      if (message.message_id != id) continue;
      const auto old_text = message.text;
      std::string change;
      if (call.method == "editMessageText") {
        message.text = params.value("text", "");
        change = fmt::format("now reads «{}»; ", message.text);
      }
      change += has_buttons(keyboard) ? "new buttons" : "removes its buttons";
      message.keyboard = keyboard;
      transcript_.bot_edit(old_text, change, keyboard);
    }
  } else if (call.method == "sendInvoice") {
    const auto prices = structured(params, "prices");
    const auto amount = prices.is_array() && !prices.empty() ? prices[0].value("amount", 0) : 0;
    messages_.push_back(Message{.message_id = result.value("message_id", std::int64_t{0}),
                                .text = params.value("title", ""),
                                .invoice = true});
    transcript_.bot_message(fmt::format("🧾 {} — {} ⭐ [Pay]", messages_.back().text, amount),
                            nullptr);
  } else if (call.method == "answerCallbackQuery") {
    unanswered_.erase(params.value("callback_query_id", ""));
    const auto toast = params.value("text", "");
    if (!toast.empty()) transcript_.bot_toast(toast);
  }
}

std::size_t SellerWalk::expect_message(const std::function<bool(const Message&)>& matches,
                                       const std::string& wanted) {
  const auto deadline = Clock::now() + script_.reply_timeout;
  while (Clock::now() < deadline) {
    look();
    for (auto i = since_; i < messages_.size(); ++i) {
      if (!matches(messages_[i])) continue;
      settle();
      return i;
    }
    pause();
  }
  fail(wanted, script_.reply_timeout);
}

SellerWalk::Button SellerWalk::expect_button(std::string_view label, std::string_view what) {
  const auto index = expect_message(
      [label](const Message& message) { return find_button(message.keyboard, label) != nullptr; },
      fmt::format("{} with a «{}» button", what, label));
  const auto& message = messages_[index];
  return Button{.label = std::string(label),
                .data = (*find_button(message.keyboard, label))["callback_data"],
                .message_id = message.message_id};
}

std::size_t SellerWalk::expect_text(std::string_view text, std::string_view what) {
  return expect_message([text](const Message& message) { return message.text == text; },
                        fmt::format("{} («{}»)", what, first_line(text)));
}

std::vector<Video> SellerWalk::expect_videos(std::size_t after) {
  // Everything after the confirmation must be a video: anything else (a failure notice) ends
  // the demo at once instead of after the timeout.
  const auto deadline = Clock::now() + script_.videos_timeout;
  std::vector<Video> videos;
  while (Clock::now() < deadline) {
    look();
    videos.clear();
    for (auto i = after + 1; i < messages_.size(); ++i) {
      if (!messages_[i].video) {
        throw DemoFailure(fmt::format("Instead of video {} of {}, the bot said: «{}»",
                                      videos.size() + 1, script_.count, messages_[i].text));
      }
      videos.push_back(*messages_[i].video);
    }
    if (static_cast<int>(videos.size()) >= script_.count) {
      settle();
      return videos;
    }
    pause();
  }
  throw DemoFailure(fmt::format("Only {} of the {} videos arrived within {}.", videos.size(),
                                script_.count, waited_for(script_.videos_timeout)));
}

void SellerWalk::settle() {
  const auto limit = Clock::now() + kSettleLimit;
  auto quiet_since = Clock::now();
  while (Clock::now() < limit) {
    const auto before = seen_;
    look();
    if (seen_ != before) quiet_since = Clock::now();
    if (unanswered_.empty() && Clock::now() - quiet_since >= kQuiet) break;
    pause();
  }
  if (!unanswered_.empty()) {
    throw DemoFailure(
        fmt::format("The bot never answered the press on «{}» (the seller would see a spinner).",
                    unanswered_.begin()->second));
  }
}

void SellerWalk::pause() {
  std::this_thread::sleep_for(kPoll);
}

void SellerWalk::fail(std::string_view what, std::chrono::seconds waited) const {
  std::string said;
  for (auto i = since_; i < messages_.size(); ++i) {
    said += fmt::format("{}«{}»", said.empty() ? "" : ", ", first_line(messages_[i].text));
  }
  throw DemoFailure(fmt::format("After the seller {}, the bot did not send {} within {}; {}.",
                                last_move_, what, waited_for(waited),
                                said.empty() ? "it sent nothing" : "it sent " + said));
}

}  // namespace nc::app::demo
