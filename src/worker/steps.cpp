// The job steps: submit to the provider, poll it, deliver the video, fail with a refund.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "core/prompt.hpp"
#include "net/hmac.hpp"
#include "net/signed_link.hpp"
#include "providers/kie/callback.hpp"
#include "providers/media/imaging.hpp"
#include "providers/media/transcode.hpp"
#include "store/commit_in_batch.hpp"
#include "store/ledger.hpp"
#include "store/outbox.hpp"
#include "store/photos.hpp"
#include "store/settings.hpp"
#include "store/users.hpp"
#include "worker/submit_request.hpp"
#include "worker/worker.hpp"

namespace nc::worker {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using core::JobStatus;
using providers::ErrorClass;

namespace {

constexpr std::int64_t kMaxResultBytes = 500LL << 20;
constexpr int kMaxDeliveryAttempts = 10;

// The provider's Retry-After when it gave one, else `otherwise`.
std::chrono::milliseconds retry_delay(const providers::ProviderError& error,
                                      std::chrono::milliseconds otherwise) {
  if (!error.retry_after) return otherwise;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*error.retry_after);
}

// Telegram errors worth another sendVideo later; the others will not change by waiting.
bool is_retryable(telegram::ApiError error) {
  return error == telegram::ApiError::kRateLimited || error == telegram::ApiError::kServer ||
         error == telegram::ApiError::kNetwork;
}

bool is_url(const std::string& text) {
  return text.starts_with("http://") || text.starts_with("https://");
}

}  // namespace

// The bot front ran on another host: its photo comes from the store into this DATA_DIR.
void Worker::restore_photo(const std::string& path) {
  const auto name = fs::path(path).filename().string();
  const auto base64 = store::Photos(database_).get(name);
  if (!base64) return;
  const auto bytes = net::base64_decode(*base64);
  if (!bytes) return;
  std::error_code ignored;
  fs::create_directories(fs::path(path).parent_path(), ignored);
  const auto partial = path + ".part";
  std::ofstream(partial, std::ios::binary)
      .write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  fs::rename(partial, path, ignored);
  spdlog::info("photo {} restored from the store", name);
}

asio::awaitable<std::string> Worker::reachable_image(core::Job& job, const core::ModelSpec& model,
                                                     providers::ProviderError& error) {
  // A ready-made public image is used as it is.
  if (is_url(job.input_photo_path)) co_return job.input_photo_path;
  if (!fs::exists(job.input_photo_path)) {
    co_await pool_.run([&] { restore_photo(job.input_photo_path); });
  }
  if (!fs::exists(job.input_photo_path)) {
    error.kind = ErrorClass::kPermanent;
    error.message = "input photo " + job.input_photo_path + " is missing";
    error.user_reason = "the product photo is no longer available";
    co_return "";
  }
  std::string file = job.input_photo_path;
  const auto inputs = fs::path(options_.data_dir) / "inputs";
  fs::create_directories(inputs);
  if (!model.takes_aspect_ratio() && model.family != core::ApiFamily::kLocal) {
    // The model follows the image's shape: give it a 9:16 frame with the product whole.
    const auto vertical = (inputs / (fs::path(file).stem().string() + "-9x16.jpg")).string();
    if (!fs::exists(vertical)) {
      co_await media_pool_.run([&] { media::imaging().reframe_vertical(file, vertical); });
    }
    file = vertical;
  }
  if (provider_.name() == "local") co_return file;
  if (!options_.public_base_url.empty()) {
    const auto name = fs::path(file).filename().string();
    if (!fs::exists(inputs / name)) fs::copy_file(file, inputs / name);
    co_return fmt::format("{}/files/{}?{}", options_.public_base_url, name,
                          net::sign_link(name, net::unix_now() + 24 * 3600, options_.link_secret));
  }
  // No public address: the provider's own upload (its links live 3 days; a retry after that
  // uploads again).
  const auto cached = job.provider_input_url;
  if (auto tab = cached.find('\t'); tab != std::string::npos) {
    if (std::stoll(cached.substr(tab + 1)) > net::unix_now() + 3600)
      co_return cached.substr(0, tab);
  }
  const auto unique_name = fmt::format("{}-{}.jpg", job.id.substr(0, 8), net::random_token(4));
  auto uploaded = co_await provider_.upload_image(file, unique_name);
  if (!uploaded.error.ok()) {
    error = uploaded.error;
    co_return "";
  }
  const auto expires =
      std::chrono::duration_cast<std::chrono::seconds>(uploaded.expires_at.time_since_epoch());
  job.provider_input_url = uploaded.url + "\t" + std::to_string(expires.count());
  co_return uploaded.url;
}

asio::awaitable<void> Worker::submit(core::Job& job) {
  if (!job.provider_task_id.empty()) {
    // Created before a crash: never a second task (a second charge at the provider).
    store::JobChange change;
    change.status = JobStatus::kGenerating;
    co_await write(job, change);
    co_return;
  }
  const auto in_flight = static_cast<double>(options_.create_in_flight.count());
  if (job.create_started_age_s && *job.create_started_age_s < in_flight) {
    // The worker that began this create lost the job inside the call; if it is alive it still
    // records the task under its token. Creating now could make a second, billed task.
    const auto wait = std::chrono::milliseconds(
        static_cast<std::int64_t>((in_flight - *job.create_started_age_s) * 1000.0) + 1);
    spdlog::info(
        "job {}: a create begun {:.1f} s ago may still be in flight; asking again in {} ms", job.id,
        *job.create_started_age_s, wait.count());
    co_await retry_later(job, "waiting for a create in flight to be recorded", wait);
    co_return;
  }
  if (job.create_started_age_s) {
    spdlog::warn(
        "job {}: the create begun {:.0f} s ago was cut off without an answer; creating "
        "again (the provider may have made a task that is never used)",
        job.id, *job.create_started_age_s);
    if (on_repeated_call) on_repeated_call("create");
  }
  const auto model_id = model_of(job);
  const auto* model = models_.find(model_id);
  if (!model) {
    const auto detail = fmt::format("model '{}' is not in the registry", model_id);
    co_await fail(job, "the video model is not available", detail);
    co_return;
  }
  const auto* format = catalog_.find(job.template_id);
  if (!format) format = catalog_.find("self");
  providers::ProviderError error;
  const auto image_url = co_await reachable_image(job, *model, error);
  if (!error.ok()) {
    const store::JobChange nothing_sent;
    co_await handle_error(job, error, nothing_sent);
    co_return;
  }
  auto request = make_submit_request(job.id, *model, *format, job.product_info, image_url);
  request.take = job.batch_index - 1;  // each video of a batch looks different
  if (!options_.public_base_url.empty() && provider_.name() != "local") {
    request.callback_url =
        providers::kie::callback_url(options_.public_base_url, job.id, options_.callback_secret);
  }
  // Recorded after the throttle, right before the request leaves: whoever finds it set without
  // a task knows a create may have reached the provider.
  const auto token = net::random_token(8);
  request.about_to_send = [this, &job, &token]() -> asio::awaitable<bool> {
    store::JobChange intent;
    intent.create_token = token;
    intent.release_lease = false;
    const bool recorded = co_await write(job, intent);
    co_return recorded;
  };
  auto result = co_await provider_.submit(request);
  if (!result.ok()) {
    store::JobChange came_back;
    came_back.clear_intents = true;
    co_await handle_error(job, result.error, came_back);
    co_return;
  }
  spdlog::info("job {}: task {} created at {} ({})", job.id, result.task_id, provider_.name(),
               model_id);
  co_await save_created_task(job, token, result);
}

// Guarded by the create's token rather than the lease: a worker that lost its lease while the
// create was in flight still records the task it paid for.
asio::awaitable<void> Worker::save_created_task(core::Job& job, const std::string& token,
                                                const providers::SubmitResult& result) {
  store::JobChange change;
  change.status = JobStatus::kGenerating;
  change.provider = std::string(provider_.name());
  change.provider_task_id = result.task_id;
  change.provider_input_url = job.provider_input_url;
  job.state_age_s = 0;
  change.run_after = poll_interval(job);
  change.error = "";
  change.clear_intents = true;
  bool saved = false;
  auto update = [&](store::Connection& connection) {
    saved = store::JobQueue::update_as_creator(connection, job.id, token, change);
  };
  co_await store::commit_in_batch(batcher_, update);
  if (saved) {
    if (on_transition) on_transition(JobStatus::kGenerating, job.age_s);
  } else {
    spdlog::warn("job {}: task {} was created, but the job has another task by now; it is not used",
                 job.id, result.task_id);
  }
}

asio::awaitable<void> Worker::retry_later(core::Job& job, std::string_view error,
                                          std::chrono::milliseconds after) {
  store::JobChange change;
  change.run_after = after;
  change.error = std::string(error);
  co_await write(job, change);
}

asio::awaitable<void> Worker::handle_error(core::Job& job, const providers::ProviderError& error,
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
      co_await write(job, change);
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
      co_await write(job, change);
      co_return;
    }
  }
}

asio::awaitable<void> Worker::poll(core::Job& job) {
  auto status = co_await provider_.status(model_of(job), job.provider_task_id);
  if (!status.error.ok() && status.state != providers::TaskState::kFailed) {
    if (status.error.kind == ErrorClass::kTransient) {
      // The task runs on at the provider whatever its status endpoint says now: ask again at
      // the next regular poll, until the job's deadline.
      store::JobChange change;
      change.run_after = retry_delay(status.error, poll_interval(job));
      change.count_attempt = true;
      change.error = status.error.message;
      co_await write(job, change);
      co_return;
    }
    const store::JobChange nothing_new;
    co_await handle_error(job, status.error, nothing_new);
    co_return;
  }
  if (status.state == providers::TaskState::kPending) {
    // Waiting for a task that is still running is not a failed attempt.
    co_await retry_later(job, "", poll_interval(job));
    co_return;
  }
  if (status.state == providers::TaskState::kFailed) {
    const std::string reason =
        status.error.user_reason.empty() ? "the video could not be made" : status.error.user_reason;
    co_await fail(job, reason, status.error.message);
    co_return;
  }
  if (status.result_urls.empty()) {
    co_await fail(job, "the video could not be made", "success without a result URL");
    co_return;
  }
  const auto path = (fs::path(options_.data_dir) / "results" / (job.id + ".mp4")).string();
  // Provider links expire: fetch the video now.
  const bool downloaded = co_await download_result(job, status.result_urls.front(), path);
  if (!downloaded) {
    store::JobChange change;
    change.run_after = backoff(job.attempts);
    change.count_attempt = true;
    change.error = "result download failed";
    co_await write(job, change);
    co_return;
  }
  store::JobChange change;
  change.status = JobStatus::kDelivering;
  change.result_url = status.result_urls.front();
  change.result_path = path;
  change.release_lease = false;
  change.error = "";
  const bool written = co_await write(job, change);
  if (!written) co_return;
  job.status = JobStatus::kDelivering;
  job.result_url = status.result_urls.front();
  job.result_path = path;
  job.attempts = 0;
  job.state_age_s = 0;
  co_await deliver(job);
}

asio::awaitable<bool> Worker::download_result(const core::Job& job, const std::string& url,
                                              const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  if (url.starts_with("file://")) {
    std::error_code error;
    fs::copy_file(url.substr(7), path, fs::copy_options::overwrite_existing, error);
    if (error) spdlog::error("job {}: cannot copy the result: {}", job.id, error.message());
    co_return !error;
  }
  net::HttpRequest request;
  request.url = url;
  request.download_to = path;
  request.max_response_bytes = kMaxResultBytes;
  request.timeout = std::chrono::minutes(5);
  auto response = co_await http_.send(std::move(request));
  if (on_result_download) on_result_download(response.ok());
  if (!response.ok()) {
    spdlog::warn("job {}: result download failed: {} (HTTP {})", job.id, response.error,
                 response.status);
  }
  co_return response.ok();
}

asio::awaitable<void> Worker::deliver(core::Job& job) {
  bool have_result = fs::exists(job.result_path);
  if (!have_result) have_result = co_await download_result(job, job.result_url, job.result_path);
  if (!have_result) {
    co_await fail(job, "the finished video could not be fetched", "result gone before delivery");
    co_return;
  }
  // One ffprobe run (about 0.1 s) both checks the video and sizes it; it refuses what it cannot
  // read.
  auto fitted = co_await media_pool_.run(
      [&] { return media::fit_for_telegram(job.result_path, job.result_path + ".tg.mp4"); });
  if (!fitted.ok) {
    co_await fail(job, "the provider returned a broken video", fitted.error);
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
    if (on_repeated_call) on_repeated_call("send");
  }
  store::JobChange intent;
  intent.send_started = true;
  intent.release_lease = false;
  const bool recorded = co_await write(job, intent);
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
  } else if (!is_retryable(sent.error) || job.attempts + 1 >= kMaxDeliveryAttempts) {
    // `done` means the seller has the video: one that cannot be delivered fails and is refunded.
    spdlog::error("job {}: delivery failed for good: {}", job.id, sent.description);
    const auto detail = "sendVideo: " + sent.description;
    co_await fail(job, "the finished video could not be delivered", detail);
    co_return;
  } else {
    change.run_after = backoff(job.attempts);
    change.count_attempt = true;
    change.error = "delivery failed: " + sent.description;
  }
  co_await write(job, change);
}

asio::awaitable<void> Worker::fail(core::Job& job, std::string_view reason_text,
                                   std::string_view detail_text) {
  const std::string reason(reason_text);
  const std::string detail(detail_text);
  auto user = co_await pool_.run([&] { return store::Users(database_).find(job.tg_user_id); });
  const auto language = user ? user->language : "ru";
  spdlog::warn("job {}: failed: {} ({})", job.id, reason, detail);
  // The failure, the refund and the notice to the seller commit together, or not at all.
  auto outcome = co_await pool_.run([&] {
    return database_.transaction([&](store::Connection& connection) {
      std::optional<store::PendingCall> notice;
      store::JobChange change;
      change.status = JobStatus::kFailed;
      change.error = reason + ": " + detail;
      if (!store::JobQueue::update(connection, options_.owner, job.id, change)) {
        return std::pair<bool, std::optional<store::PendingCall>>{false, notice};
      }
      const auto refund = store::Ledger::refund_job(connection, job.id);
      const bool refunded = refund == store::PostingOutcome::kApplied;
      nlohmann::json payload{{"chat_id", job.tg_user_id},
                             {"text", messages_.failure(language, reason, refunded)},
                             {"reply_markup", messages_.result_keyboard(language)}};
      notice = store::Outbox::add(connection,
                                  store::OutgoingCall{.chat_id = job.tg_user_id,
                                                      .method = "sendMessage",
                                                      .payload = payload.dump(),
                                                      .job_id = job.id},
                                  options_.owner, std::chrono::seconds(60));
      return std::pair<bool, std::optional<store::PendingCall>>{refunded, notice};
    });
  });
  if (outcome.first && on_credits) {
    const auto* spec = models_.find(model_of(job));  // the order charged this per video
    on_credits("refunded", spec ? spec->credits : 1);
  }
  if (outcome.second) {
    if (on_transition) on_transition(JobStatus::kFailed, job.age_s);
    std::vector<store::PendingCall> notice;
    notice.push_back(*outcome.second);
    outbox_.enqueue(std::move(notice));
  }
}

asio::awaitable<void> Worker::alert_admins(const std::string& problem) {
  if (options_.admin_ids.empty()) co_return;
  auto calls = co_await pool_.run([&] {
    // One message per problem per hour, however many jobs and workers run into it.
    return database_.transaction([&](store::Connection& connection) {
      std::vector<store::PendingCall> notices;
      const auto key = "alert." + problem.substr(0, 60);
      auto last = connection.execute("SELECT value FROM settings WHERE key = $1", {key});
      if (!last.empty() && net::unix_now() - std::stoll(last.front().text("value")) < 3600)
        return notices;
      store::Settings::put(connection, key, std::to_string(net::unix_now()));
      for (auto admin : options_.admin_ids) {
        nlohmann::json payload{
            {"chat_id", admin},
            {"text", "⚠️ NeuroCards: the video provider needs attention: " + problem +
                         "\nJobs wait and resume by themselves once it is fixed."}};
        notices.push_back(store::Outbox::add(
            connection,
            store::OutgoingCall{
                .chat_id = admin, .method = "sendMessage", .payload = payload.dump()},
            options_.owner, std::chrono::seconds(60)));
      }
      return notices;
    });
  });
  outbox_.enqueue(std::move(calls));
}

}  // namespace nc::worker
