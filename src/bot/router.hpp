// Routes one update to its handler, inside the handling transaction: loads the user and the
// conversation, lets the handler decide, stores the conversation again.
#pragma once

#include "bot/incoming.hpp"
#include "bot/replies.hpp"
#include "bot/turn.hpp"

namespace nc::bot {

struct TurnResult {
  bool jobs_created = false;
  std::int64_t credits_charged = 0;
  std::string pack_bought;  // a pack credited by this update ("10:150")
  std::int64_t stars_paid = 0;
};

class Router {
 public:
  explicit Router(BotDeps deps) : deps_(std::move(deps)) {}

  TurnResult apply(store::Connection& db, const Incoming& in, const Prepared& prepared,
                   Replies& out) const;

  // Whether a photo from this user would be taken now (read before the transaction, to decide
  // whether to download it).
  static bool wants_photo(store::Connection& db, std::int64_t user_id);
  // The answer to a pre_checkout_query, from a read of the store (no transaction).
  PreCheckoutAnswer decide_pre_checkout(store::Connection& db, const PreCheckout& query) const;

 private:
  void route(Turn& turn) const;
  void route_callback(Turn& turn) const;
  void route_command(Turn& turn) const;

  BotDeps deps_;
};

}  // namespace nc::bot
