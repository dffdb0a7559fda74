// Placing an order: N credits charged and N jobs created in one step of the handling
// transaction, idempotent per confirmation (a double tap or a redelivered update creates
// nothing more).
#pragma once

#include <cstdint>
#include <string>

#include "bot/flow_state.hpp"
#include "store/database.hpp"
#include "store/users.hpp"

namespace nc::bot {

struct Order {
  std::string flow;  // the confirmation's identity
  std::string photo_path;
  std::string product;
  std::string wishes;
  std::string template_id;
  std::string model;  // empty: the configured default
  int count = 1;
  int price_per_video = 1;
};

struct OrderOutcome {
  enum class Kind { kPlaced, kAlreadyPlaced, kInsufficient } kind = Kind::kPlaced;
  std::int64_t needed = 0;
  std::int64_t balance = 0;
};

OrderOutcome place_order(store::Connection& connection, const store::User& user,
                         const Order& order);

}  // namespace nc::bot
