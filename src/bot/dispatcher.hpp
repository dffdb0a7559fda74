// Handles one update exactly once: in one transaction it records the update id, runs the
// conversation and writes the replies to the outbox. A redelivered update changes nothing.
// The bot front hands updates to a group commit: the updates waiting at a moment share one
// transaction, each in a savepoint of its own, so one update failing affects no other.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "bot/incoming.hpp"
#include "bot/router.hpp"
#include "store/commit_batcher.hpp"
#include "store/database.hpp"
#include "store/outbox.hpp"

namespace nc::bot {

struct Handled {
  bool duplicate = false;
  bool jobs_created = false;
  std::int64_t credits_charged = 0;  // for metrics, counted once committed
  std::string pack_bought;           // for metrics: a pack credited by this update
  std::int64_t stars_paid = 0;
  std::vector<store::PendingCall> calls;  // leased to the caller, to send now, in order
};

class Dispatcher {
 public:
  Dispatcher(store::Database& database, const Router& router, std::string owner);

  // In the next group transaction; resumes on the caller's executor once it committed, and
  // throws when this update's work or the whole transaction failed (nothing of it is kept).
  boost::asio::awaitable<Handled> handle_in_batch(const Incoming& in, const Prepared& prepared);
  // Records an update the bot has nothing to do with, so it is not fetched again.
  void skip(std::int64_t update_id);
  bool wants_photo(std::int64_t user_id);
  // Whether to take a payment Telegram is about to make (pre_checkout_query). Throws when the
  // store cannot be read.
  PreCheckoutAnswer decide_pre_checkout(const PreCheckout& query);

  // Called after a handling transaction that charged credits commits (for metrics).
  std::function<void(std::int64_t credits)> on_credits_charged;
  // Called after a handling transaction that credited a bought pack commits (for metrics).
  std::function<void(const std::string& pack, std::int64_t stars)> on_pack_bought;

  // How long the caller has to send the replies before a sweeper may send them instead.
  static constexpr std::chrono::seconds kSendLease{60};

 private:
  Handled handle(store::Connection& connection, const Incoming& in, const Prepared& prepared);
  void after_commit(Handled& handled);

  store::Database& database_;
  const Router& router_;
  std::string owner_;
  store::CommitBatcher batcher_;
};

}  // namespace nc::bot
