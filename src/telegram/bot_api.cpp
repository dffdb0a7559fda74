#include "telegram/bot_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/backoff.hpp"
#include "telegram/json.hpp"

namespace nc::telegram {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

// Built outside coroutines: g++ 12 mishandles aggregate temporaries inside them.
net::MultipartPart field(std::string name, std::string value) {
  net::MultipartPart part;
  part.name = std::move(name);
  part.value = std::move(value);
  return part;
}

net::MultipartPart file_part(std::string name, std::string path, std::string file_name,
                             std::string content_type) {
  net::MultipartPart part;
  part.name = std::move(name);
  part.file_path = std::move(path);
  part.file_name = std::move(file_name);
  part.content_type = std::move(content_type);
  return part;
}

ApiResult failure(ApiError error, int code, std::string description) {
  ApiResult result;
  result.error = error;
  result.error_code = code;
  result.description = std::move(description);
  return result;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

ApiError classify(int code, std::string_view description) {
  if (code == 403) return ApiError::kBlocked;
  if (code == 401) return ApiError::kUnauthorized;
  if (code == 409) return ApiError::kConflict;
  if (code == 404) return ApiError::kNotFound;
  if (code == 413) return ApiError::kTooLarge;
  if (code == 429) return ApiError::kRateLimited;
  if (code >= 500) return ApiError::kServer;
  if (code == 400 && contains(description, "message is not modified")) return ApiError::kNone;
  return ApiError::kBadRequest;
}

}  // namespace

std::string_view to_string(ApiError error) {
  switch (error) {
    case ApiError::kNone:
      return "ok";
    case ApiError::kBlocked:
      return "blocked";
    case ApiError::kBadRequest:
      return "bad_request";
    case ApiError::kUnauthorized:
      return "unauthorized";
    case ApiError::kConflict:
      return "conflict";
    case ApiError::kNotFound:
      return "not_found";
    case ApiError::kTooLarge:
      return "too_large";
    case ApiError::kRateLimited:
      return "rate_limited";
    case ApiError::kServer:
      return "server_error";
    case ApiError::kNetwork:
      return "network_error";
  }
  return "unknown";
}

std::optional<SendKind> send_kind_of(std::string_view method) {
  if (method == "answerCallbackQuery") return SendKind::kCallbackAnswer;
  if (method == "sendVideo") return SendKind::kVideo;
  if (method.starts_with("send") || method.starts_with("edit") || method == "copyMessage") {
    return SendKind::kMessage;
  }
  return std::nullopt;
}

BotApi::BotApi(asio::io_context& io, net::HttpClient& http, BotApiOptions options)
    : io_(io), http_(http), options_(std::move(options)) {}

std::string BotApi::method_url(std::string_view method) const {
  return options_.base_url + "/bot" + options_.token + "/" + std::string(method);
}

asio::awaitable<void> BotApi::sleep(std::chrono::steady_clock::duration duration) {
  asio::steady_timer timer(io_, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

std::chrono::milliseconds BotApi::backoff(int attempt) {
  return core::jittered_backoff(attempt, options_.backoff_base, options_.backoff_cap);
}

asio::awaitable<void> BotApi::wait_for_turn(std::int64_t chat_id, SendKind kind) {
  using Clock = SendLimiter::Clock;
  auto when = limiter_.reserve(chat_id, kind, Clock::now());
  for (;;) {
    if (when > Clock::now()) co_await sleep(when - Clock::now());
    if (!limiter_.paused_until(chat_id, Clock::now())) co_return;
    when = limiter_.reserve(chat_id, kind, Clock::now());
  }
}

asio::awaitable<ApiResult> BotApi::perform(std::string method, net::HttpRequest request,
                                           std::optional<std::int64_t> chat_id, SendKind kind,
                                           bool retry) {
  ApiResult outcome;
  for (int attempt = 0;; ++attempt) {
    if (chat_id) co_await wait_for_turn(*chat_id, kind);
    auto response = co_await http_.send(request);
    if (response.status == 0) {
      outcome = ApiResult();
      outcome.error = ApiError::kNetwork;
      outcome.description = response.error;
    } else {
      auto reply = parse_api_reply(static_cast<int>(response.status), response.body);
      outcome = ApiResult();
      if (reply.ok) {
        outcome.result = std::move(reply.result);
      } else {
        outcome.error = classify(reply.error_code, reply.description);
        outcome.error_code = reply.error_code;
        outcome.description = reply.description;
        if (outcome.error == ApiError::kRateLimited && retry) {
          auto wait = reply.retry_after.value_or(std::chrono::seconds(1));
          if (auto header = response.header("retry-after"); header && !reply.retry_after) {
            wait = std::chrono::seconds(std::max(1, std::atoi(header->c_str())));
          }
          if (wait <= options_.max_retry_after) {
            spdlog::warn("telegram {}: 429, waiting {} s as asked", method, wait.count());
            if (on_call) on_call(method, outcome.error);
            if (chat_id) {
              limiter_.on_retry_after(*chat_id, wait, SendLimiter::Clock::now());
            } else {
              co_await sleep(wait);
            }
            --attempt;  // a 429 is an instruction, not a failure
            continue;
          }
        }
      }
    }
    if (on_call) on_call(method, outcome.error);
    const bool transient =
        outcome.error == ApiError::kNetwork || outcome.error == ApiError::kServer;
    if (!transient || !retry || attempt + 1 >= options_.max_attempts) break;
    const auto delay = backoff(attempt);
    spdlog::warn("telegram {}: {} ({}), retry {} in {} ms", method, to_string(outcome.error),
                 outcome.description, attempt + 1, delay.count());
    co_await sleep(delay);
  }
  co_return outcome;
}

asio::awaitable<ApiResult> BotApi::call(std::string method, json params) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = method_url(method);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = params.dump(-1, ' ', false, json::error_handler_t::replace);
  request.timeout = options_.request_timeout;
  const auto kind = send_kind_of(method);
  std::optional<std::int64_t> chat_id;
  if (kind == SendKind::kCallbackAnswer) {
    chat_id = 0;  // the callback lane ignores the chat
  } else if (kind && params.contains("chat_id") && params["chat_id"].is_number_integer()) {
    chat_id = params["chat_id"].get<std::int64_t>();
  }
  co_return co_await perform(std::move(method), std::move(request), chat_id,
                             kind.value_or(SendKind::kMessage), true);
}

asio::awaitable<ApiResult> BotApi::get_updates(std::int64_t offset, int timeout_s,
                                               const std::vector<std::string>& allowed_updates) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = method_url("getUpdates");
  request.headers = {{"Content-Type", "application/json"}};
  json params;
  params["offset"] = offset;
  params["timeout"] = timeout_s;
  params["limit"] = 100;
  params["allowed_updates"] = allowed_updates;
  request.body = params.dump();
  request.timeout = std::chrono::seconds(timeout_s + 15);
  // The poller decides about retries itself: it must see a 409 at once.
  co_return co_await perform("getUpdates", std::move(request), std::nullopt, SendKind::kMessage,
                             false);
}

asio::awaitable<ApiResult> BotApi::set_webhook(const std::string& url, const std::string& secret,
                                               const std::string& certificate_path,
                                               const std::vector<std::string>& allowed_updates,
                                               int max_connections) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = method_url("setWebhook");
  request.timeout = options_.request_timeout;
  const json allowed = allowed_updates;
  request.multipart.push_back(field("url", url));
  request.multipart.push_back(field("secret_token", secret));
  request.multipart.push_back(field("allowed_updates", allowed.dump()));
  request.multipart.push_back(field("max_connections", std::to_string(max_connections)));
  request.multipart.push_back(field("drop_pending_updates", "false"));
  if (!certificate_path.empty()) {
    request.multipart.push_back(
        file_part("certificate", certificate_path, "certificate.pem", "application/x-pem-file"));
  }
  co_return co_await perform("setWebhook", std::move(request), std::nullopt, SendKind::kMessage,
                             true);
}

asio::awaitable<ApiResult> BotApi::delete_webhook() {
  json params;
  params["drop_pending_updates"] = false;
  co_return co_await call("deleteWebhook", std::move(params));
}

asio::awaitable<ApiResult> BotApi::download_file(const std::string& file_id,
                                                 const std::string& destination,
                                                 std::size_t max_bytes) {
  json params;
  params["file_id"] = file_id;
  auto looked_up = co_await call("getFile", std::move(params));
  if (!looked_up.ok()) co_return looked_up;
  auto file = parse_file(looked_up.result);
  if (!file.ok() || file->file_path.empty()) {
    co_return failure(ApiError::kBadRequest, 0, "getFile gave no file_path");
  }
  if (file->file_size && static_cast<std::size_t>(*file->file_size) > max_bytes) {
    co_return failure(ApiError::kTooLarge, 0, "file is too big");
  }
  net::HttpRequest request;
  request.url = options_.base_url + "/file/bot" + options_.token + "/" + file->file_path;
  request.download_to = destination;
  request.max_response_bytes = max_bytes;
  request.timeout = options_.request_timeout;
  auto response = co_await http_.send(std::move(request));
  if (!response.ok()) {
    const bool too_large = response.error.find("larger than the limit") != std::string::npos;
    const auto error = too_large                                        ? ApiError::kTooLarge
                       : response.status >= 500 || response.status == 0 ? ApiError::kNetwork
                                                                        : ApiError::kBadRequest;
    co_return failure(error, static_cast<int>(response.status),
                      response.error.empty() ? "download failed" : response.error);
  }
  co_return ApiResult{};
}

asio::awaitable<ApiResult> BotApi::send_video(std::int64_t chat_id, const std::string& path,
                                              const std::string& caption,
                                              const json& reply_markup) {
  net::HttpRequest request;
  request.method = "POST";
  request.url = method_url("sendVideo");
  request.timeout = std::chrono::minutes(5);
  request.multipart.push_back(field("chat_id", std::to_string(chat_id)));
  request.multipart.push_back(field("caption", caption));
  request.multipart.push_back(field("supports_streaming", "true"));
  request.multipart.push_back(field("reply_markup", reply_markup.dump()));
  request.multipart.push_back(file_part("video", path, "video.mp4", "video/mp4"));
  co_return co_await perform("sendVideo", std::move(request), chat_id, SendKind::kVideo, true);
}

}  // namespace nc::telegram
