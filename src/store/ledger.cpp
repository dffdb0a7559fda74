#include "store/ledger.hpp"

#include <fmt/format.h>

namespace nc::store {
namespace {

constexpr const char* kInsertPosting =
    "INSERT INTO credit_ledger (user_id, delta, reason, job_id, idempotency_key, note) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";

// The bounds are checked again in the UPDATE as a last guard; the sum is taken in 64 bits so
// PostgreSQL's integer never overflows while checking.
constexpr const char* kApplyDelta =
    "UPDATE users SET credits = CAST(credits AS BIGINT) + $1, updated_at = {now} "
    "WHERE id = $2 AND CAST(credits AS BIGINT) + $1 >= 0 AND CAST(credits AS BIGINT) + $1 <= $3";

// PostgreSQL: the row stays locked to the end of the transaction. SQLite: the transaction holds
// the database's write lock from BEGIN IMMEDIATE.
constexpr const char* kLockUserCredits = "SELECT credits FROM users WHERE id = $1 {for_update}";

constexpr const char* kUserCredits = "SELECT credits FROM users WHERE id = $1";

constexpr const char* kPostingExists = "SELECT 1 FROM credit_ledger WHERE idempotency_key = $1";

constexpr const char* kChargeOfJob =
    "SELECT user_id, delta FROM credit_ledger WHERE idempotency_key = $1";

constexpr const char* kRecent =
    "SELECT id, delta, reason, job_id, idempotency_key, note, created_at FROM credit_ledger "
    "WHERE user_id = $1 ORDER BY id DESC LIMIT $2";

constexpr const char* kAuditMismatches =
    "SELECT u.tg_user_id, u.credits, COALESCE(l.total, 0) AS ledger_sum FROM users u "
    "LEFT JOIN (SELECT user_id, SUM(delta) AS total FROM credit_ledger GROUP BY user_id) l "
    "ON l.user_id = u.id WHERE u.credits <> COALESCE(l.total, 0) ORDER BY u.tg_user_id";

constexpr const char* kAuditTotals =
    "SELECT (SELECT COUNT(*) FROM users) AS users, "
    "(SELECT COALESCE(SUM(credits), 0) FROM users) AS credits, "
    "(SELECT COALESCE(SUM(delta), 0) FROM credit_ledger) AS ledger, "
    "(SELECT COUNT(*) FROM (SELECT job_id FROM credit_ledger WHERE reason = 'refund' "
    "  GROUP BY job_id HAVING COUNT(*) > 1) d) AS double_refunds, "
    "(SELECT COUNT(*) FROM credit_ledger r WHERE r.reason = 'refund' AND NOT EXISTS "
    "  (SELECT 1 FROM credit_ledger c WHERE c.reason = 'charge' AND c.job_id = r.job_id)) "
    "  AS uncharged_refunds";

std::string charge_key(const std::string& job_id) {
  return "charge:" + job_id;
}
std::string refund_key(const std::string& job_id) {
  return "refund:" + job_id;
}

}  // namespace

const char* to_string(PostingOutcome outcome) {
  switch (outcome) {
    case PostingOutcome::kApplied:
      return "applied";
    case PostingOutcome::kAlreadyApplied:
      return "already applied";
    case PostingOutcome::kInsufficient:
      return "insufficient credits";
    case PostingOutcome::kNotCharged:
      return "job was never charged";
    case PostingOutcome::kUnknownUser:
      return "unknown user";
    case PostingOutcome::kAboveLimit:
      return "balance limit";
  }
  return "unknown";
}

PostingOutcome Ledger::post(Connection& connection, const Posting& posting) {
  if (posting.delta > kMaxBalance || posting.delta < -kMaxBalance) {
    return PostingOutcome::kAboveLimit;
  }
  auto credits = connection.execute(kLockUserCredits, {posting.user_id});
  if (credits.empty()) return PostingOutcome::kUnknownUser;
  if (!connection.execute(kPostingExists, {posting.idempotency_key}).empty()) {
    return PostingOutcome::kAlreadyApplied;
  }
  const auto balance = credits.front().integer("credits");
  if (balance + posting.delta < 0) return PostingOutcome::kInsufficient;
  if (balance + posting.delta > kMaxBalance) return PostingOutcome::kAboveLimit;
  Value job = posting.job_id ? Value(*posting.job_id) : Value(nullptr);
  auto inserted = connection.execute(
      kInsertPosting, {posting.user_id, posting.delta, posting.reason, job, posting.idempotency_key,
                       posting.note.empty() ? Value(nullptr) : Value(posting.note)});
  // Another user's posting under the same key (keys name their user, so only a bug does this).
  if (inserted.empty()) return PostingOutcome::kAlreadyApplied;
  auto updated = connection.execute(kApplyDelta, {posting.delta, posting.user_id, kMaxBalance});
  if (updated.affected == 0) {
    // The row is held since the read above, so this is a broken invariant, not a race.
    throw DbError(
        fmt::format("ledger: balance of user {} changed under its lock", posting.user_id));
  }
  return PostingOutcome::kApplied;
}

PostingOutcome Ledger::charge_job(Connection& connection, std::int64_t user_id,
                                  const std::string& job_id, std::int64_t amount) {
  return post(connection, Posting{.user_id = user_id,
                                  .delta = -amount,
                                  .reason = "charge",
                                  .job_id = job_id,
                                  .idempotency_key = charge_key(job_id)});
}

PostingOutcome Ledger::refund_job(Connection& connection, const std::string& job_id) {
  auto charge = connection.execute(kChargeOfJob, {charge_key(job_id)});
  if (charge.empty()) return PostingOutcome::kNotCharged;
  return post(connection, Posting{.user_id = charge.front().integer("user_id"),
                                  .delta = -charge.front().integer("delta"),
                                  .reason = "refund",
                                  .job_id = job_id,
                                  .idempotency_key = refund_key(job_id)});
}

PostingOutcome Ledger::post(const Posting& posting) {
  return database_.transaction([&](Connection& connection) { return post(connection, posting); });
}

PostingOutcome Ledger::grant(std::int64_t tg_user_id, std::int64_t amount, const std::string& key,
                             const std::string& note) {
  auto user = database_.execute("SELECT id FROM users WHERE tg_user_id = $1", {tg_user_id});
  if (user.empty()) return PostingOutcome::kUnknownUser;
  return post(Posting{.user_id = user.front().integer("id"),
                      .delta = amount,
                      .reason = amount >= 0 ? "grant" : "adjust",
                      .idempotency_key = key,
                      .note = note});
}

PostingOutcome Ledger::refund_job(const std::string& job_id) {
  return database_.transaction(
      [&](Connection& connection) { return refund_job(connection, job_id); });
}

std::int64_t Ledger::balance(std::int64_t user_id) {
  auto rows = database_.execute(kUserCredits, {user_id});
  return rows.empty() ? 0 : rows.front().integer("credits");
}

std::vector<LedgerRow> Ledger::recent(std::int64_t user_id, int limit) {
  std::vector<LedgerRow> result;
  for (const auto& row : database_.execute(kRecent, {user_id, std::int64_t{limit}})) {
    result.push_back(LedgerRow{.id = row.integer("id"),
                               .delta = row.integer("delta"),
                               .reason = row.text("reason"),
                               .job_id = row.text("job_id"),
                               .idempotency_key = row.text("idempotency_key"),
                               .note = row.text("note"),
                               .created_at = row.text("created_at")});
  }
  return result;
}

AuditReport Ledger::audit() {
  AuditReport report;
  auto connection = database_.acquire();
  const auto totals = connection->execute(kAuditTotals, {});
  report.users = totals.front().integer("users");
  report.total_credits = totals.front().integer("credits");
  report.total_ledger = totals.front().integer("ledger");
  report.double_refunds = totals.front().integer("double_refunds");
  report.uncharged_refunds = totals.front().integer("uncharged_refunds");
  for (const auto& row : connection->execute(kAuditMismatches, {})) {
    report.mismatches.push_back(AuditMismatch{.tg_user_id = row.integer("tg_user_id"),
                                              .credits = row.integer("credits"),
                                              .ledger_sum = row.integer("ledger_sum")});
  }
  return report;
}

}  // namespace nc::store
