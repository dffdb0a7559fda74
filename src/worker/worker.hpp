// The worker: claims due jobs under a lease and steps each through
// queued → submitting → generating → delivering → done (or failed, refunded once), up to
// WORKER_CONCURRENCY at once on one event loop. Every transition is written guarded by the
// lease; a job that has a provider task is never submitted again; a crash loses nothing.
// The steps are units of their own (submit_step, poll_step, deliver_step, failures); this is
// the claim loop, the leases and the stop.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/job.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "net/http_client.hpp"
#include "providers/provider.hpp"
#include "store/database.hpp"
#include "store/job_queue.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/outbox_sender.hpp"
#include "worker/deliver_step.hpp"
#include "worker/events.hpp"
#include "worker/failures.hpp"
#include "worker/input_images.hpp"
#include "worker/job_recorder.hpp"
#include "worker/model_choice.hpp"
#include "worker/options.hpp"
#include "worker/poll_step.hpp"
#include "worker/result_download.hpp"
#include "worker/submit_step.hpp"
#include "worker/user_messages.hpp"

namespace nc::worker {

// What a worker is built from; each must outlive it.
struct WorkerParts {
  boost::asio::io_context& io;
  store::Database& database;
  net::BlockingPool& pool;
  providers::Provider& provider;
  telegram::BotTransport& telegram;
  telegram::OutboxSender& outbox;  // failure notices and admin alerts
  net::HttpClient& http;           // result downloads
  const core::ModelRegistry& models;
  const core::TemplateCatalog& catalog;
  const UserMessages& messages;
  const media::Imaging& imaging;
};

class Worker {
 public:
  Worker(WorkerParts parts, WorkerOptions options);
  ~Worker();

  boost::asio::awaitable<void> run();  // until stop()
  // Stops claiming; steps in progress finish; every lease is handed back.
  void stop();
  std::size_t in_flight() const { return active_.size(); }
  bool stopped() const { return stopping_; }

  WorkerEvents events;  // for metrics

 private:
  boost::asio::awaitable<void> step(core::Job job);
  boost::asio::awaitable<void> advance(core::Job& job);  // one step of the job's state
  boost::asio::awaitable<void> cancel_steps_after_grace();
  // Waits or stops before a step's work: false when the job was failed or put off instead.
  boost::asio::awaitable<bool> within_deadline(core::Job& job);
  boost::asio::awaitable<void> renew_leases();
  struct ClaimRound {
    std::vector<core::Job> jobs;
    std::optional<std::chrono::milliseconds> next_due;  // set when slots were left free
  };
  boost::asio::awaitable<ClaimRound> claim_round(int free_slots);
  static constexpr std::chrono::milliseconds kClaimSpacing{25};
  void start_waiter();
  void wake();

  boost::asio::io_context& io_;
  store::Database& database_;
  net::BlockingPool& pool_;
  WorkerOptions options_;
  std::string provider_name_;
  // ffprobe/ffmpeg and image work: seconds or minutes each, so they never hold up the
  // database calls on pool_.
  net::BlockingPool media_pool_{2};
  store::JobQueue queue_;
  ModelChoice models_;
  JobRecorder recorder_;
  Failures failures_;
  InputImages inputs_;
  ResultDownload download_;
  SubmitStep submit_;
  DeliverStep deliver_;
  PollStep poll_;
  // The jobs being stepped, each with the signal that cancels its step on stop.
  std::map<std::string, std::unique_ptr<boost::asio::cancellation_signal>> active_;
  bool stopping_ = false;
  boost::asio::steady_timer wake_timer_;
  std::atomic<bool> waiter_running_{false};
  std::thread waiter_thread_;
};

}  // namespace nc::worker
