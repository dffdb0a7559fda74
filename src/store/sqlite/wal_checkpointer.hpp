// SQLite WAL checkpoints on a thread of their own. By default the connection whose commit takes
// the WAL past 1000 pages copies them back into the database file and syncs it, inside that
// commit: a request waits for the disk. Here commits only ask, and this thread checkpoints
// (PASSIVE: it never blocks readers or writers).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace nc::store {

class WalCheckpointer {
 public:
  // SQLite's own automatic checkpoint size.
  static constexpr int kPages = 1000;

  explicit WalCheckpointer(std::string path);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Replaces the connection's automatic checkpoint: a commit that leaves kPages or more in the
  // WAL asks this thread instead. The checkpointer must outlive the connection.
  void watch(sqlite3* db);
  // Checkpoints soon (several requests before it runs make one checkpoint).
  void request();
  std::int64_t checkpoints() const;

 private:
  void run();

  std::string path_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::int64_t checkpoints_ = 0;
  std::thread thread_;  // started by the first request
};

}  // namespace nc::store
