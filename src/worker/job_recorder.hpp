// Writes a job's changes, guarded by this worker's lease (or, for a created task, by the
// create's token). Step results written at about the same moment share one transaction.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/job.hpp"
#include "store/commit_batcher.hpp"
#include "store/database.hpp"
#include "store/job_queue.hpp"
#include "worker/events.hpp"

namespace nc::worker {

class JobRecorder {
 public:
  JobRecorder(store::Database& database, std::string owner, WorkerEvents& events);

  // false when the lease was lost (another worker took the job over): the step stops there.
  boost::asio::awaitable<bool> write(const core::Job& job, const store::JobChange& change);
  // The job is due again after `after`, with `error` recorded ("" clears it).
  boost::asio::awaitable<void> retry_later(const core::Job& job, std::string_view error,
                                           std::chrono::milliseconds after);
  // Guarded by the create's token rather than the lease: a worker that lost its lease while
  // the create was in flight still records the task it paid for. false: the job has another.
  boost::asio::awaitable<bool> write_as_creator(const core::Job& job, const std::string& token,
                                                const store::JobChange& change);

  // Told when a written change makes its job due after `delay` (the claim loop may wake sooner).
  std::function<void(std::chrono::milliseconds delay)> on_due;

 private:
  std::string owner_;
  WorkerEvents& events_;
  store::CommitBatcher batcher_;
};

}  // namespace nc::worker
