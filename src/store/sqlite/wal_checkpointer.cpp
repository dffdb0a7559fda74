#include "store/sqlite/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>

namespace nc::store {
namespace {

int on_commit(void* checkpointer, sqlite3*, const char*, int wal_pages) {
  if (wal_pages >= WalCheckpointer::kPages) static_cast<WalCheckpointer*>(checkpointer)->request();
  return SQLITE_OK;
}

}  // namespace

WalCheckpointer::WalCheckpointer(std::string path) : path_(std::move(path)) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::watch(sqlite3* db) {
  sqlite3_wal_hook(db, &on_commit, this);
}

void WalCheckpointer::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_ || stopping_) return;
    requested_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
}

std::int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void WalCheckpointer::run() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    spdlog::error("SQLite checkpoints: cannot open {}: {}; the WAL grows until restart", path_,
                  db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return;
  }
  // A connection sees the WAL only once it has read the database; until then a checkpoint
  // does nothing.
  sqlite3_exec(db, "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return requested_ || stopping_; });
      if (stopping_) break;
      requested_ = false;
    }
    int wal_frames = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
    // SQLITE_BUSY: another process is checkpointing; the next request tries again.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("SQLite checkpoint of {} failed: {}", path_, sqlite3_errmsg(db));
    }
    std::lock_guard lock(mutex_);
    ++checkpoints_;
  }
  sqlite3_close(db);
}

}  // namespace nc::store
