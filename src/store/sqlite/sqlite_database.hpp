// SQLite driver: one file, WAL journal, a write lock taken at the start of every transaction so
// writers queue instead of failing half-way (within this process on a mutex, between processes
// in SQLite's busy handler), WAL checkpoints on a thread of their own.
#pragma once

#include <mutex>
#include <string>

#include "store/database.hpp"
#include "store/sqlite/wal_checkpointer.hpp"

namespace nc::store {

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(std::string path);
  Backend backend() const override { return Backend::kSqlite; }
  std::string describe() const override { return "sqlite:" + path_; }
  // An flock on PATH.<name>.lock: every process using this file sees it.
  std::unique_ptr<SessionLock> try_session_lock(const std::string& name) override;

 protected:
  std::unique_ptr<Connection> open_connection() override;
  void begin(Connection& connection) override;
  std::unique_lock<std::timed_mutex> lock_writer() override;

 private:
  std::string path_;
  std::timed_mutex writer_;
  std::shared_ptr<WalCheckpointer> checkpointer_;  // shared with the connections
};

}  // namespace nc::store
