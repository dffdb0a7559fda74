#include "store/commit_batcher.hpp"

#include <algorithm>
#include <future>

namespace nc::store {

CommitBatcher::CommitBatcher(Database& database, CommitBatcherOptions options)
    : database_(database), options_(options) {
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  options_.writers = std::max<std::size_t>(options_.writers, 1);
}

CommitBatcher::~CommitBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& writer : writers_)
    writer.join();
}

void CommitBatcher::submit(Work work, Done done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Item{std::move(work), std::move(done)});
    if (writers_.empty()) {
      for (std::size_t i = 0; i < options_.writers; ++i) {
        writers_.emplace_back([this] { write_forever(); });
      }
    }
  }
  wake_.notify_one();
}

void CommitBatcher::run(Work work) {
  std::promise<void> outcome;
  auto committed = outcome.get_future();
  submit(std::move(work), [&outcome](std::exception_ptr failure) {
    if (failure) {
      outcome.set_exception(failure);
    } else {
      outcome.set_value();
    }
  });
  committed.get();
}

CommitBatcher::Stats CommitBatcher::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CommitBatcher::write_forever() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted has run
      // No waiting for more: whatever queued up during the previous transaction forms the next
      // one, so a lone update is not delayed and a busy front gets large batches.
      const auto count = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < count; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit_batch(batch);
    batch.clear();
  }
}

void CommitBatcher::commit_batch(std::vector<Item>& batch) {
  std::vector<std::exception_ptr> failures(batch.size());
  std::exception_ptr lost;  // the transaction as a whole failed: nothing of it committed
  try {
    database_.transaction([&](Connection& connection) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        // Sent along with the item's first statement: no round trip of their own.
        if (i > 0) connection.defer("RELEASE item");
        connection.defer("SAVEPOINT item");
        try {
          batch[i].work(connection);
        } catch (...) {
          failures[i] = std::current_exception();
          // Throws when the transaction itself is lost (connection gone): then all fail.
          connection.execute_script("ROLLBACK TO item");
        }
      }
    });
  } catch (...) {
    lost = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.transactions;
    stats_.items += static_cast<std::int64_t>(batch.size());
    if (lost) {
      ++stats_.failed_transactions;
    } else {
      stats_.failed_items += std::count_if(failures.begin(), failures.end(),
                                           [](const auto& failure) { return failure != nullptr; });
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].done(failures[i] ? failures[i] : lost);
    } catch (...) {
      // A caller's callback must not stop the writer for everyone else.
    }
  }
}

}  // namespace nc::store
