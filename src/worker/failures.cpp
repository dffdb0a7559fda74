#include "worker/failures.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "store/job_endings.hpp"
#include "store/outbox.hpp"
#include "store/users.hpp"
#include "worker/retry_policy.hpp"

namespace nc::worker {

using providers::ErrorClass;

boost::asio::awaitable<void> Failures::fail(const core::Job& job, std::string_view reason_text,
                                            std::string_view detail_text) {
  const std::string reason(reason_text);
  const std::string detail(detail_text);
  auto user = co_await pool_.run([&] { return store::Users(database_).find(job.tg_user_id); });
  const auto language = user ? user->language : "ru";
  spdlog::warn("job {}: failed: {} ({})", job.id, reason, detail);
  // The notice names whether the credit came back, which only the transaction knows.
  auto notice_for = [&](bool refunded) {
    nlohmann::json payload{{"chat_id", job.tg_user_id},
                           {"text", messages_.failure(language, reason, refunded)},
                           {"reply_markup", messages_.result_keyboard(language)}};
    return store::OutgoingCall{.chat_id = job.tg_user_id,
                               .method = "sendMessage",
                               .payload = payload.dump(),
                               .job_id = job.id};
  };
  auto ending = co_await pool_.run([&] {
    return store::JobEndings(database_).fail_and_refund(options_.owner, job.id,
                                                        reason + ": " + detail, notice_for);
  });
  if (ending.refunded && events_.on_credits) {
    const auto* spec = models_.spec_of(job);  // the order charged this per video
    events_.on_credits("refunded", spec ? spec->credits : 1);
  }
  if (ending.notice) {
    if (events_.on_transition) events_.on_transition(core::JobStatus::kFailed, job.age_s);
    std::vector<store::PendingCall> notice;
    notice.push_back(*ending.notice);
    outbox_.enqueue(std::move(notice));
  }
}

boost::asio::awaitable<void> Failures::handle_error(const core::Job& job,
                                                    const providers::ProviderError& error,
                                                    const store::JobChange& base) {
  switch (error.kind) {
    case ErrorClass::kNone:
      co_return;
    case ErrorClass::kPermanent: {
      const std::string reason =
          error.user_reason.empty() ? "the video could not be made" : error.user_reason;
      co_await fail(job, reason, error.message);
      co_return;
    }
    case ErrorClass::kOperator: {
      // Not the seller's fault and not worth a refund yet: wait, tell the admins, resume.
      spdlog::error("job {}: provider needs the operator: {}", job.id, error.message);
      co_await alert_admins(error.message);
      store::JobChange change = base;
      change.run_after = options_.operator_pause;
      change.error = "waiting for the operator: " + error.message;
      co_await recorder_.write(job, change);
      co_return;
    }
    case ErrorClass::kTransient: {
      if (job.attempts + 1 >= options_.max_transient_attempts) {
        co_await fail(job, "the video service is not responding", error.message);
        co_return;
      }
      store::JobChange change = base;
      change.run_after = retry_delay(error, backoff(job.attempts));
      change.count_attempt = true;
      change.error = error.message;
      spdlog::warn("job {}: {} — retry in {} ms", job.id, error.message, change.run_after->count());
      co_await recorder_.write(job, change);
      co_return;
    }
  }
}

boost::asio::awaitable<void> Failures::alert_admins(const std::string& problem) {
  if (options_.admin_ids.empty()) co_return;
  const auto text = "⚠️ NeuroCards: the video provider needs attention: " + problem +
                    "\nJobs wait and resume by themselves once it is fixed.";
  auto calls = co_await pool_.run([&] {
    // One message per problem per hour, however many jobs and workers run into it.
    return store::JobEndings(database_).alert_once_an_hour(
        options_.owner, "alert." + problem.substr(0, 60), options_.admin_ids, text);
  });
  outbox_.enqueue(std::move(calls));
}

}  // namespace nc::worker
