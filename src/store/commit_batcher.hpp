// Group commit: work submitted by many callers runs on a writer thread, as many items as are
// waiting in one transaction, each item in its own savepoint. A failing item rolls back alone
// and is reported alone; every caller hears back only after the transaction holding its item
// committed (or failed as a whole). One BEGIN/COMMIT and one WAL append for N updates, and one
// writer per process, so SQLite writers queue here instead of sleeping in its busy handler.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

struct CommitBatcherOptions {
  // Items per transaction at most. PostgreSQL gives every savepoint that writes a
  // subtransaction id, and past 64 per transaction other sessions' snapshots get slow.
  std::size_t max_batch = 32;
  // Writer threads, each running its own transactions (1: one writer per process).
  std::size_t writers = 1;
};

class CommitBatcher {
 public:
  // Runs inside the group transaction, in the item's savepoint; throwing rolls back only it.
  using Work = std::function<void(Connection&)>;
  // Called once on a writer thread: nullptr when the transaction holding the work committed,
  // otherwise why not (the work's own exception, or the whole transaction's). Must not block.
  using Done = std::function<void(std::exception_ptr)>;

  explicit CommitBatcher(Database& database, CommitBatcherOptions options = {});
  // Runs what was already submitted, then stops the writers.
  ~CommitBatcher();
  CommitBatcher(const CommitBatcher&) = delete;
  CommitBatcher& operator=(const CommitBatcher&) = delete;

  void submit(Work work, Done done);
  // Submits and blocks the calling thread until committed; rethrows the failure.
  void run(Work work);

  struct Stats {
    std::int64_t transactions = 0;
    std::int64_t items = 0;
    std::int64_t failed_items = 0;         // rolled back alone, the rest committed
    std::int64_t failed_transactions = 0;  // nothing of them committed
  };
  Stats stats() const;

 private:
  struct Item {
    Work work;
    Done done;
  };

  void write_forever();
  void commit_batch(std::vector<Item>& batch);

  Database& database_;
  CommitBatcherOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::vector<std::thread> writers_;  // started on the first submit
};

}  // namespace nc::store
