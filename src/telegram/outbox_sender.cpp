#include "telegram/outbox_sender.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
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
    : io_(io), api_(api), database_(database), pool_(pool), owner_(std::move(owner)), idle_(io) {}

std::size_t OutboxSender::queued() const {
  return waiting_ + sending_messages_ + sending_answers_;
}

void OutboxSender::enqueue(std::vector<store::PendingCall> calls) {
  for (auto& call : calls) {
    if (!known_.insert(call.id).second) continue;  // already queued here
    wait_in_line(std::move(call));
  }
  send_what_fits();
}

void OutboxSender::wait_in_line(store::PendingCall call) {
  ++waiting_;
  const auto id = call.id;
  const bool answer = call.method == "answerCallbackQuery";
  const auto chat_id = call.chat_id;
  if (kept_.size() < kCallsKept) kept_.emplace(id, std::move(call));
  if (answer) {
    // Not queued behind the chat's messages: the client's spinner is waiting.
    answers_.push_back(id);
    return;
  }
  auto& queue = per_chat_[chat_id];
  if (queue.empty()) ready_.push_back(chat_id);
  queue.push_back(id);
}

void OutboxSender::send_what_fits() {
  while (sending_answers_ < kMaxSending && !answers_.empty()) {
    ++sending_answers_;
    --waiting_;
    asio::co_spawn(io_, send_answer(answers_.front()), asio::detached);
    answers_.pop_front();
  }
  while (sending_messages_ < kMaxSending && !ready_.empty()) {
    ++sending_messages_;
    --waiting_;
    asio::co_spawn(io_, send_next(ready_.front()), asio::detached);
    ready_.pop_front();
  }
}

asio::awaitable<std::optional<store::PendingCall>> OutboxSender::take(std::int64_t id) {
  std::optional<store::PendingCall> call;
  if (auto it = kept_.find(id); it != kept_.end()) {
    call = std::move(it->second);
    kept_.erase(it);
  } else {
    call = co_await pool_.run([&] { return store::Outbox(database_).unsent(id); });
  }
  co_return call;
}

asio::awaitable<void> OutboxSender::send_by_id(std::int64_t id) {
  try {
    auto call = co_await take(id);
    if (call) co_await send(std::move(*call));
  } catch (const std::exception& failure) {
    spdlog::error("outbox {}: sending failed: {}", id, failure.what());
  }
  forget(id);  // sent, or left to the sweeper once its lease runs out
}

asio::awaitable<void> OutboxSender::send_answer(std::int64_t id) {
  co_await send_by_id(id);
  --sending_answers_;
  send_what_fits();
}

asio::awaitable<void> OutboxSender::send_next(std::int64_t chat_id) {
  co_await send_by_id(per_chat_.at(chat_id).front());
  // The map may have been rehashed while we were sending.
  auto& queue = per_chat_.at(chat_id);
  queue.pop_front();
  if (queue.empty()) {
    per_chat_.erase(chat_id);
  } else {
    ready_.push_back(chat_id);  // behind the chats already waiting: every chat gets its turn
  }
  --sending_messages_;
  send_what_fits();
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
    case ApiError::kNone:
      break;
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
  forget(call.id);
}

void OutboxSender::forget(std::int64_t id) {
  known_.erase(id);
  if (known_.empty()) idle_.cancel();
}

asio::awaitable<void> OutboxSender::drained() {
  while (!known_.empty()) {
    idle_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code cancelled;
    co_await idle_.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
  }
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
        outbox.renew(owner_, mine, store::Outbox::kLease);
        return outbox.claim_stale(owner_, 100, store::Outbox::kLease);
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
