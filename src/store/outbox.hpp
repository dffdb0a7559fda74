// The outbox: Bot API calls decided while handling an update, written in the same transaction
// as its effects (and the update's id), sent afterwards. Rows are leased like jobs so a
// crashed front's unsent replies are picked up by a sweeper, never sent by two at once.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

struct OutgoingCall {
  std::int64_t chat_id = 0;
  std::string method;   // sendMessage, answerCallbackQuery, editMessageText, …
  std::string payload;  // JSON object of the method's parameters
  int priority = 0;     // higher first: callback answers must not wait behind sends
  std::string job_id;   // set: the sent message's id is recorded on this job
};

struct PendingCall {
  std::int64_t id = 0;
  std::int64_t chat_id = 0;
  std::string method;
  std::string payload;
  int attempts = 0;
  std::string job_id;
};

class Outbox {
 public:
  // How long a sender holds a call before a sweeper may take it over (renewed while queued).
  static constexpr std::chrono::seconds kLease{60};

  explicit Outbox(Database& database) : database_(database) {}

  // In the handling transaction: queues the call leased to `owner`, who sends it right after
  // the commit.
  static PendingCall add(Connection& connection, const OutgoingCall& call, const std::string& owner,
                         std::chrono::milliseconds lease);

  // Unsent calls whose lease ran out (their front died or gave up for now), oldest first.
  std::vector<PendingCall> claim_stale(const std::string& owner, int limit,
                                       std::chrono::milliseconds lease);
  // Extends the leases `owner` holds on these calls (they are still queued there) to `lease`
  // from now. Only leases past half their length are touched: a front sweeping often over a
  // backlog of thousands of replies rewrites each row about once per half lease, not per sweep.
  void renew(const std::string& owner, const std::vector<std::int64_t>& ids,
             std::chrono::milliseconds lease);
  // Done: sent, or failed for good (`error` says why; e.g. the user blocked the bot). A sent
  // message about a job is recorded on the job.
  void finish(std::int64_t id, const std::string& error = "", std::int64_t message_id = 0,
              const std::string& job_id = "");
  // Not sent now; try again after `delay`.
  void retry_later(std::int64_t id, std::chrono::milliseconds delay, const std::string& error);
  std::int64_t pending_count();
  // A call not sent yet, by id (a sender with a long line keeps only the ids in memory).
  std::optional<PendingCall> unsent(std::int64_t id);

 private:
  Database& database_;
};

// update_id dedupe: true the first time an update is seen, in the transaction of its effects.
bool first_time_update(Connection& connection, std::int64_t update_id);

}  // namespace nc::store
