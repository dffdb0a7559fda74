#include "worker/submit_step.hpp"

#include <spdlog/spdlog.h>

#include "net/hmac.hpp"
#include "worker/retry_policy.hpp"
#include "worker/submit_request.hpp"

namespace nc::worker {

using core::JobStatus;

boost::asio::awaitable<void> SubmitStep::run(core::Job& job) {
  if (!job.provider_task_id.empty()) {
    // Created before a crash: never a second task (a second charge at the provider).
    store::JobChange change;
    change.status = JobStatus::kGenerating;
    co_await recorder_.write(job, change);
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
    co_await recorder_.retry_later(job, "waiting for a create in flight to be recorded", wait);
    co_return;
  }
  if (job.create_started_age_s) {
    spdlog::warn(
        "job {}: the create begun {:.0f} s ago was cut off without an answer; creating "
        "again (the provider may have made a task that is never used)",
        job.id, *job.create_started_age_s);
    if (events_.on_repeated_call) events_.on_repeated_call("create");
  }
  const auto model_id = models_.id_of(job);
  const auto* model = models_.spec_of(job);
  if (!model) {
    const auto detail = fmt::format("model '{}' is not in the registry", model_id);
    co_await failures_.fail(job, "the video model is not available", detail);
    co_return;
  }
  const auto* format = catalog_.find(job.template_id);
  if (!format) format = catalog_.find("self");
  providers::ProviderError error;
  const auto image_url = co_await inputs_.resolve(job, *model, error);
  if (!error.ok()) {
    const store::JobChange nothing_sent;
    co_await failures_.handle_error(job, error, nothing_sent);
    co_return;
  }
  auto request = make_submit_request(job.id, *model, *format, job.product_info, image_url);
  request.take = job.batch_index - 1;  // each video of a batch looks different
  request.callback_url = provider_.callback_url(job.id);
  // Recorded after the throttle, right before the request leaves: whoever finds it set without
  // a task knows a create may have reached the provider.
  const auto token = net::random_token(8);
  request.about_to_send = [this, &job, &token]() -> boost::asio::awaitable<bool> {
    store::JobChange intent;
    intent.create_token = token;
    intent.release_lease = false;
    const bool recorded = co_await recorder_.write(job, intent);
    co_return recorded;
  };
  auto result = co_await provider_.submit(request);
  if (!result.ok()) {
    store::JobChange came_back;
    came_back.clear_intents = true;
    co_await failures_.handle_error(job, result.error, came_back);
    co_return;
  }
  spdlog::info("job {}: task {} created at {} ({})", job.id, result.task_id, provider_.name(),
               model_id);
  co_await save_created_task(job, token, result);
}

boost::asio::awaitable<void> SubmitStep::save_created_task(core::Job& job, const std::string& token,
                                                           const providers::SubmitResult& result) {
  store::JobChange change;
  change.status = JobStatus::kGenerating;
  change.provider = std::string(provider_.name());
  change.provider_task_id = result.task_id;
  change.provider_input_url = job.provider_input_url;
  change.provider_input_expires_at = job.provider_input_expires_at;
  job.state_age_s = 0;
  change.run_after = poll_interval(models_.spec_of(job), job);
  change.error = "";
  change.clear_intents = true;
  const bool saved = co_await recorder_.write_as_creator(job, token, change);
  if (!saved) {
    spdlog::warn("job {}: task {} was created, but the job has another task by now; it is not used",
                 job.id, result.task_id);
  }
}

}  // namespace nc::worker
