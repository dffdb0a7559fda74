// SQLite WAL checkpoints happen on the checkpointer's thread, not in the committing one.
#include "store/sqlite/wal_checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>

#include "store/ids.hpp"

namespace nc::store {
namespace {

using namespace std::chrono_literals;

class WalCheckpointerTest : public ::testing::Test {
 protected:
  WalCheckpointerTest()
      : dir_(std::filesystem::temp_directory_path() / ("nc-wal-" + new_uuid().substr(0, 8))) {
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (v BLOB)");
  }
  ~WalCheckpointerTest() override {
    sqlite3_close(db_);
    std::filesystem::remove_all(dir_);
  }
  void exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  std::uintmax_t wal_bytes() { return std::filesystem::file_size(path_ + "-wal"); }

  std::filesystem::path dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

TEST_F(WalCheckpointerTest, ABigWalIsCheckpointedByItsOwnThread) {
  WalCheckpointer checkpointer(path_);
  checkpointer.watch(db_);
  exec("INSERT INTO t VALUES (zeroblob(1000))");
  EXPECT_EQ(checkpointer.checkpoints(), 0);  // a small WAL is left alone

  // About 1,200 pages in one commit: the checkpointer copies them back soon after.
  exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) "
      "INSERT INTO t SELECT zeroblob(4000) FROM n");
  EXPECT_GT(wal_bytes(), WalCheckpointer::kPages * 4096u);
  for (int i = 0; i < 500 && checkpointer.checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(checkpointer.checkpoints(), 1);

  // Everything was copied: the next commit starts the WAL over instead of growing it.
  const auto before = wal_bytes();
  exec("INSERT INTO t VALUES (zeroblob(1000))");
  EXPECT_EQ(wal_bytes(), before);
}

TEST_F(WalCheckpointerTest, WithoutItTheCommittingConnectionWouldCheckpoint) {
  // The same commit on a connection left to SQLite's default: the WAL is copied back inside
  // the commit, before it returns (what the checkpointer takes off the request path).
  exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) "
      "INSERT INTO t SELECT zeroblob(4000) FROM n");
  const auto before = wal_bytes();
  exec("INSERT INTO t VALUES (zeroblob(1000))");
  EXPECT_EQ(wal_bytes(), before);
}

}  // namespace
}  // namespace nc::store
