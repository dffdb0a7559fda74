// Group commit on both backends: items waiting together share one transaction, a failing item
// rolls back alone, a lost transaction (failed COMMIT, crash) acknowledges none of its items.
#include "store/commit_batcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_database.hpp"
#include "store/ids.hpp"
#include "store/outbox.hpp"

namespace nc::store {
namespace {

using namespace std::chrono_literals;

// Holds the writer inside a first item until the items of interest are queued, so those form
// the next transaction together.
class Gate {
 public:
  // In the first item: says it is running, then waits for open().
  void hold() {
    std::unique_lock lock(mutex_);
    held_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  // In the test: returns once the first item is running (its transaction has begun).
  void wait_held() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return held_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  bool open_ = false;
};

// What each item's Done said, in the order they said it.
class Outcomes {
 public:
  CommitBatcher::Done done(int item) {
    return [this, item](std::exception_ptr failure) {
      std::string error;
      if (failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& e) {
          error = e.what();
        }
      }
      std::lock_guard lock(mutex_);
      outcomes_.push_back({item, failure != nullptr, error});
      if (outcomes_.size() == expected_) all_.set_value();
    };
  }
  void expect(std::size_t count) { expected_ = count; }
  void wait() { ASSERT_EQ(all_.get_future().wait_for(30s), std::future_status::ready); }

  struct Outcome {
    int item;
    bool failed;
    std::string error;
  };
  std::vector<Outcome> all() {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }

 private:
  std::mutex mutex_;
  std::vector<Outcome> outcomes_;
  std::size_t expected_ = 0;
  std::promise<void> all_;
};

class CommitBatcherTest : public ::testing::TestWithParam<Backend> {
 protected:
  CommitBatcherTest() : test_db_(GetParam()) {}
  Database& db() { return test_db_.db(); }

  static CommitBatcher::Work record(std::int64_t update_id) {
    return [update_id](Connection& c) { ASSERT_TRUE(first_time_update(c, update_id)); };
  }
  // Item 0: holds the writer in its transaction until gate.open(); returns once it does, so
  // what is submitted next forms the following transaction.
  static void hold_writer(CommitBatcher& batcher, Gate& gate, Outcomes& outcomes) {
    batcher.submit([&gate](Connection&) { gate.hold(); }, outcomes.done(0));
    gate.wait_held();
  }
  std::set<std::int64_t> recorded() {
    std::set<std::int64_t> ids;
    for (const auto& row : db().execute("SELECT update_id FROM processed_updates")) {
      ids.insert(row.integer("update_id"));
    }
    return ids;
  }

  nc::testing::TestDatabase test_db_;
};

TEST_P(CommitBatcherTest, ItemsWaitingTogetherShareOneTransaction) {
  CommitBatcher batcher(db());
  Gate gate;
  Outcomes outcomes;
  outcomes.expect(11);
  batcher.submit(
      [&](Connection& c) {
        gate.hold();
        first_time_update(c, 100);
      },
      outcomes.done(0));
  gate.wait_held();
  for (int i = 1; i <= 10; ++i)
    batcher.submit(record(100 + i), outcomes.done(i));
  gate.open();
  outcomes.wait();

  for (const auto& outcome : outcomes.all())
    EXPECT_FALSE(outcome.failed) << outcome.item;
  EXPECT_EQ(recorded().size(), 11u);
  const auto stats = batcher.stats();
  EXPECT_EQ(stats.transactions, 2);  // the held one, then the ten that queued meanwhile
  EXPECT_EQ(stats.items, 11);
}

TEST_P(CommitBatcherTest, ALoneItemIsNotKeptWaiting) {
  CommitBatcher batcher(db());
  const auto started = std::chrono::steady_clock::now();
  batcher.run(record(7));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(recorded(), std::set<std::int64_t>{7});
}

TEST_P(CommitBatcherTest, AFailingItemRollsBackAloneAndIsReportedAlone) {
  db().execute("INSERT INTO processed_updates (update_id) VALUES (203)");
  CommitBatcher batcher(db());
  Gate gate;
  Outcomes outcomes;
  outcomes.expect(8);
  hold_writer(batcher, gate, outcomes);
  batcher.submit(record(201), outcomes.done(1));
  // Writes, then throws: its write must not survive.
  batcher.submit(
      [](Connection& c) {
        first_time_update(c, 202);
        throw std::runtime_error("handler failed");
      },
      outcomes.done(2));
  batcher.submit(record(204), outcomes.done(3));
  // Throws before running any statement (its savepoint is still only deferred).
  batcher.submit([](Connection&) { throw std::runtime_error("refused before any statement"); },
                 outcomes.done(7));
  // A statement the database refuses (PostgreSQL then refuses everything until ROLLBACK TO).
  batcher.submit(
      [](Connection& c) {
        c.execute("INSERT INTO processed_updates (update_id) VALUES (205)");
        c.execute("INSERT INTO processed_updates (update_id) VALUES (203)");
      },
      outcomes.done(4));
  batcher.submit(record(206), outcomes.done(5));
  batcher.submit(record(207), outcomes.done(6));
  gate.open();
  outcomes.wait();

  std::vector<int> failed;
  for (const auto& outcome : outcomes.all()) {
    if (outcome.failed) failed.push_back(outcome.item);
  }
  std::sort(failed.begin(), failed.end());
  EXPECT_EQ(failed, (std::vector<int>{2, 4, 7}));
  EXPECT_EQ(recorded(), (std::set<std::int64_t>{201, 203, 204, 206, 207}));
  EXPECT_EQ(batcher.stats().transactions, 2);
  EXPECT_EQ(batcher.stats().failed_items, 3);

  // Retried alone, they are handled once, and the others are not handled again.
  batcher.run(record(202));
  batcher.run(record(205));
  EXPECT_EQ(recorded(), (std::set<std::int64_t>{201, 202, 203, 204, 205, 206, 207}));
  EXPECT_EQ(db().execute("SELECT COUNT(*) AS n FROM processed_updates").front().integer("n"), 7);
}

TEST_P(CommitBatcherTest, ACommitThatFailsAcknowledgesNoItemOfItsTransaction) {
  // A deferred foreign key is checked at COMMIT: the whole transaction fails there.
  db().execute("CREATE TABLE batch_parent (id BIGINT PRIMARY KEY)");
  db().execute(
      "CREATE TABLE batch_child (id BIGINT PRIMARY KEY, parent BIGINT REFERENCES "
      "batch_parent (id) DEFERRABLE INITIALLY DEFERRED)");
  CommitBatcher batcher(db());
  Gate gate;
  Outcomes outcomes;
  outcomes.expect(5);
  hold_writer(batcher, gate, outcomes);
  batcher.submit(record(301), outcomes.done(1));
  batcher.submit([](Connection& c) { c.execute("INSERT INTO batch_child VALUES (1, 999)"); },
                 outcomes.done(2));
  batcher.submit(record(302), outcomes.done(3));
  batcher.submit(record(303), outcomes.done(4));
  gate.open();
  outcomes.wait();

  for (const auto& outcome : outcomes.all()) {
    EXPECT_EQ(outcome.failed, outcome.item != 0) << outcome.item;
    if (outcome.item != 0) {
      EXPECT_NE(outcome.error.find("constraint"), std::string::npos);
    }
  }
  EXPECT_TRUE(recorded().empty());
  EXPECT_EQ(batcher.stats().failed_transactions, 1);

  // The batcher goes on: a redelivery of those updates is handled normally.
  batcher.run(record(301));
  EXPECT_EQ(recorded(), std::set<std::int64_t>{301});
}

// In a child process: a first item commits alone and is acknowledged; the next transaction
// holds five items and a sixth that kills the process before their COMMIT. Acknowledgements
// go to the file `acks`, one line per item.
[[noreturn]] void crash_before_commit(const nc::testing::TestDatabase& test_db,
                                      const std::filesystem::path& acks) {
  auto database = test_db.open_another();
  CommitBatcher batcher(*database);
  std::ofstream out(acks);
  auto acknowledge = [&out](int item) {
    return [&out, item](std::exception_ptr failure) {
      if (!failure) out << item << std::endl;  // the webhook's 200
    };
  };
  Gate gate;
  batcher.submit(
      [&](Connection& c) {
        gate.hold();
        first_time_update(c, 400);
      },
      acknowledge(0));
  gate.wait_held();
  for (int i = 1; i <= 5; ++i) {
    batcher.submit([i](Connection& c) { first_time_update(c, 400 + i); }, acknowledge(i));
  }
  batcher.submit(
      [](Connection& c) {
        first_time_update(c, 406);
        std::_Exit(3);
      },
      acknowledge(6));
  gate.open();
  std::this_thread::sleep_for(30s);
  std::_Exit(0);
}

TEST_P(CommitBatcherTest, ACrashBeforeCommitAcknowledgesAndKeepsNothingOfTheTransaction) {
  const auto acks = std::filesystem::temp_directory_path() / ("nc-acks-" + new_uuid());
  GTEST_FLAG_SET(death_test_style, "fast");  // the child must see this test's database
  EXPECT_EXIT(crash_before_commit(test_db_, acks), ::testing::ExitedWithCode(3), "");

  std::ifstream in(acks);
  std::stringstream acknowledged;
  acknowledged << in.rdbuf();
  std::filesystem::remove(acks);
  EXPECT_EQ(acknowledged.str(), "0\n");
  EXPECT_EQ(recorded(), std::set<std::int64_t>{400});
}

TEST_P(CommitBatcherTest, ManyCallersEachCommitOnceAcrossWriters) {
  CommitBatcher batcher(db(), CommitBatcherOptions{.max_batch = 8, .writers = 3});
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        batcher.run(record(1000 * (t + 1) + i));
    });
  }
  for (auto& caller : callers)
    caller.join();
  EXPECT_EQ(recorded().size(), 200u);
  EXPECT_EQ(batcher.stats().items, 200);
  EXPECT_EQ(batcher.stats().failed_items, 0);
}

TEST_P(CommitBatcherTest, WhatWasSubmittedRunsBeforeTheBatcherStops) {
  Outcomes outcomes;
  outcomes.expect(20);
  {
    CommitBatcher batcher(db());
    for (int i = 0; i < 20; ++i)
      batcher.submit(record(500 + i), outcomes.done(i));
  }
  outcomes.wait();
  EXPECT_EQ(recorded().size(), 20u);
}

TEST_P(CommitBatcherTest, DeferredStatementsRunJustBeforeTheNextOne) {
  auto connection = db().acquire();
  connection->execute_script(GetParam() == Backend::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  connection->defer("SAVEPOINT a");
  EXPECT_TRUE(first_time_update(*connection, 601));
  connection->execute_script("ROLLBACK TO a");  // the savepoint came before the insert
  EXPECT_TRUE(first_time_update(*connection, 602));
  // A deferred statement that fails is reported (by itself on SQLite, which runs it at once;
  // by the statement it went with on PostgreSQL), and that next statement does not run.
  EXPECT_THROW(
      {
        connection->defer("RELEASE no_such_savepoint");
        first_time_update(*connection, 603);
      },
      DbError);
  connection->defer("SAVEPOINT b");
  connection->execute_script("ROLLBACK");  // drops what is still deferred
  EXPECT_TRUE(recorded().empty());
  EXPECT_TRUE(first_time_update(*connection, 604));  // autocommit again
  EXPECT_EQ(recorded(), std::set<std::int64_t>{604});
}

NC_BOTH_BACKENDS(CommitBatcherTest);

}  // namespace
}  // namespace nc::store
