// The writes that end a job badly or stop it for the operator, each one transaction: a failed
// job, its refund and the seller's notice commit together or not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/outbox.hpp"

namespace nc::store {

struct JobEnding {
  bool refunded = false;              // this call gave the credit back (never twice)
  std::optional<PendingCall> notice;  // set when the job was failed here: send it now
};

class JobEndings {
 public:
  explicit JobEndings(Database& database) : database_(database) {}

  // Fails the job while `owner` holds its lease, refunds its charge once and queues the notice
  // `notice_for(refunded)` leased to `owner`. Nothing happens when the lease was lost.
  JobEnding fail_and_refund(const std::string& owner, const std::string& job_id,
                            const std::string& error,
                            const std::function<OutgoingCall(bool refunded)>& notice_for);

  // Queues `text` to each admin unless `key` was alerted less than an hour ago (by any worker
  // on any host); the calls to send now.
  std::vector<PendingCall> alert_once_an_hour(const std::string& owner, const std::string& key,
                                              const std::vector<std::int64_t>& admin_ids,
                                              const std::string& text);

 private:
  Database& database_;
};

}  // namespace nc::store
