// The credits ledger: a user's balance changes only together with an append-only ledger row,
// in one transaction, under a unique idempotency key. Charges are one row per job
// ("charge:<job>"); a refund reverses exactly that row ("refund:<job>"), once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

enum class PostingOutcome {
  kApplied,         // the balance changed
  kAlreadyApplied,  // the same idempotency key was posted before; nothing changed
  kInsufficient,    // the balance would go below zero; nothing changed
  kNotCharged,      // refund of a job that was never charged; nothing changed
  kUnknownUser,
  kAboveLimit,  // the balance would pass kMaxBalance (or |delta| does); nothing changed
};

// The most credits one balance may hold: the balance column is a 32-bit integer on PostgreSQL,
// and on SQLite a sum past 64 bits would silently turn into a float and break the audit.
constexpr std::int64_t kMaxBalance = 2'147'483'647;

const char* to_string(PostingOutcome outcome);

struct Posting {
  std::int64_t user_id = 0;
  std::int64_t delta = 0;
  std::string reason;  // grant, charge, refund, purchase, promo, adjust
  std::optional<std::string> job_id;
  std::string idempotency_key;
  std::string note;
};

struct LedgerRow {
  std::int64_t id = 0;
  std::int64_t delta = 0;
  std::string reason;
  std::string job_id;
  std::string idempotency_key;
  std::string note;
  std::string created_at;
};

struct AuditMismatch {
  std::int64_t tg_user_id = 0;
  std::int64_t credits = 0;
  std::int64_t ledger_sum = 0;
};

struct AuditReport {
  std::int64_t users = 0;
  std::int64_t total_credits = 0;
  std::int64_t total_ledger = 0;
  std::vector<AuditMismatch> mismatches;  // users whose credits != sum(ledger)
  std::int64_t double_refunds = 0;        // jobs refunded more than once (must be 0)
  std::int64_t uncharged_refunds = 0;     // refunds without a charge (must be 0)
  bool ok() const { return mismatches.empty() && double_refunds == 0 && uncharged_refunds == 0; }
};

class Ledger {
 public:
  explicit Ledger(Database& database) : database_(database) {}

  // Inside the caller's transaction, which holds the user's row from the first read to the end
  // (so concurrent postings see each other's balance). Every outcome but kApplied writes
  // nothing; a caller that must undo more (the jobs of an order) uses a Savepoint.
  static PostingOutcome post(Connection& connection, const Posting& posting);
  static PostingOutcome charge_job(Connection& connection, std::int64_t user_id,
                                   const std::string& job_id, std::int64_t amount);
  static PostingOutcome refund_job(Connection& connection, const std::string& job_id);

  // Each in its own transaction.
  PostingOutcome post(const Posting& posting);
  PostingOutcome grant(std::int64_t tg_user_id, std::int64_t amount, const std::string& key,
                       const std::string& note);
  PostingOutcome refund_job(const std::string& job_id);

  std::int64_t balance(std::int64_t user_id);
  std::vector<LedgerRow> recent(std::int64_t user_id, int limit);
  AuditReport audit();

 private:
  Database& database_;
};

}  // namespace nc::store
