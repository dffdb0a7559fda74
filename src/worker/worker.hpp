// The worker: claims due jobs under a lease and steps each through
// queued → submitting → generating → delivering → done (or failed, refunded once), up to
// WORKER_CONCURRENCY at once on one event loop. Every transition is written guarded by the
// lease; a job that has a provider task is never submitted again; a crash loses nothing.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/job.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "net/blocking_pool.hpp"
#include "net/http_client.hpp"
#include "providers/provider.hpp"
#include "store/commit_batcher.hpp"
#include "store/database.hpp"
#include "store/job_queue.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/outbox_sender.hpp"
#include "worker/user_messages.hpp"

namespace nc::worker {

struct WorkerOptions {
  std::string owner;
  int concurrency = 64;
  std::chrono::seconds lease{30};          // renewed every 10 s; after a crash others take over
  std::chrono::seconds deadline{20 * 60};  // a video not made by then fails and is refunded
  std::string data_dir = "data";
  std::string public_base_url;  // set: inputs are signed links to us, callbacks come to us
  std::string link_secret;      // signs /files links
  std::string callback_secret;  // signs /kie/callback URLs
  std::string default_model = "veo3_fast";
  std::vector<std::int64_t> admin_ids;
  // Transient errors allowed in one state (submitting, delivering) before the job fails; the
  // count starts again in every state. Status reads while generating are bounded by the deadline.
  int max_transient_attempts = 8;
  // A sendVideo that has not succeeded this long after the job entered delivering fails the job.
  std::chrono::seconds delivery_deadline{10 * 60};
  // Longer than any provider create can take (KIE: 30 s): a worker that finds a create begun less
  // than this ago waits for its creator to record the task rather than create a second one.
  std::chrono::seconds create_in_flight{45};
  std::chrono::seconds operator_pause{120};  // wait before retrying after an operator problem
  std::chrono::seconds sweep{2};             // periodic look for due jobs (also hand-inserted)
  // On stop, steps in progress get this long to finish; then whatever they wait on (throttle,
  // provider, Telegram) is cancelled and their jobs are handed back.
  std::chrono::milliseconds shutdown_grace{3'000};
};

class Worker {
 public:
  Worker(boost::asio::io_context& io, store::Database& database, net::BlockingPool& pool,
         providers::Provider& provider, telegram::BotTransport& telegram,
         telegram::OutboxSender& outbox, net::HttpClient& http, const core::ModelRegistry& models,
         const core::TemplateCatalog& catalog, const UserMessages& messages, WorkerOptions options);
  ~Worker();

  boost::asio::awaitable<void> run();  // until stop()
  // Stops claiming; steps in progress finish; every lease is handed back.
  void stop();
  std::size_t in_flight() const { return active_.size(); }
  bool stopped() const { return stopping_; }

  // For metrics: a job reached `status`, after `seconds` since it was created.
  std::function<void(core::JobStatus status, double seconds)> on_transition;
  std::function<void(std::string_view what, std::int64_t credits)> on_credits;
  std::function<void(bool ok)> on_result_download;  // each download of a provider's result
  // A create or a sendVideo begun by a worker that was cut off inside it is made again: the
  // provider may bill a task that is never used, the seller may get a video twice.
  std::function<void(std::string_view what)> on_repeated_call;

 private:
  boost::asio::awaitable<void> step(core::Job job);
  boost::asio::awaitable<void> advance(core::Job& job);  // one step of the job's state
  boost::asio::awaitable<void> submit(core::Job& job);
  boost::asio::awaitable<void> poll(core::Job& job);
  boost::asio::awaitable<void> deliver(core::Job& job);
  // Arguments are views: g++ 12 destroys string temporaries in a co_await expression twice.
  boost::asio::awaitable<void> fail(core::Job& job, std::string_view reason,
                                    std::string_view detail);
  // `base` carries what the step learned besides the error (e.g. that its create came back).
  boost::asio::awaitable<void> handle_error(core::Job& job, const providers::ProviderError& error,
                                            const store::JobChange& base);
  boost::asio::awaitable<void> retry_later(core::Job& job, std::string_view error,
                                           std::chrono::milliseconds after);
  boost::asio::awaitable<void> save_created_task(core::Job& job, const std::string& token,
                                                 const providers::SubmitResult& result);
  boost::asio::awaitable<void> cancel_steps_after_grace();
  boost::asio::awaitable<std::string> reachable_image(core::Job& job, const core::ModelSpec& model,
                                                      providers::ProviderError& error);
  boost::asio::awaitable<bool> download_result(const core::Job& job, const std::string& url,
                                               const std::string& path);
  boost::asio::awaitable<bool> write(const core::Job& job, const store::JobChange& change);
  // Waits or stops before a step's work: false when the job was failed or put off instead.
  boost::asio::awaitable<bool> within_deadline(core::Job& job);
  boost::asio::awaitable<void> alert_admins(const std::string& problem);
  boost::asio::awaitable<void> renew_leases();
  struct ClaimRound {
    std::vector<core::Job> jobs;
    std::optional<std::chrono::milliseconds> next_due;  // set when slots were left free
  };
  boost::asio::awaitable<ClaimRound> claim_round(int free_slots);
  static constexpr std::chrono::milliseconds kClaimSpacing{25};
  std::chrono::milliseconds poll_interval(const core::Job& job) const;
  std::chrono::milliseconds backoff(int attempts) const;
  std::string model_of(const core::Job& job) const;
  void restore_photo(const std::string& path);
  void start_waiter();
  void wake();

  boost::asio::io_context& io_;
  store::Database& database_;
  net::BlockingPool& pool_;
  // ffprobe/ffmpeg and image work: seconds or minutes each, so they never hold up the
  // database calls on pool_.
  net::BlockingPool media_pool_{2};
  providers::Provider& provider_;
  telegram::BotTransport& telegram_;
  telegram::OutboxSender& outbox_;
  net::HttpClient& http_;
  const core::ModelRegistry& models_;
  const core::TemplateCatalog& catalog_;
  const UserMessages& messages_;
  WorkerOptions options_;
  store::JobQueue queue_;
  // Step results written at about the same moment share one transaction.
  store::CommitBatcher batcher_;
  // The jobs being stepped, each with the signal that cancels its step on stop.
  std::map<std::string, std::unique_ptr<boost::asio::cancellation_signal>> active_;
  bool stopping_ = false;
  boost::asio::steady_timer wake_timer_;
  std::atomic<bool> waiter_running_{false};
  std::thread waiter_thread_;
};

}  // namespace nc::worker
