// Bot API JSON <-> the structs of telegram/types.hpp, and the reply envelope. Unknown fields are
// ignored; a missing or mistyped required field is an Error naming its path.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "telegram/types.hpp"

namespace nc::telegram {

// Error code for a missing or mistyped field, e.g. {"bad_field", "message.chat.id: missing"}.
// Text-level failures carry core/untrusted_json.hpp's codes: too_large, too_deep, invalid_utf8,
// invalid_json.
inline constexpr std::string_view kErrorBadField = "bad_field";

inline constexpr std::size_t kMaxUpdateBytes = std::size_t{1} << 20;
// getUpdates answers reach about 4 MB.
inline constexpr std::size_t kMaxReplyBytes = std::size_t{16} << 20;

// One webhook body.
core::Result<Update> parse_update(std::string_view json_text);

struct RejectedUpdate {
  std::optional<std::int64_t> update_id;
  core::Error error;
};

// The result array of getUpdates. One bad update does not spoil the batch, and last_update_id
// counts rejected ones too, so the next offset moves past them instead of refetching forever.
struct UpdateBatch {
  std::vector<Update> updates;
  std::vector<RejectedUpdate> rejected;
  std::optional<std::int64_t> last_update_id;
};
core::Result<UpdateBatch> parse_update_batch(const nlohmann::json& result);

// path prefixes error messages, e.g. "result" for the answer of sendMessage.
core::Result<Message> parse_message(const nlohmann::json& value, std::string_view path = "message");
core::Result<File> parse_file(const nlohmann::json& value);
core::Result<WebhookInfo> parse_webhook_info(const nlohmann::json& value);

// {"inline_keyboard":[[{"callback_data":"...","text":"..."}]]}; only the set action is written.
nlohmann::json to_json(const InlineKeyboardMarkup& keyboard);

// The {"ok":...} envelope of every Bot API answer (contract section 1). A body that is not such
// an envelope (a proxy's HTML page, cut-off JSON) gives ok == false, error_code == http_status
// and a description starting "unreadable reply".
struct ApiReply {
  bool ok = false;
  nlohmann::json result;  // set when ok
  int error_code = 0;     // 0 when ok
  std::string description;
  std::optional<std::chrono::seconds> retry_after;  // 429: wait this long, then repeat the call
  std::optional<std::int64_t> migrate_to_chat_id;   // the group became this supergroup
};
ApiReply parse_api_reply(int http_status, std::string_view body);

}  // namespace nc::telegram
