#include "worker/poll_step.hpp"

#include <filesystem>

#include "worker/retry_policy.hpp"

namespace nc::worker {

namespace fs = std::filesystem;
using core::JobStatus;
using providers::ErrorClass;

boost::asio::awaitable<void> PollStep::run(core::Job& job) {
  const auto* model = models_.spec_of(job);
  auto status = co_await provider_.status(models_.id_of(job), job.provider_task_id);
  if (!status.error.ok() && status.state != providers::TaskState::kFailed) {
    if (status.error.kind == ErrorClass::kTransient) {
      // The task runs on at the provider whatever its status endpoint says now: ask again at
      // the next regular poll, until the job's deadline.
      store::JobChange change;
      change.run_after = retry_delay(status.error, poll_interval(model, job));
      change.count_attempt = true;
      change.error = status.error.message;
      co_await recorder_.write(job, change);
      co_return;
    }
    const store::JobChange nothing_new;
    co_await failures_.handle_error(job, status.error, nothing_new);
    co_return;
  }
  if (status.state == providers::TaskState::kPending) {
    // Waiting for a task that is still running is not a failed attempt.
    co_await recorder_.retry_later(job, "", poll_interval(model, job));
    co_return;
  }
  if (status.state == providers::TaskState::kFailed) {
    const std::string reason =
        status.error.user_reason.empty() ? "the video could not be made" : status.error.user_reason;
    co_await failures_.fail(job, reason, status.error.message);
    co_return;
  }
  if (status.result_urls.empty()) {
    co_await failures_.fail(job, "the video could not be made", "success without a result URL");
    co_return;
  }
  const auto path = (fs::path(options_.data_dir) / "results" / (job.id + ".mp4")).string();
  const bool downloaded = co_await download_.fetch(job, status.result_urls.front(), path);
  if (!downloaded) {
    store::JobChange change;
    change.run_after = backoff(job.attempts);
    change.count_attempt = true;
    change.error = "result download failed";
    co_await recorder_.write(job, change);
    co_return;
  }
  store::JobChange change;
  change.status = JobStatus::kDelivering;
  change.result_url = status.result_urls.front();
  change.result_path = path;
  change.release_lease = false;
  change.error = "";
  const bool written = co_await recorder_.write(job, change);
  if (!written) co_return;
  job.status = JobStatus::kDelivering;
  job.result_url = status.result_urls.front();
  job.result_path = path;
  job.attempts = 0;
  job.state_age_s = 0;
  co_await deliver_.run(job);
}

}  // namespace nc::worker
