#include "telegram/outbox_sender.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "store/users.hpp"

namespace nc::telegram {
namespace {

namespace asio = boost::asio;
constexpr std::chrono::seconds kRetryLater{30};

}  // namespace

OutboxSender::OutboxSender(asio::io_context& io, BotTransport& api, store::Database& database,
                           net::BlockingPool& pool, std::string owner)
    : io_(io), api_(api), database_(database), pool_(pool), owner_(std::move(owner)) {}

std::size_t OutboxSender::queued() const {
  std::size_t total = 0;
  for (const auto& [chat, calls] : per_chat_) total += calls.size();
  return total;
}

void OutboxSender::enqueue(std::vector<store::PendingCall> calls) {
  for (auto& call : calls) {
    if (!known_.insert(call.id).second) continue;  // already queued here
    if (call.method == "answerCallbackQuery") {
      // Not queued behind the chat's messages: the client's spinner is waiting.
      asio::co_spawn(io_, send(std::move(call)), asio::detached);
      continue;
    }
    auto& queue = per_chat_[call.chat_id];
    const bool idle = queue.empty();
    const auto chat_id = call.chat_id;
    queue.push_back(std::move(call));
    if (idle) asio::co_spawn(io_, drain(chat_id), asio::detached);
  }
}

asio::awaitable<void> OutboxSender::drain(std::int64_t chat_id) {
  for (;;) {
    auto it = per_chat_.find(chat_id);
    if (it == per_chat_.end() || it->second.empty()) {
      if (it != per_chat_.end()) per_chat_.erase(it);
      co_return;
    }
    auto call = it->second.front();
    co_await send(std::move(call));
    // The map may have been rehashed while we were sending.
    auto again = per_chat_.find(chat_id);
    if (again != per_chat_.end() && !again->second.empty()) again->second.pop_front();
  }
}

asio::awaitable<void> OutboxSender::send(store::PendingCall call) {
  auto params = nlohmann::json::parse(call.payload, nullptr, false);
  ApiResult result;
  if (params.is_discarded()) {
    result.error = ApiError::kBadRequest;
    result.description = "payload is not JSON";
  } else {
    result = co_await api_.call(call.method, std::move(params));
  }
  std::string error;
  bool later = false;
  switch (result.error) {
    case ApiError::kNone: break;
    case ApiError::kBlocked:
      error = "blocked: " + result.description;
      co_await pool_.run([&] { store::Users(database_).mark_blocked(call.chat_id); });
      spdlog::info("chat {} cannot be reached ({}); marked", call.chat_id, result.description);
      break;
    case ApiError::kBadRequest:
    case ApiError::kNotFound:
    case ApiError::kTooLarge:
      error = result.description;
      spdlog::warn("telegram {} to chat {} refused: {} (outbox {})", call.method, call.chat_id,
                   result.description, call.id);
      break;
    default:
      later = true;
      error = std::string(to_string(result.error)) + ": " + result.description;
      spdlog::warn("telegram {} to chat {} failed for now: {} (outbox {})", call.method,
                   call.chat_id, error, call.id);
  }
  try {
    co_await pool_.run([&] {
      store::Outbox outbox(database_);
      if (later) {
        outbox.retry_later(call.id, kRetryLater, error);
      } else {
        const auto message_id =
            result.ok() && result.result.is_object() ? result.result.value("message_id", 0LL) : 0LL;
        outbox.finish(call.id, error, message_id, call.job_id);
      }
    });
  } catch (const std::exception& failure) {
    // The lease runs out and the sweeper sends it again: at least once, never lost.
    spdlog::error("outbox {}: cannot record the result: {}", call.id, failure.what());
  }
  known_.erase(call.id);
}

asio::awaitable<void> OutboxSender::sweep_forever(std::chrono::milliseconds period) {
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(period);
    co_await timer.async_wait(asio::use_awaitable);
    try {
      // Calls still waiting here (Telegram's pace can queue many) keep their leases.
      std::vector<std::int64_t> mine(known_.begin(), known_.end());
      auto stale = co_await pool_.run([&] {
        store::Outbox outbox(database_);
        outbox.renew(owner_, mine, std::chrono::seconds(60));
        return outbox.claim_stale(owner_, 100, std::chrono::seconds(60));
      });
      if (!stale.empty()) {
        spdlog::info("outbox: resending {} calls left unsent", stale.size());
        enqueue(std::move(stale));
      }
    } catch (const std::exception& failure) {
      spdlog::error("outbox sweep failed: {}", failure.what());
    }
  }
}

}  // namespace nc::telegram
