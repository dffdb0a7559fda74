// Long polling, the intake for installs without a public HTTPS address. Exactly one poller runs
// across all instances (a session lock: PostgreSQL advisory lock or a file lock beside the
// SQLite file, freed at once when its holder dies); another instance waits and says so instead
// of fighting Telegram's 409. The offset is stored and advanced only after every update of a
// batch is committed, so a crash mid-batch redelivers, and dedupe makes that harmless.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "net/blocking_pool.hpp"
#include "store/database.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/update_sink.hpp"

namespace nc::telegram {

struct PollerOptions {
  std::string owner;  // this instance, for the lease and logs
  int long_poll_seconds = 25;
  std::chrono::seconds wait_when_taken{3};  // retry period while another instance polls
  std::chrono::seconds conflict_backoff{15};
  std::vector<std::string> allowed_updates = {"message", "callback_query",
                                              "pre_checkout_query", "my_chat_member"};
};

class Poller {
 public:
  Poller(boost::asio::io_context& io, BotApi& api, store::Database& database,
         net::BlockingPool& pool, UpdateSink& sink, PollerOptions options);

  boost::asio::awaitable<void> run();  // until cancelled
  bool polling() const { return polling_; }
  // Shutdown: no batch is handled any more (one fetched meanwhile is fetched again by the next
  // instance). The lease goes with the poller itself, after its last request has ended, so two
  // getUpdates never overlap.
  void stop() { stopping_ = true; }

  static constexpr const char* kLockName = "intake-poller";
  static constexpr const char* kHolderKey = "polling.holder";
  static constexpr const char* kOffsetKey = "polling.offset";

 private:
  boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration duration);
  boost::asio::awaitable<bool> take_lease();
  boost::asio::awaitable<void> handle_batch(const nlohmann::json& result, std::int64_t& offset);

  boost::asio::io_context& io_;
  BotApi& api_;
  store::Database& database_;
  net::BlockingPool& pool_;
  UpdateSink& sink_;
  PollerOptions options_;
  bool polling_ = false;
  bool stopping_ = false;
  std::unique_ptr<store::SessionLock> lock_;
};

}  // namespace nc::telegram
