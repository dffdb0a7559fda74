#include "worker/job_recorder.hpp"

#include <spdlog/spdlog.h>

#include "store/commit_in_batch.hpp"

namespace nc::worker {

JobRecorder::JobRecorder(store::Database& database, std::string owner, WorkerEvents& events)
    : owner_(std::move(owner)),
      events_(events),
      batcher_(database, store::batching_for(database.backend())) {}

boost::asio::awaitable<bool> JobRecorder::write(const core::Job& job,
                                                const store::JobChange& change) {
  bool written = false;
  auto update = [&](store::Connection& connection) {
    written = store::JobQueue::update(connection, owner_, job.id, change);
  };
  co_await store::commit_in_batch(batcher_, update);
  if (!written) {
    spdlog::warn("job {}: lease lost (another worker took it over); dropping this step", job.id);
    co_return false;
  }
  if (change.run_after && change.release_lease && on_due) on_due(*change.run_after);
  if (change.status && events_.on_transition) events_.on_transition(*change.status, job.age_s);
  co_return true;
}

boost::asio::awaitable<void> JobRecorder::retry_later(const core::Job& job, std::string_view error,
                                                      std::chrono::milliseconds after) {
  store::JobChange change;
  change.run_after = after;
  change.error = std::string(error);
  co_await write(job, change);
}

boost::asio::awaitable<bool> JobRecorder::write_as_creator(const core::Job& job,
                                                           const std::string& token,
                                                           const store::JobChange& change) {
  bool saved = false;
  auto update = [&](store::Connection& connection) {
    saved = store::JobQueue::update_as_creator(connection, job.id, token, change);
  };
  co_await store::commit_in_batch(batcher_, update);
  if (saved && change.status && events_.on_transition) {
    events_.on_transition(*change.status, job.age_s);
  }
  co_return saved;
}

}  // namespace nc::worker
