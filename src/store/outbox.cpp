#include "store/outbox.hpp"

#include <fmt/format.h>

namespace nc::store {
namespace {

constexpr const char* kAdd =
    "INSERT INTO outbox (chat_id, method, payload, priority, lease_owner, lease_until, job_id) "
    "VALUES ($1, $2, $3, $4, $5, {now+ms $6}, $7) RETURNING id";

constexpr const char* kClaimStale =
    "UPDATE outbox SET lease_owner = $1, lease_until = {now+ms $2}, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_try_at <= {now} "
    "AND (lease_until IS NULL OR lease_until < {now}) ORDER BY priority DESC, id LIMIT $3 "
    "{skip_locked}) RETURNING id, chat_id, method, payload, attempts, job_id";

constexpr const char* kFinish =
    "UPDATE outbox SET sent_at = {now}, error = $2, lease_owner = NULL, lease_until = NULL "
    "WHERE id = $1";

constexpr const char* kRecordMessage = "UPDATE jobs SET tg_message_id = $2 WHERE id = $1";

constexpr const char* kRetryLater =
    "UPDATE outbox SET next_try_at = {now+ms $2}, error = $3, lease_owner = NULL, "
    "lease_until = NULL WHERE id = $1";

// $1 owner, $2 new lease, $3 renew when it ends before now + $3, then kRenewIds ids (-1 for
// none): one statement text whatever the count, so it stays prepared.
constexpr std::size_t kRenewIds = 200;
const std::string& renew_sql() {
  static const std::string sql = [] {
    std::string text =
        "UPDATE outbox SET lease_until = {now+ms $2} WHERE lease_owner = $1 AND sent_at IS NULL "
        "AND lease_until < {now+ms $3} AND id IN (";
    for (std::size_t i = 0; i < kRenewIds; ++i)
      text += fmt::format("{}${}", i ? ", " : "", i + 4);
    return text + ")";
  }();
  return sql;
}

constexpr const char* kUnsent =
    "SELECT id, chat_id, method, payload, attempts, job_id FROM outbox "
    "WHERE id = $1 AND sent_at IS NULL";

constexpr const char* kPendingCount = "SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL";

constexpr const char* kFirstTime =
    "INSERT INTO processed_updates (update_id) VALUES ($1) ON CONFLICT (update_id) DO NOTHING";

PendingCall to_pending_call(const Row& row) {
  return PendingCall{.id = row.integer("id"),
                     .chat_id = row.integer("chat_id"),
                     .method = row.text("method"),
                     .payload = row.text("payload"),
                     .attempts = static_cast<int>(row.integer("attempts")),
                     .job_id = row.text("job_id")};
}

}  // namespace

PendingCall Outbox::add(Connection& connection, const OutgoingCall& call, const std::string& owner,
                        std::chrono::milliseconds lease) {
  auto rows =
      connection.execute(kAdd, {call.chat_id, call.method, call.payload,
                                std::int64_t{call.priority}, owner, std::int64_t{lease.count()},
                                call.job_id.empty() ? Value(nullptr) : Value(call.job_id)});
  return PendingCall{.id = rows.front().integer("id"),
                     .chat_id = call.chat_id,
                     .method = call.method,
                     .payload = call.payload,
                     .job_id = call.job_id};
}

std::vector<PendingCall> Outbox::claim_stale(const std::string& owner, int limit,
                                             std::chrono::milliseconds lease) {
  auto rows = database_.transaction([&](Connection& connection) {
    return connection.execute(kClaimStale,
                              {owner, std::int64_t{lease.count()}, std::int64_t{limit}});
  });
  std::vector<PendingCall> calls;
  for (const auto& row : rows)
    calls.push_back(to_pending_call(row));
  // RETURNING gives no order guarantee; a chat's calls must go out in the order decided.
  std::sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return calls;
}

void Outbox::finish(std::int64_t id, const std::string& error, std::int64_t message_id,
                    const std::string& job_id) {
  database_.transaction([&](Connection& connection) {
    connection.execute(kFinish, {id, error.empty() ? Value(nullptr) : Value(error)});
    if (message_id != 0 && !job_id.empty()) {
      connection.execute(kRecordMessage, {job_id, message_id});
    }
  });
}

void Outbox::retry_later(std::int64_t id, std::chrono::milliseconds delay,
                         const std::string& error) {
  database_.execute(kRetryLater, {id, std::int64_t{delay.count()}, error});
}

void Outbox::renew(const std::string& owner, const std::vector<std::int64_t>& ids,
                   std::chrono::milliseconds lease) {
  if (ids.empty()) return;
  database_.transaction([&](Connection& connection) {
    std::vector<Value> params{owner, std::int64_t{lease.count()}, std::int64_t{lease.count() / 2}};
    for (std::size_t start = 0; start < ids.size(); start += kRenewIds) {
      params.resize(3);
      for (std::size_t i = start; i < start + kRenewIds; ++i) {
        params.emplace_back(i < ids.size() ? ids[i] : std::int64_t{-1});
      }
      connection.execute(renew_sql(), params);
    }
  });
}

std::int64_t Outbox::pending_count() {
  return database_.execute(kPendingCount).front().integer("n");
}

std::optional<PendingCall> Outbox::unsent(std::int64_t id) {
  auto rows = database_.execute(kUnsent, {id});
  if (rows.empty()) return std::nullopt;
  return to_pending_call(rows.front());
}

bool first_time_update(Connection& connection, std::int64_t update_id) {
  return connection.execute(kFirstTime, {update_id}).affected == 1;
}

}  // namespace nc::store
