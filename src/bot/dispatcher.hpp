// Handles one update exactly once: in one transaction it records the update id, runs the
// conversation and writes the replies to the outbox. A redelivered update changes nothing.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "bot/incoming.hpp"
#include "bot/router.hpp"
#include "store/database.hpp"
#include "store/outbox.hpp"

namespace nc::bot {

struct Handled {
  bool duplicate = false;
  std::vector<store::PendingCall> calls;  // leased to the caller, to send now, in order
};

class Dispatcher {
 public:
  Dispatcher(store::Database& database, const Router& router, std::string owner)
      : database_(database), router_(router), owner_(std::move(owner)) {}

  Handled handle(const Incoming& in, const Prepared& prepared);
  // Records an update the bot has nothing to do with, so it is not fetched again.
  void skip(std::int64_t update_id);
  bool wants_photo(std::int64_t user_id);
  const std::string& owner() const { return owner_; }

  // Called after a handling transaction that charged credits commits (for metrics).
  std::function<void(std::int64_t credits)> on_credits_charged;

  // How long the caller has to send the replies before a sweeper may send them instead.
  static constexpr std::chrono::seconds kSendLease{60};

 private:
  store::Database& database_;
  const Router& router_;
  std::string owner_;
};

}  // namespace nc::bot
