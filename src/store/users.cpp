#include "store/users.hpp"

#include <fmt/format.h>

#include "store/ledger.hpp"

namespace nc::store {
namespace {

// Returns the whole row: the user is read back in the same statement.
constexpr const char* kInsertUser =
    "INSERT INTO users (tg_user_id, username, language) VALUES ($1, $2, $3) "
    "ON CONFLICT (tg_user_id) DO UPDATE SET username = excluded.username, "
    "language = excluded.language, blocked_at = NULL, updated_at = {now} "
    "RETURNING id, tg_user_id, username, language, credits, blocked_at, created_at";

constexpr const char* kSelectUser =
    "SELECT id, tg_user_id, username, language, credits, blocked_at, created_at "
    "FROM users WHERE tg_user_id = $1";

constexpr const char* kMarkBlocked =
    "UPDATE users SET blocked_at = {now}, updated_at = {now} WHERE tg_user_id = $1";

User to_user(const Row& row) {
  User user;
  user.id = row.integer("id");
  user.tg_user_id = row.integer("tg_user_id");
  user.username = row.text("username");
  user.language = row.text("language");
  user.credits = row.integer("credits");
  user.blocked = !row.is_null("blocked_at");
  user.created_at = row.text("created_at");
  return user;
}

}  // namespace

User Users::upsert(Connection& connection, std::int64_t tg_user_id, const std::string& username,
                   const std::string& language, std::int64_t start_credits) {
  auto inserted =
      connection.execute(kInsertUser, {tg_user_id, username, language.empty() ? "ru" : language});
  auto user = to_user(inserted.front());
  if (start_credits > 0) {
    // Keyed by the Telegram id: the welcome credits are granted once per user, ever.
    const auto granted =
        Ledger::post(connection, Posting{.user_id = user.id,
                                         .delta = start_credits,
                                         .reason = "grant",
                                         .idempotency_key = fmt::format("start:{}", tg_user_id),
                                         .note = "START_CREDITS"});
    if (granted == PostingOutcome::kApplied) return *find(connection, tg_user_id);
  }
  return user;
}

User Users::upsert(std::int64_t tg_user_id, const std::string& username,
                   const std::string& language, std::int64_t start_credits) {
  return database_.transaction([&](Connection& connection) {
    return upsert(connection, tg_user_id, username, language, start_credits);
  });
}

std::optional<User> Users::find(Connection& connection, std::int64_t tg_user_id) {
  auto rows = connection.execute(kSelectUser, {tg_user_id});
  if (rows.empty()) return std::nullopt;
  return to_user(rows.front());
}

std::optional<User> Users::find(std::int64_t tg_user_id) {
  auto connection = database_.acquire();
  return find(*connection, tg_user_id);
}

void Users::mark_blocked(std::int64_t tg_user_id) {
  database_.execute(kMarkBlocked, {tg_user_id});
}

}  // namespace nc::store
