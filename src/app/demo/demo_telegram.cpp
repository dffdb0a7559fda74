#include "app/demo/demo_telegram.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "core/utf16.hpp"
#include "media/probe.hpp"

namespace nc::app::demo {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using nlohmann::json;
using telegram::ApiError;
using telegram::ApiResult;

constexpr std::size_t kMaxTextUnits = 4096;
constexpr std::size_t kMaxCaptionUnits = 1024;
constexpr std::size_t kMaxCallbackDataBytes = 64;

const json kBotUser = {{"id", 7000000001LL},
                       {"is_bot", true},
                       {"first_name", "NeuroCards"},
                       {"username", "neurocards_demo_bot"}};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ApiResult success(json result) {
  ApiResult answer;
  answer.result = std::move(result);
  return answer;
}

bool has_buttons(const json& keyboard) {
  return keyboard.is_object() && keyboard.contains("inline_keyboard") &&
         keyboard["inline_keyboard"].is_array() && !keyboard["inline_keyboard"].empty();
}

// What Telegram answers for an inline keyboard it will not take; empty when it takes it.
std::string keyboard_problem(const json& keyboard) {
  if (keyboard.is_null()) return "";
  if (!keyboard.is_object() || !keyboard.contains("inline_keyboard") ||
      !keyboard["inline_keyboard"].is_array()) {
    return "can't parse reply keyboard markup JSON object";
  }
  for (const auto& row : keyboard["inline_keyboard"]) {
    if (!row.is_array()) return "can't parse inline keyboard row";
    for (const auto& button : row) {
      if (!button.is_object() || !button.contains("text") || !button["text"].is_string() ||
          button["text"].get<std::string>().empty()) {
        return "can't parse inline keyboard button: text is empty";
      }
      const bool has_data = button.contains("callback_data");
      if (has_data == button.contains("url")) {
        return "can't parse inline keyboard button: exactly one action is expected";
      }
      if (has_data) {
        const auto& data = button["callback_data"];
        if (!data.is_string() || data.get<std::string>().empty() ||
            data.get<std::string>().size() > kMaxCallbackDataBytes) {
          return "BUTTON_DATA_INVALID";
        }
      }
    }
  }
  return "";
}

}  // namespace

DemoTelegram::DemoTelegram(net::BlockingPool& pool, Transcript& transcript, std::int64_t chat_id,
                           json chat_user, std::string video_dir)
    : pool_(pool),
      transcript_(transcript),
      chat_id_(chat_id),
      chat_user_(std::move(chat_user)),
      video_dir_(std::move(video_dir)) {}

void DemoTelegram::add_file(std::string file_id, std::string path) {
  files_[std::move(file_id)] = std::move(path);
}

void DemoTelegram::expect_answer(const std::string& callback_query_id) {
  callbacks_open_.insert(callback_query_id);
}

std::vector<std::string> DemoTelegram::unanswered() const {
  return {callbacks_open_.begin(), callbacks_open_.end()};
}

json DemoTelegram::message_json(const BotMessage& message) const {
  json value{
      {"message_id", message.message_id},
      {"from", kBotUser},
      {"chat",
       {{"id", chat_id_}, {"type", "private"}, {"first_name", chat_user_.value("first_name", "")}}},
      {"date", unix_now()}};
  if (message.video_path.empty()) {
    value["text"] = message.text;
  } else {
    value["video"] = {{"file_id", fmt::format("demo-video-{}", message.message_id)},
                      {"file_unique_id", fmt::format("v{}", message.message_id)},
                      {"width", message.width},
                      {"height", message.height},
                      {"duration", static_cast<int>(message.duration_s + 0.5)},
                      {"mime_type", "video/mp4"}};
    if (!message.text.empty()) value["caption"] = message.text;
  }
  if (has_buttons(message.keyboard)) value["reply_markup"] = message.keyboard;
  return value;
}

ApiResult DemoTelegram::refuse(const std::string& method, int code, std::string description) {
  ApiResult result;
  result.error = code == 404 ? ApiError::kNotFound : ApiError::kBadRequest;
  result.error_code = code;
  result.description = std::move(description);
  refusals_.push_back(fmt::format("Telegram refused {}: {}", method, result.description));
  return result;
}

bool DemoTelegram::wrong_chat(const json& params, const std::string& method, ApiResult& refused) {
  const auto& chat = params.contains("chat_id") ? params["chat_id"] : json();
  const bool ours = (chat.is_number_integer() && chat.get<std::int64_t>() == chat_id_) ||
                    (chat.is_string() && chat.get<std::string>() == std::to_string(chat_id_));
  if (!ours) refused = refuse(method, 400, "Bad Request: chat not found");
  return !ours;
}

BotMessage* DemoTelegram::find(const json& params, const char* id_field) {
  if (!params.contains(id_field) || !params[id_field].is_number_integer()) return nullptr;
  const auto id = params[id_field].get<std::int64_t>();
  for (auto& message : messages_) {
    if (message.message_id == id) return &message;
  }
  return nullptr;
}

asio::awaitable<ApiResult> DemoTelegram::call(std::string method, json params) {
  if (method == "sendMessage") co_return send_message(params);
  if (method == "editMessageReplyMarkup" || method == "editMessageText") {
    co_return edit_message(method, params);
  }
  if (method == "answerCallbackQuery") co_return answer_callback(params);
  if (method == "copyMessage") co_return copy_message(params);
  if (method == "sendChatAction") co_return success(true);
  if (method == "getMe") co_return success(kBotUser);
  co_return refuse(method, 404, "Not Found: the demo's Telegram does not know this method");
}

ApiResult DemoTelegram::send_message(const json& params) {
  ApiResult refused;
  if (wrong_chat(params, "sendMessage", refused)) return refused;
  const auto text = params.value("text", "");
  if (text.empty()) return refuse("sendMessage", 400, "Bad Request: message text is empty");
  if (core::utf16_length(text) > kMaxTextUnits) {
    return refuse("sendMessage", 400, "Bad Request: message is too long");
  }
  const auto keyboard = params.contains("reply_markup") ? params["reply_markup"] : json();
  if (const auto problem = keyboard_problem(keyboard); !problem.empty()) {
    return refuse("sendMessage", 400, "Bad Request: " + problem);
  }
  BotMessage message{.message_id = next_message_id(), .text = text, .keyboard = keyboard};
  messages_.push_back(message);
  transcript_.bot_message(message.text, message.keyboard);
  return success(message_json(message));
}

ApiResult DemoTelegram::edit_message(const std::string& method, const json& params) {
  ApiResult refused;
  if (wrong_chat(params, method, refused)) return refused;
  auto* message = find(params, "message_id");
  if (!message) return refuse(method, 400, "Bad Request: message to edit not found");
  // Without reply_markup an edit leaves the message with no buttons, as in Telegram.
  const auto keyboard = params.contains("reply_markup") ? params["reply_markup"] : json();
  if (const auto problem = keyboard_problem(keyboard); !problem.empty()) {
    return refuse(method, 400, "Bad Request: " + problem);
  }
  const auto old_text = message->text;
  std::string change;
  if (method == "editMessageText") {
    if (!message->video_path.empty()) {
      return refuse(method, 400, "Bad Request: there is no text in the message to edit");
    }
    const auto text = params.value("text", "");
    if (text.empty()) return refuse(method, 400, "Bad Request: message text is empty");
    if (text != message->text) change = fmt::format("now reads «{}»", text);
    message->text = text;
  }
  if (has_buttons(keyboard) != has_buttons(message->keyboard) ||
      (has_buttons(keyboard) && keyboard != message->keyboard)) {
    if (!change.empty()) change += "; ";
    change += has_buttons(keyboard) ? "new buttons" : "removes its buttons";
  }
  message->keyboard = keyboard;
  // An edit that changes nothing is "message is not modified": harmless, and not shown.
  if (!change.empty()) transcript_.bot_edit(old_text, change, keyboard);
  return success(message_json(*message));
}

ApiResult DemoTelegram::answer_callback(const json& params) {
  const auto id = params.value("callback_query_id", "");
  if (callbacks_open_.erase(id) == 0) {
    return refuse("answerCallbackQuery", 400,
                  "Bad Request: query is too old and response timeout expired or query ID is "
                  "invalid");
  }
  const auto toast = params.value("text", "");
  if (!toast.empty()) transcript_.bot_toast(toast);
  return success(true);
}

ApiResult DemoTelegram::copy_message(const json& params) {
  ApiResult refused;
  if (wrong_chat(params, "copyMessage", refused)) return refused;
  const auto* source = find(params, "message_id");
  if (!source) return refuse("copyMessage", 400, "Bad Request: message to copy not found");
  const auto keyboard = params.contains("reply_markup") ? params["reply_markup"] : json();
  if (const auto problem = keyboard_problem(keyboard); !problem.empty()) {
    return refuse("copyMessage", 400, "Bad Request: " + problem);
  }
  BotMessage copy = *source;
  copy.message_id = next_message_id();
  copy.keyboard = keyboard;
  messages_.push_back(copy);
  if (copy.video_path.empty()) {
    transcript_.bot_message(copy.text, copy.keyboard);
  } else {
    transcript_.bot_video(copy.width, copy.height, copy.duration_s, copy.video_path, copy.text,
                          copy.keyboard);
  }
  return success(json{{"message_id", copy.message_id}});
}

asio::awaitable<ApiResult> DemoTelegram::download_file(const std::string& file_id,
                                                       const std::string& destination,
                                                       std::size_t max_bytes) {
  const auto file = files_.find(file_id);
  if (file == files_.end()) {
    co_return refuse("getFile", 400, "Bad Request: invalid file_id");
  }
  const auto& source = file->second;
  if (fs::file_size(source) > max_bytes) {
    co_return refuse("getFile", 400, "Bad Request: file is too big");
  }
  co_await pool_.run(
      [&] { fs::copy_file(source, destination, fs::copy_options::overwrite_existing); });
  const json found{{"file_id", file_id},
                   {"file_unique_id", "demo-" + file_id},
                   {"file_size", fs::file_size(source)},
                   {"file_path", "photos/" + fs::path(source).filename().string()}};
  co_return success(found);
}

asio::awaitable<ApiResult> DemoTelegram::send_video(std::int64_t chat_id, const std::string& path,
                                                    const std::string& caption,
                                                    const json& reply_markup) {
  const json params{{"chat_id", chat_id}};
  ApiResult refused;
  if (wrong_chat(params, "sendVideo", refused)) co_return refused;
  if (core::utf16_length(caption) > kMaxCaptionUnits) {
    co_return refuse("sendVideo", 400, "Bad Request: message caption is too long");
  }
  if (const auto problem = keyboard_problem(reply_markup); !problem.empty()) {
    co_return refuse("sendVideo", 400, "Bad Request: " + problem);
  }
  const auto copy = (fs::path(video_dir_) / fmt::format("video-{}.mp4", ++videos_)).string();
  // Copied out at once: the demo's working folder is removed at the end.
  const auto video = co_await pool_.run([&] {
    fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
    return media::probe_video(copy);
  });
  if (!video) {
    co_return refuse("sendVideo", 400, "Bad Request: the file is not a video Telegram can play");
  }
  BotMessage message{.message_id = next_message_id(),
                     .text = caption,
                     .keyboard = reply_markup,
                     .video_path = copy,
                     .width = video->width,
                     .height = video->height,
                     .duration_s = video->duration_s};
  messages_.push_back(message);
  transcript_.bot_video(message.width, message.height, message.duration_s, message.video_path,
                        message.text, message.keyboard);
  co_return success(message_json(message));
}

}  // namespace nc::app::demo
