#include "worker/deliver_step.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "media/transcode.hpp"
#include "store/users.hpp"
#include "worker/retry_policy.hpp"

namespace nc::worker {

namespace fs = std::filesystem;
using core::JobStatus;

namespace {

// Telegram errors worth another sendVideo later; the others will not change by waiting.
bool is_retryable(telegram::ApiError error) {
  return error == telegram::ApiError::kRateLimited || error == telegram::ApiError::kServer ||
         error == telegram::ApiError::kNetwork;
}

}  // namespace

boost::asio::awaitable<void> DeliverStep::run(core::Job& job) {
  bool have_result = fs::exists(job.result_path);
  if (!have_result) have_result = co_await download_.fetch(job, job.result_url, job.result_path);
  if (!have_result) {
    co_await failures_.fail(job, "the finished video could not be fetched",
                            "result gone before delivery");
    co_return;
  }
  // One ffprobe run (about 0.1 s) both checks the video and sizes it; it refuses what it cannot
  // read.
  auto fitted = co_await media_pool_.run(
      [&] { return media::fit_for_telegram(job.result_path, job.result_path + ".tg.mp4"); });
  if (!fitted.ok) {
    co_await failures_.fail(job, "the provider returned a broken video", fitted.error);
    co_return;
  }
  auto user = co_await pool_.run([&] { return store::Users(database_).find(job.tg_user_id); });
  const auto language = user ? user->language : "ru";
  const auto caption = messages_.ready_caption(language, job.batch_index, job.batch_size);
  if (job.send_started_age_s) {
    spdlog::warn(
        "job {}: the sendVideo begun {:.0f} s ago was cut off without an answer; "
        "sending again (the seller may get the video twice)",
        job.id, *job.send_started_age_s);
    if (events_.on_repeated_call) events_.on_repeated_call("send");
  }
  store::JobChange intent;
  intent.send_started = true;
  intent.release_lease = false;
  const bool recorded = co_await recorder_.write(job, intent);
  if (!recorded) co_return;
  auto sent = co_await telegram_.send_video(job.tg_user_id, fitted.path, caption,
                                            messages_.result_keyboard(language));
  store::JobChange change;
  change.clear_intents = true;
  if (sent.ok()) {
    change.status = JobStatus::kDone;
    change.delivered = true;
    change.tg_message_id = sent.result.value("message_id", 0LL);
    change.error = "";
    spdlog::info("job {}: delivered to user {}", job.id, job.tg_user_id);
  } else if (sent.error == telegram::ApiError::kBlocked) {
    // The video was made; the seller chose not to receive it. Kept for /history, not refunded.
    change.status = JobStatus::kDone;
    change.delivered = false;
    change.error = "not delivered: " + sent.description;
    co_await pool_.run([&] { store::Users(database_).mark_blocked(job.tg_user_id); });
  } else if (!is_retryable(sent.error) || job.attempts + 1 >= options_.max_delivery_attempts) {
    spdlog::error("job {}: delivery failed for good: {}", job.id, sent.description);
    const auto detail = "sendVideo: " + sent.description;
    co_await failures_.fail(job, "the finished video could not be delivered", detail);
    co_return;
  } else {
    change.run_after = backoff(job.attempts);
    change.count_attempt = true;
    change.error = "delivery failed: " + sent.description;
  }
  co_await recorder_.write(job, change);
}

}  // namespace nc::worker
