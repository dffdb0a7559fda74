#include "worker/worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nc::worker {

namespace asio = boost::asio;
using core::JobStatus;

namespace {

std::string default_model(const providers::Provider& provider, const WorkerOptions& options) {
  return provider.capabilities().renders_locally ? "local" : options.default_model;
}

}  // namespace

Worker::Worker(WorkerParts parts, WorkerOptions options)
    : io_(parts.io),
      database_(parts.database),
      pool_(parts.pool),
      options_(std::move(options)),
      provider_name_(parts.provider.name()),
      queue_(parts.database),
      models_(parts.models, default_model(parts.provider, options_)),
      recorder_(parts.database, options_.owner, events),
      failures_(parts.database, parts.pool, parts.outbox, parts.messages, models_, options_,
                recorder_, events),
      inputs_(parts.database, parts.pool, media_pool_, parts.imaging, parts.provider, options_),
      download_(parts.http, events,
                DownloadPolicy{.local_files = parts.provider.capabilities().renders_locally,
                               .private_addresses = options.results_from_private_addresses}),
      submit_(parts.provider, inputs_, models_, parts.catalog, recorder_, failures_, options_,
              events),
      deliver_(parts.database, parts.pool, media_pool_, parts.telegram, parts.messages, download_,
               recorder_, failures_, options_, events),
      poll_(parts.provider, models_, download_, deliver_, recorder_, failures_, options_),
      wake_timer_(parts.io) {
  // A step that makes its job due before the loop meant to look again moves the loop's alarm.
  recorder_.on_due = [this](std::chrono::milliseconds delay) {
    if (std::chrono::steady_clock::now() + delay < wake_timer_.expiry()) wake();
  };
}

Worker::~Worker() {
  waiter_running_ = false;
  if (waiter_thread_.joinable()) waiter_thread_.join();
}

void Worker::wake() {
  wake_timer_.cancel();
}

// New jobs (also ones inserted by hand on PostgreSQL) wake the claim loop at once. The waiter
// blocks, so it gets a thread of its own and posts the wake-up to the loop.
void Worker::start_waiter() {
  waiter_running_ = true;
  waiter_thread_ = std::thread([this] {
    std::unique_ptr<store::JobWaiter> waiter;
    while (waiter_running_) {
      try {
        if (!waiter) waiter = database_.make_job_waiter();
        if (waiter->wait(std::chrono::milliseconds(500))) {
          asio::post(io_, [this] { wake(); });
        }
      } catch (const std::exception& error) {
        spdlog::warn("job wake-up listener: {}; retrying", error.what());
        waiter.reset();
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
    }
  });
}

void Worker::stop() {
  stopping_ = true;
  waiter_running_ = false;
  wake();
}

asio::awaitable<void> Worker::renew_leases() {
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(options_.lease / 3);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (active_.empty()) continue;
    std::vector<std::string> ids;
    for (const auto& entry : active_)
      ids.push_back(entry.first);
    try {
      co_await pool_.run([&] { queue_.renew(options_.owner, ids, options_.lease); });
    } catch (const std::exception& error) {
      spdlog::error("renewing leases failed: {}", error.what());
    }
  }
}

// One trip to the database per round: the due jobs, and when that left slots free, how long
// until the next one is due.
asio::awaitable<Worker::ClaimRound> Worker::claim_round(int free_slots) {
  ClaimRound round;
  try {
    round = co_await pool_.run([&] {
      ClaimRound found;
      found.jobs = queue_.claim(options_.owner, free_slots, options_.lease);
      if (static_cast<int>(found.jobs.size()) < free_slots) found.next_due = queue_.next_due_in();
      return found;
    });
  } catch (const std::exception& error) {
    spdlog::error("claiming jobs failed: {}", error.what());
  }
  co_return round;
}

// The loop sleeps until the next job falls due (a poll, a retry), at most a sweep period, and
// at least kClaimSpacing so jobs falling due close together are claimed in one round. New jobs
// and provider callbacks wake it at once; a finished step wakes it only when every slot was
// taken, and a step that makes its job due sooner than the loop's alarm moves the alarm.
asio::awaitable<void> Worker::run() {
  start_waiter();
  asio::co_spawn(io_, renew_leases(), asio::detached);
  spdlog::info("worker {} ready: up to {} jobs at once, provider {}", options_.owner,
               options_.concurrency, provider_name_);
  while (!stopping_) {
    const int free_slots = options_.concurrency - static_cast<int>(active_.size());
    ClaimRound round;
    if (free_slots > 0) round = co_await claim_round(free_slots);
    for (auto& job : round.jobs) {
      auto& cancel = active_[job.id];
      cancel = std::make_unique<asio::cancellation_signal>();
      asio::co_spawn(io_, step(std::move(job)),
                     asio::bind_cancellation_slot(cancel->slot(), asio::detached));
    }
    const bool all_slots_taken = static_cast<int>(round.jobs.size()) == free_slots;
    if (!round.jobs.empty() && all_slots_taken) continue;
    std::chrono::milliseconds pause = options_.sweep;
    if (round.next_due) pause = std::clamp(*round.next_due, kClaimSpacing, pause);
    wake_timer_.expires_after(pause);
    boost::system::error_code ignored;
    co_await wake_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  // Steps in progress get a short grace to finish; then whatever they wait on is cancelled, and
  // their jobs are handed back so other workers take them at once instead of after the lease.
  co_await cancel_steps_after_grace();
  const auto released = co_await pool_.run([&] { return queue_.release_all(options_.owner); });
  spdlog::info("worker stopped; {} jobs handed back", released);
  if (waiter_thread_.joinable()) waiter_thread_.join();
}

asio::awaitable<void> Worker::cancel_steps_after_grace() {
  const auto grace_ends = std::chrono::steady_clock::now() + options_.shutdown_grace;
  asio::steady_timer pause(io_);
  bool cancelled = false;
  while (!active_.empty()) {
    if (!cancelled && std::chrono::steady_clock::now() >= grace_ends) {
      spdlog::warn("stopping: cancelling {} steps still waiting; their jobs are handed back",
                   active_.size());
      for (auto& entry : active_)
        entry.second->emit(asio::cancellation_type::terminal);
      cancelled = true;
    }
    // Only database calls cannot be interrupted, and they take milliseconds.
    pause.expires_after(std::chrono::milliseconds(20));
    co_await pause.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> Worker::step(core::Job job) {
  std::string failure;
  try {
    const bool in_time = co_await within_deadline(job);
    if (in_time) co_await advance(job);
  } catch (const std::exception& error) {
    failure = error.what();
  }
  if (!failure.empty() && stopping_) {
    // Cancelled on stop (or failing while stopping): nothing more is written; the job is
    // handed back as it stands.
    spdlog::info("job {}: step interrupted by the stop ({})", job.id, failure);
  } else if (!failure.empty()) {
    spdlog::error("job {}: step failed: {}", job.id, failure);
    try {
      if (job.attempts + 1 >= options_.max_transient_attempts) {
        co_await failures_.fail(job, "something went wrong on our side", failure);
      } else {
        store::JobChange change;
        change.run_after = std::chrono::seconds(30);
        change.error = failure;
        change.count_attempt = true;
        co_await recorder_.write(job, change);
      }
    } catch (const std::exception& again) {
      spdlog::error("job {}: cannot record the failure: {}", job.id, again.what());
    }
  }
  // Only the claim loop adds jobs, so with every slot taken it is asleep waiting for one.
  const bool slots_were_full = static_cast<int>(active_.size()) >= options_.concurrency;
  active_.erase(job.id);
  if (!stopping_ && slots_were_full) wake();  // the slot the loop waited for
}

asio::awaitable<void> Worker::advance(core::Job& job) {
  if (job.status == JobStatus::kQueued) {
    store::JobChange change;
    change.status = JobStatus::kSubmitting;
    change.release_lease = false;
    const bool written = co_await recorder_.write(job, change);
    if (!written) co_return;
    job.status = JobStatus::kSubmitting;
    job.attempts = 0;
    co_await submit_.run(job);
  } else if (job.status == JobStatus::kSubmitting) {
    co_await submit_.run(job);
  } else if (job.status == JobStatus::kGenerating) {
    co_await poll_.run(job);
  } else if (job.status == JobStatus::kDelivering) {
    co_await deliver_.run(job);
  }
}

// Every state has a deadline: until the video exists the job's own (JOB_DEADLINE_MINUTES from
// the order); delivery its own, from the moment the video was ready.
asio::awaitable<bool> Worker::within_deadline(core::Job& job) {
  const auto deadline = static_cast<double>(options_.deadline.count());
  if (job.status == JobStatus::kDelivering) {
    if (job.state_age_s <= static_cast<double>(options_.delivery_deadline.count())) co_return true;
    co_await failures_.fail(job, "the finished video could not be delivered",
                            "delivery deadline passed");
    co_return false;
  }
  if (job.age_s <= deadline) co_return true;
  const auto detail = job.status == JobStatus::kGenerating
                          ? "deadline passed while generating"
                          : "deadline passed before the video was made";
  co_await failures_.fail(job, "it took too long", detail);
  co_return false;
}

}  // namespace nc::worker
