// The Bot API client: JSON and multipart calls on the event loop, paced by the send limiter,
// with Telegram's error rules applied (contract sections 1, 2 and 7): 429 waits retry_after,
// network errors and 5xx retry with capped exponential backoff and jitter, 403 "blocked" is a
// fact about the user, "message is not modified" is success. The token never reaches a log.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.hpp"
#include "telegram/send_limiter.hpp"
#include "telegram/types.hpp"

namespace nc::telegram {

enum class ApiError {
  kNone,
  kBlocked,       // 403: blocked by the user, deactivated, never started the bot
  kBadRequest,    // 400: our request is wrong or stale; not retried
  kUnauthorized,  // 401: the token is wrong or revoked
  kConflict,      // 409: another poller or a webhook
  kNotFound,      // 404
  kTooLarge,      // 413
  kRateLimited,   // 429 after the retries allowed
  kServer,        // 5xx after the retries allowed
  kNetwork,       // no HTTP answer after the retries allowed
};
std::string_view to_string(ApiError error);

struct ApiResult {
  ApiError error = ApiError::kNone;
  nlohmann::json result;
  int error_code = 0;
  std::string description;
  bool ok() const { return error == ApiError::kNone; }
};

// What the conversation and the worker need from Telegram: the real client below, or the
// offline demo's transcript.
class BotTransport {
 public:
  virtual ~BotTransport() = default;
  virtual boost::asio::awaitable<ApiResult> call(std::string method, nlohmann::json params) = 0;
  virtual boost::asio::awaitable<ApiResult> download_file(const std::string& file_id,
                                                          const std::string& destination,
                                                          std::size_t max_bytes) = 0;
  virtual boost::asio::awaitable<ApiResult> send_video(std::int64_t chat_id,
                                                       const std::string& path,
                                                       const std::string& caption,
                                                       const nlohmann::json& reply_markup) = 0;
};

struct BotApiOptions {
  std::string base_url = "https://api.telegram.org";
  std::string token;
  int max_attempts = 5;  // for 5xx and network errors
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30000};
  std::chrono::milliseconds request_timeout{60000};
  std::chrono::seconds max_retry_after{300};  // longer 429 waits fail the call instead
};

class BotApi final : public BotTransport {
 public:
  BotApi(boost::asio::io_context& io, net::HttpClient& http, BotApiOptions options);

  // Any method with JSON parameters. Sends to a chat are paced by the limiter.
  boost::asio::awaitable<ApiResult> call(std::string method, nlohmann::json params) override;

  boost::asio::awaitable<ApiResult> get_updates(std::int64_t offset, int timeout_s,
                                                const std::vector<std::string>& allowed_updates);
  boost::asio::awaitable<ApiResult> set_webhook(const std::string& url, const std::string& secret,
                                                const std::string& certificate_path,
                                                const std::vector<std::string>& allowed_updates,
                                                int max_connections);
  boost::asio::awaitable<ApiResult> delete_webhook();
  // Looks the file up and downloads it to `destination` (at most max_bytes).
  boost::asio::awaitable<ApiResult> download_file(const std::string& file_id,
                                                  const std::string& destination,
                                                  std::size_t max_bytes) override;
  // Uploads a video from disk (streamed, never read whole into memory).
  boost::asio::awaitable<ApiResult> send_video(std::int64_t chat_id, const std::string& path,
                                               const std::string& caption,
                                               const nlohmann::json& reply_markup) override;

  SendLimiter& limiter() { return limiter_; }
  // Called for every HTTP exchange, retries included, with its outcome (for metrics); a 429 that
  // is waited out comes as kRateLimited.
  std::function<void(std::string_view method, ApiError error)> on_call;

 private:
  boost::asio::awaitable<ApiResult> perform(std::string method, net::HttpRequest request,
                                            std::optional<std::int64_t> chat_id, SendKind kind,
                                            bool retry);
  boost::asio::awaitable<void> wait_for_turn(std::int64_t chat_id, SendKind kind);
  boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration duration);
  std::chrono::milliseconds backoff(int attempt);
  std::string method_url(std::string_view method) const;

  boost::asio::io_context& io_;
  net::HttpClient& http_;
  BotApiOptions options_;
  SendLimiter limiter_;
};

// Which calls go to a chat and so count against the per-chat and global send limits.
std::optional<SendKind> send_kind_of(std::string_view method);

}  // namespace nc::telegram
