#include "store/promo_codes.hpp"

#include <fmt/format.h>

#include <cctype>

#include "store/ledger.hpp"

namespace nc::store {
namespace {

constexpr const char* kFindForUpdate =
    "SELECT code, credits, max_uses, used, "
    "CASE WHEN valid_until IS NOT NULL AND valid_until < {now} THEN 1 ELSE 0 END AS expired "
    "FROM promo_codes WHERE code = $1 {for_update}";

constexpr const char* kUse =
    "UPDATE promo_codes SET used = used + 1 WHERE code = $1 AND used < max_uses";

constexpr const char* kInsert =
    "INSERT INTO promo_codes (code, credits, max_uses, valid_until) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (code) DO NOTHING";

constexpr const char* kList =
    "SELECT code, credits, max_uses, used, valid_until, created_at FROM promo_codes "
    "ORDER BY created_at, code";

constexpr const char* kUserCredits = "SELECT credits FROM users WHERE id = $1";

}  // namespace

std::string PromoCodes::normalized(const std::string& code) {
  std::string out;
  for (const char c : code) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

Redeemed PromoCodes::redeem(Connection& connection, std::int64_t user_id, std::int64_t tg_user_id,
                            const std::string& code) {
  Redeemed result;
  const auto name = normalized(code);
  const auto rows = connection.execute(kFindForUpdate, {name});
  if (rows.empty()) return result;
  const auto& promo = rows.front();
  const auto key = fmt::format("promo:{}:{}", name, tg_user_id);
  // The seller's own second try hears "already used", even once the code has run out.
  if (!connection.execute("SELECT 1 AS x FROM credit_ledger WHERE idempotency_key = $1", {key})
           .empty()) {
    result.outcome = PromoOutcome::kAlreadyUsed;
    return result;
  }
  if (promo.integer("expired") != 0) {
    result.outcome = PromoOutcome::kExpired;
    return result;
  }
  if (promo.integer("used") >= promo.integer("max_uses")) {
    result.outcome = PromoOutcome::kUsedUp;
    return result;
  }
  const auto posted = Ledger::post(connection, Posting{.user_id = user_id,
                                                       .delta = promo.integer("credits"),
                                                       .reason = "promo",
                                                       .idempotency_key = key,
                                                       .note = name});
  if (posted == PostingOutcome::kAlreadyApplied) {
    result.outcome = PromoOutcome::kAlreadyUsed;
    return result;
  }
  if (posted == PostingOutcome::kAboveLimit) {
    result.outcome = PromoOutcome::kAboveLimit;
    return result;
  }
  if (posted != PostingOutcome::kApplied) {
    throw DbError(fmt::format("promo {} for user {}: {}", name, tg_user_id, to_string(posted)));
  }
  // The row is held since the read (PostgreSQL) or the write lock is (SQLite): always one row.
  if (connection.execute(kUse, {name}).affected != 1) {
    throw DbError(fmt::format("promo {}: its uses changed under its lock", name));
  }
  result.outcome = PromoOutcome::kRedeemed;
  result.credits = promo.integer("credits");
  result.balance = connection.execute(kUserCredits, {user_id}).front().integer("credits");
  return result;
}

bool PromoCodes::create(const std::string& code, std::int64_t credits, std::int64_t max_uses,
                        const std::string& until) {
  Value valid_until = nullptr;
  if (!until.empty()) {
    // SQLite keeps UTC text that sorts with {now}; PostgreSQL reads the zone from the text.
    valid_until = database_.backend() == Backend::kPostgres ? until + " 23:59:59.999+00"
                                                            : until + " 23:59:59.999";
  }
  auto connection = database_.acquire();
  return connection->execute(kInsert, {normalized(code), credits, max_uses, valid_until})
             .affected == 1;
}

std::vector<PromoCode> PromoCodes::list() {
  std::vector<PromoCode> codes;
  for (const auto& row : database_.execute(kList)) {
    codes.push_back(PromoCode{.code = row.text("code"),
                              .credits = row.integer("credits"),
                              .max_uses = row.integer("max_uses"),
                              .used = row.integer("used"),
                              .valid_until = row.text("valid_until"),
                              .created_at = row.text("created_at")});
  }
  return codes;
}

}  // namespace nc::store
