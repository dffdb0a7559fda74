// How a job ends badly or waits: fail() fails it, refunds its credit once and tells the seller,
// all in one transaction; handle_error() sorts a provider's error into fail, wait for the
// operator (alerting the admins once an hour) or retry with backoff.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/job.hpp"
#include "net/blocking_pool.hpp"
#include "providers/provider.hpp"
#include "store/database.hpp"
#include "store/job_queue.hpp"
#include "telegram/outbox_sender.hpp"
#include "worker/events.hpp"
#include "worker/job_recorder.hpp"
#include "worker/model_choice.hpp"
#include "worker/options.hpp"
#include "worker/user_messages.hpp"

namespace nc::worker {

class Failures {
 public:
  Failures(store::Database& database, net::BlockingPool& pool, telegram::OutboxSender& outbox,
           const UserMessages& messages, const ModelChoice& models, const WorkerOptions& options,
           JobRecorder& recorder, WorkerEvents& events)
      : database_(database),
        pool_(pool),
        outbox_(outbox),
        messages_(messages),
        models_(models),
        options_(options),
        recorder_(recorder),
        events_(events) {}

  // `reason` is shown to the seller (translated when known); `detail` goes to the log and the
  // job's error. Arguments are views: g++ 12 destroys string temporaries in a co_await twice.
  boost::asio::awaitable<void> fail(const core::Job& job, std::string_view reason,
                                    std::string_view detail);
  // `base` carries what the step learned besides the error (e.g. that its create came back).
  boost::asio::awaitable<void> handle_error(const core::Job& job,
                                            const providers::ProviderError& error,
                                            const store::JobChange& base);

 private:
  boost::asio::awaitable<void> alert_admins(const std::string& problem);

  store::Database& database_;
  net::BlockingPool& pool_;
  telegram::OutboxSender& outbox_;
  const UserMessages& messages_;
  const ModelChoice& models_;
  const WorkerOptions& options_;
  JobRecorder& recorder_;
  WorkerEvents& events_;
};

}  // namespace nc::worker
