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
};

class Router {
 public:
  explicit Router(BotDeps deps) : deps_(std::move(deps)) {}

  TurnResult apply(store::Connection& db, const Incoming& in, const Prepared& prepared,
                   Replies& out) const;

  // Whether a photo from this user would be taken now (read before the transaction, to decide
  // whether to download it).
  static bool wants_photo(store::Connection& db, std::int64_t user_id);

 private:
  void route(Turn& turn) const;
  void route_callback(Turn& turn) const;
  void route_command(Turn& turn) const;

  BotDeps deps_;
};

}  // namespace nc::bot
