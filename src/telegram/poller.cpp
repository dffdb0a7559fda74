#include "telegram/poller.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "store/settings.hpp"
#include "telegram/json.hpp"

namespace nc::telegram {
namespace {

namespace asio = boost::asio;

// Waits for a set of coroutines started on the loop: the batch is confirmed only when all of
// its updates are committed.
class WaitGroup {
 public:
  explicit WaitGroup(asio::io_context& io) : timer_(io) {
    timer_.expires_at(asio::steady_timer::time_point::max());
  }
  void add() { ++pending_; }
  void done() {
    if (--pending_ == 0) timer_.cancel();
  }
  asio::awaitable<void> wait() {
    if (pending_ == 0) co_return;
    boost::system::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

 private:
  asio::steady_timer timer_;
  int pending_ = 0;
};

}  // namespace

Poller::Poller(asio::io_context& io, BotApi& api, store::Database& database,
               net::BlockingPool& pool, UpdateSink& sink, PollerOptions options)
    : io_(io),
      api_(api),
      database_(database),
      pool_(pool),
      sink_(sink),
      options_(std::move(options)) {}

asio::awaitable<void> Poller::sleep(std::chrono::steady_clock::duration duration) {
  asio::steady_timer timer(io_, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<bool> Poller::take_lease() {
  co_return co_await pool_.run([&] {
    if (lock_ && !lock_->still_held()) {
      spdlog::error("lost the polling lock (database connection broke); taking it again");
      lock_.reset();
      polling_ = false;
    }
    if (!lock_) {
      lock_ = database_.try_session_lock(kLockName);
      if (lock_) store::Settings(database_).put(kHolderKey, options_.owner);
    }
    return lock_ != nullptr;
  });
}

asio::awaitable<void> Poller::handle_batch(const nlohmann::json& result, std::int64_t& offset) {
  auto batch = parse_update_batch(result);
  if (!batch.ok()) {
    spdlog::error("getUpdates returned something unreadable: {}", batch.error().message);
    co_return;
  }
  WaitGroup group(io_);
  bool failed = false;
  auto track = [&](asio::awaitable<void> work) {
    group.add();
    asio::co_spawn(io_, std::move(work), [&](std::exception_ptr error) {
      if (error) failed = true;
      group.done();
    });
  };
  for (auto& update : batch->updates) track(sink_.deliver(std::move(update)));
  for (const auto& rejected : batch->rejected) {
    spdlog::warn("update {} rejected: {}", rejected.update_id.value_or(0), rejected.error.message);
    if (rejected.update_id) track(sink_.skip(*rejected.update_id));
  }
  co_await group.wait();
  if (failed || !batch->last_update_id) co_return;  // not confirmed: fetched again
  offset = *batch->last_update_id + 1;
  const auto value = std::to_string(offset);
  co_await pool_.run([&] { store::Settings(database_).put(kOffsetKey, value); });
}

asio::awaitable<void> Poller::run() {
  bool said_waiting = false;
  while (!stopping_) {
    const bool leased = co_await take_lease();
    if (!leased) {
      if (!said_waiting) {
        auto holder =
            co_await pool_.run([&] { return store::Settings(database_).get(kHolderKey); });
        spdlog::warn("another instance ({}) is polling Telegram; this one waits and takes over "
                     "if it stops",
                     holder.value_or("unknown"));
        said_waiting = true;
      }
      co_await sleep(options_.wait_when_taken);
      continue;
    }
    said_waiting = false;
    if (!polling_) {
      // Polling and a webhook exclude each other; switching from webhook mode removes it
      // (pending updates are kept).
      auto deleted = co_await api_.delete_webhook();
      if (!deleted.ok()) {
        spdlog::error("deleteWebhook failed: {} {}", to_string(deleted.error), deleted.description);
        co_await sleep(options_.conflict_backoff);
        continue;
      }
      polling_ = true;
      spdlog::info("polling Telegram for updates (instance {})", options_.owner);
    }
    auto stored = co_await pool_.run([&] { return store::Settings(database_).get(kOffsetKey); });
    std::int64_t offset = stored ? std::stoll(*stored) : 0;
    auto reply = co_await api_.get_updates(offset, options_.long_poll_seconds,
                                           options_.allowed_updates);
    if (stopping_) break;  // not handled, not confirmed: the next poller gets it
    if (reply.ok()) {
      co_await handle_batch(reply.result, offset);
      continue;
    }
    if (reply.error == ApiError::kConflict) {
      // A webhook was set, or a poller outside our lease (another deployment) is running.
      spdlog::error("Telegram says: {} — not polling for {} s (is another deployment running "
                    "with this token, or BOT_MODE=webhook elsewhere?)",
                    reply.description, options_.conflict_backoff.count());
      co_await sleep(options_.conflict_backoff);
      continue;
    }
    if (reply.error == ApiError::kUnauthorized) {
      spdlog::critical("Telegram rejects BOT_TOKEN (401 Unauthorized): check the token");
      co_await sleep(std::chrono::seconds(60));
      continue;
    }
    spdlog::warn("getUpdates failed: {} {}", to_string(reply.error), reply.description);
    co_await sleep(std::chrono::seconds(2));
  }
}

}  // namespace nc::telegram
