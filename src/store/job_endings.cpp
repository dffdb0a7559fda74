#include "store/job_endings.hpp"

#include <nlohmann/json.hpp>

#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/settings.hpp"

namespace nc::store {
namespace {

constexpr std::int64_t kAlertEverySeconds = 3600;

}  // namespace

JobEnding JobEndings::fail_and_refund(
    const std::string& owner, const std::string& job_id, const std::string& error,
    const std::function<OutgoingCall(bool refunded)>& notice_for) {
  return database_.transaction([&](Connection& connection) {
    JobEnding ending;
    JobChange change;
    change.status = core::JobStatus::kFailed;
    change.error = error;
    if (!JobQueue::update(connection, owner, job_id, change)) return ending;
    ending.refunded = Ledger::refund_job(connection, job_id) == PostingOutcome::kApplied;
    ending.notice = Outbox::add(connection, notice_for(ending.refunded), owner, Outbox::kLease);
    return ending;
  });
}

std::vector<PendingCall> JobEndings::alert_once_an_hour(const std::string& owner,
                                                        const std::string& key,
                                                        const std::vector<std::int64_t>& admin_ids,
                                                        const std::string& text) {
  return database_.transaction([&](Connection& connection) {
    std::vector<PendingCall> notices;
    if (!Settings::claim_once_per(connection, key, kAlertEverySeconds)) {
      return notices;
    }
    for (auto admin : admin_ids) {
      const nlohmann::json payload{{"chat_id", admin}, {"text", text}};
      notices.push_back(Outbox::add(
          connection,
          OutgoingCall{.chat_id = admin, .method = "sendMessage", .payload = payload.dump()}, owner,
          Outbox::kLease));
    }
    return notices;
  });
}

}  // namespace nc::store
