#include "app/demo/scripted_seller.hpp"

#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "bot/texts.hpp"
#include "core/utf16.hpp"
#include "telegram/json.hpp"

namespace nc::app::demo {
namespace {

namespace asio = boost::asio;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPoll{20};
constexpr std::chrono::seconds kSettleLimit{5};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string waited_for(std::chrono::seconds waited) {
  if (waited.count() >= 120 && waited.count() % 60 == 0) {
    return fmt::format("{} min", waited.count() / 60);
  }
  return fmt::format("{} s", waited.count());
}

}  // namespace

ScriptedSeller::ScriptedSeller(DemoTelegram& telegram, telegram::UpdateSink& bot,
                               const telegram::OutboxSender& sender,
                               const core::TemplateCatalog& catalog, Transcript& transcript,
                               SellerScript script)
    : telegram_(telegram),
      bot_(bot),
      sender_(sender),
      catalog_(catalog),
      transcript_(transcript),
      script_(std::move(script)) {}

asio::awaitable<std::vector<BotMessage>> ScriptedSeller::run() {
  const auto language = script_.user.value("language_code", "ru");
  const auto& texts = bot::texts(bot::language_of(language));
  const auto* format = catalog_.find(script_.format_id);
  if (!format) {
    throw DemoFailure(fmt::format("The video format '{}' the demo picks is not in the catalog.",
                                  script_.format_id));
  }
  const auto format_title = format->title(language);
  const auto count_label = std::to_string(script_.count);
  const auto launched = bot::format(texts.launched, fmt::arg("count", script_.count));

  co_await type("/start");
  const auto reels = co_await expect_button(texts.button_make_reels, "the main menu");
  co_await press(reels);
  co_await expect_text(texts.ask_photo, "the request for a product photo");
  co_await send_photo();
  co_await expect_text(texts.ask_product, "the request to describe the product");
  co_await type(script_.product);
  const auto chosen = co_await expect_button(format_title, "the list of video formats");
  co_await press(chosen);
  const auto skip = co_await expect_button(texts.button_skip, "the question about wishes");
  co_await press(skip);
  const auto count = co_await expect_button(count_label, "the choice of how many videos");
  co_await press(count);
  const auto launch = co_await expect_button(texts.button_launch, "the order summary");
  co_await press(launch);
  const auto confirmation =
      co_await expect_text(launched, "the confirmation that the videos are being made");
  transcript_.note(fmt::format(
      "The worker renders {} videos on this machine with ffmpeg; this takes a little while…",
      script_.count));
  auto videos = co_await expect_videos(confirmation);
  co_return videos;
}

json ScriptedSeller::message_from_seller() {
  return json{{"message_id", telegram_.next_message_id()},
              {"from", script_.user},
              {"chat",
               {{"id", script_.user_id},
                {"type", "private"},
                {"first_name", script_.user.value("first_name", "")}}},
              {"date", unix_now()}};
}

asio::awaitable<void> ScriptedSeller::type(std::string_view text) {
  auto message = message_from_seller();
  message["text"] = text;
  if (text.starts_with("/")) {
    const auto command = text.substr(0, text.find(' '));
    message["entities"] = json::array(
        {{{"type", "bot_command"}, {"offset", 0}, {"length", core::utf16_length(command)}}});
  }
  transcript_.user_text(text);
  last_move_ =
      text.starts_with("/") ? fmt::format("sent {}", text) : fmt::format("typed «{}»", text);
  const json update{{"update_id", ++update_id_}, {"message", message}};
  co_await deliver(update);
}

asio::awaitable<void> ScriptedSeller::send_photo() {
  const std::string file_id = "demo-product-photo";
  telegram_.add_file(file_id, script_.photo_path);
  auto message = message_from_seller();
  message["photo"] = json::array({{{"file_id", file_id},
                                   {"file_unique_id", "demo-photo-1"},
                                   {"width", script_.photo_width},
                                   {"height", script_.photo_height},
                                   {"file_size", std::filesystem::file_size(script_.photo_path)}}});
  const auto name = std::filesystem::path(script_.photo_path).filename().string();
  transcript_.user_photo(name);
  last_move_ = fmt::format("sent the photo {}", name);
  const json update{{"update_id", ++update_id_}, {"message", message}};
  co_await deliver(update);
}

asio::awaitable<void> ScriptedSeller::press(const Button& button) {
  const auto* message = [&]() -> const BotMessage* {
    for (const auto& sent : telegram_.messages()) {
      if (sent.message_id == button.message_id) return &sent;
    }
    return nullptr;
  }();
  if (!message) {
    throw DemoFailure(fmt::format("The message with the «{}» button is gone.", button.label));
  }
  const auto query_id = fmt::format("demo-query-{}", update_id_ + 1);
  telegram_.expect_answer(query_id);
  pressed_[query_id] = button.label;
  const json query{{"id", query_id},
                   {"from", script_.user},
                   {"message", telegram_.message_json(*message)},
                   {"chat_instance", "demo-chat"},
                   {"data", button.data}};
  transcript_.user_press(button.label);
  last_move_ = fmt::format("pressed «{}»", button.label);
  const json update{{"update_id", ++update_id_}, {"callback_query", query}};
  co_await deliver(update);
}

asio::awaitable<void> ScriptedSeller::deliver(const json& update) {
  since_ = telegram_.messages().size();
  auto parsed = telegram::parse_update(update.dump());
  if (!parsed.ok()) {
    throw DemoFailure("The demo built an update the bot cannot read (" + parsed.error().message +
                      "): the demo and telegram/json disagree.");
  }
  co_await bot_.deliver(std::move(parsed.value()));
}

asio::awaitable<std::size_t> ScriptedSeller::expect_message(
    const std::function<bool(const BotMessage&)>& matches, const std::string& wanted) {
  const auto deadline = Clock::now() + script_.reply_timeout;
  while (Clock::now() < deadline) {
    check_refusals();
    const auto& messages = telegram_.messages();
    for (auto i = since_; i < messages.size(); ++i) {
      if (!matches(messages[i])) continue;
      co_await settle();
      co_return i;
    }
    co_await pause();
  }
  fail(wanted, script_.reply_timeout);
}

namespace {

// The button labelled `label` that sends callback data, in a message's inline keyboard.
const json* find_button(const BotMessage& message, std::string_view label) {
  const auto& keyboard = message.keyboard;
  if (!keyboard.is_object() || !keyboard.contains("inline_keyboard")) return nullptr;
  for (const auto& row : keyboard["inline_keyboard"]) {
    for (const auto& button : row) {
      if (button.value("text", "") == label && button.contains("callback_data")) return &button;
    }
  }
  return nullptr;
}

}  // namespace

asio::awaitable<ScriptedSeller::Button> ScriptedSeller::expect_button(std::string_view label,
                                                                      std::string_view what) {
  // Named, not temporaries in the co_await: g++ 12 destroys those twice.
  const std::function<bool(const BotMessage&)> has_button = [label](const BotMessage& message) {
    return find_button(message, label) != nullptr;
  };
  const std::string wanted = fmt::format("{} with a «{}» button", what, label);
  const auto index = co_await expect_message(has_button, wanted);
  const auto& message = telegram_.messages()[index];
  co_return Button{.label = std::string(label),
                   .data = (*find_button(message, label))["callback_data"],
                   .message_id = message.message_id};
}

asio::awaitable<std::size_t> ScriptedSeller::expect_text(std::string_view text,
                                                         std::string_view what) {
  const std::function<bool(const BotMessage&)> has_text = [text](const BotMessage& message) {
    return message.text == text;
  };
  const std::string wanted = fmt::format("{} («{}»)", what, first_line(text));
  const auto index = co_await expect_message(has_text, wanted);
  co_return index;
}

asio::awaitable<std::vector<BotMessage>> ScriptedSeller::expect_videos(std::size_t after) {
  // Everything after the confirmation must be a video: anything else (a failure notice) ends
  // the demo at once instead of after the timeout.
  const auto deadline = Clock::now() + script_.videos_timeout;
  std::vector<BotMessage> videos;
  while (Clock::now() < deadline) {
    check_refusals();
    const auto& messages = telegram_.messages();
    videos.clear();
    for (auto i = after + 1; i < messages.size(); ++i) {
      if (messages[i].video_path.empty()) {
        throw DemoFailure(fmt::format("Instead of video {} of {}, the bot said: «{}»",
                                      videos.size() + 1, script_.count, messages[i].text));
      }
      videos.push_back(messages[i]);
    }
    if (static_cast<int>(videos.size()) >= script_.count) {
      co_await settle();
      co_return videos;
    }
    co_await pause();
  }
  throw DemoFailure(fmt::format("Only {} of the {} videos arrived within {}.", videos.size(),
                                script_.count, waited_for(script_.videos_timeout)));
}

asio::awaitable<void> ScriptedSeller::settle() {
  const auto limit = Clock::now() + kSettleLimit;
  while (Clock::now() < limit && (sender_.queued() > 0 || !telegram_.unanswered().empty())) {
    co_await pause();
  }
  const auto unanswered = telegram_.unanswered();
  if (!unanswered.empty()) {
    throw DemoFailure(
        fmt::format("The bot never answered the press on «{}» (the seller would "
                    "see a spinner).",
                    pressed_[unanswered.front()]));
  }
  check_refusals();
}

asio::awaitable<void> ScriptedSeller::pause() {
  asio::steady_timer timer(co_await asio::this_coro::executor, kPoll);
  co_await timer.async_wait(asio::use_awaitable);
}

void ScriptedSeller::check_refusals() const {
  if (!telegram_.refusals().empty()) {
    throw DemoFailure(
        fmt::format("After the seller {}, {}.", last_move_, telegram_.refusals().front()));
  }
}

void ScriptedSeller::fail(std::string_view what, std::chrono::seconds waited) const {
  std::string said;
  const auto& messages = telegram_.messages();
  for (auto i = since_; i < messages.size(); ++i) {
    said += fmt::format("{}«{}»", said.empty() ? "" : ", ", first_line(messages[i].text));
  }
  throw DemoFailure(fmt::format(
      "After the seller {}, the bot did not send {} within {}; "
      "{}.",
      last_move_, what, waited_for(waited), said.empty() ? "it sent nothing" : "it sent " + said));
}

}  // namespace nc::app::demo
