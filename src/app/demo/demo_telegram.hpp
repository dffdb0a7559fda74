// The demo's Telegram, inside the process: it takes the bot's calls as the Bot API would (with
// message ids, Telegram-shaped results and the same refusals for what Telegram refuses), keeps
// the chat as it stands, prints it to the transcript, and puts delivered videos in a folder.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/demo/transcript.hpp"
#include "net/blocking_pool.hpp"
#include "telegram/bot_api.hpp"

namespace nc::app::demo {

// One message the bot sent, as it stands after edits.
struct BotMessage {
  std::int64_t message_id = 0;
  std::string text;         // the text, or a video's caption
  nlohmann::json keyboard;  // reply_markup; null when it has none
  std::string video_path;   // where a delivered video was put; empty for text
  int width = 0;
  int height = 0;
  double duration_s = 0;
};

class DemoTelegram final : public telegram::BotTransport {
 public:
  DemoTelegram(net::BlockingPool& pool, Transcript& transcript, std::int64_t chat_id,
               nlohmann::json chat_user, std::string video_dir);

  boost::asio::awaitable<telegram::ApiResult> call(std::string method,
                                                   nlohmann::json params) override;
  boost::asio::awaitable<telegram::ApiResult> download_file(const std::string& file_id,
                                                            const std::string& destination,
                                                            std::size_t max_bytes) override;
  boost::asio::awaitable<telegram::ApiResult> send_video(
      std::int64_t chat_id, const std::string& path, const std::string& caption,
      const nlohmann::json& reply_markup) override;

  // What the seller's side needs: files to "upload", message ids in the chat's sequence, the
  // message objects a button press carries, and the callback queries to be answered.
  void add_file(std::string file_id, std::string path);
  std::int64_t next_message_id() { return ++last_message_id_; }
  nlohmann::json message_json(const BotMessage& message) const;
  void expect_answer(const std::string& callback_query_id);

  // The bot's messages in the order sent (edits change them in place).
  const std::vector<BotMessage>& messages() const { return messages_; }
  // Calls this Telegram refused (Telegram would have too): each a sentence.
  const std::vector<std::string>& refusals() const { return refusals_; }
  // Button presses the bot never answered (the seller would see a spinner).
  std::vector<std::string> unanswered() const;

 private:
  telegram::ApiResult send_message(const nlohmann::json& params);
  telegram::ApiResult edit_message(const std::string& method, const nlohmann::json& params);
  telegram::ApiResult answer_callback(const nlohmann::json& params);
  telegram::ApiResult copy_message(const nlohmann::json& params);
  telegram::ApiResult refuse(const std::string& method, int code, std::string description);
  BotMessage* find(const nlohmann::json& params, const char* id_field);
  bool wrong_chat(const nlohmann::json& params, const std::string& method,
                  telegram::ApiResult& refused);

  net::BlockingPool& pool_;
  Transcript& transcript_;
  std::int64_t chat_id_;
  nlohmann::json chat_user_;
  std::string video_dir_;
  std::int64_t last_message_id_ = 0;
  int videos_ = 0;
  std::vector<BotMessage> messages_;
  std::map<std::string, std::string> files_;
  std::set<std::string> callbacks_open_;
  std::vector<std::string> refusals_;
};

}  // namespace nc::app::demo
