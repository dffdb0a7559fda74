#include "store/conversations.hpp"

namespace nc::store {
namespace {

constexpr const char* kLoad = "SELECT state, data FROM conversations WHERE tg_user_id = $1";
constexpr const char* kSave =
    "INSERT INTO conversations (tg_user_id, state, data) VALUES ($1, $2, $3) "
    "ON CONFLICT (tg_user_id) DO UPDATE SET state = excluded.state, data = excluded.data, "
    "updated_at = {now}";

}  // namespace

std::optional<ConversationRow> Conversations::load(Connection& connection,
                                                   std::int64_t tg_user_id) {
  auto rows = connection.execute(kLoad, {tg_user_id});
  if (rows.empty()) return std::nullopt;
  return ConversationRow{rows.front().text("state"), rows.front().text("data")};
}

void Conversations::save(Connection& connection, std::int64_t tg_user_id,
                         const ConversationRow& row) {
  connection.execute(kSave, {tg_user_id, row.state, row.data});
}

}  // namespace nc::store
