// Where each seller is in the conversation: a state name and its data (JSON), kept in the
// database so a restart in the middle of the flow loses nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.hpp"

namespace nc::store {

struct ConversationRow {
  std::string state;
  std::string data = "{}";  // JSON object
};

class Conversations {
 public:
  static std::optional<ConversationRow> load(Connection& connection, std::int64_t tg_user_id);
  static void save(Connection& connection, std::int64_t tg_user_id, const ConversationRow& row);
};

}  // namespace nc::store
