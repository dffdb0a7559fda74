// The job queue on both backends: idempotent enqueue, leases, guarded transitions, expiry,
// wake-ups, and many workers claiming thousands of jobs without ever sharing one.
#include "store/job_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "integration/test_database.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"

namespace nc::store {
namespace {

using namespace std::chrono_literals;
using core::JobStatus;

class JobQueueTest : public ::testing::TestWithParam<Backend> {
 protected:
  JobQueueTest() : test_db_(GetParam()), queue_(db()) {
    user_ = Users(db()).upsert(42, "seller", "ru", 0);
  }
  Database& db() { return test_db_.db(); }

  void enqueue_many(int count) {
    db().transaction([&](Connection& c) {
      for (int i = 0; i < count; ++i) {
        JobQueue::enqueue(c, NewJob{.user_id = user_.id,
                                    .tg_user_id = 42,
                                    .idempotency_key = "bulk:" + std::to_string(i)});
      }
    });
  }

  nc::testing::TestDatabase test_db_;
  JobQueue queue_;
  User user_;
};

TEST_P(JobQueueTest, SameIdempotencyKeyGivesOneJob) {
  NewJob job{.user_id = user_.id,
             .tg_user_id = 42,
             .idempotency_key = "confirm:1:1",
             .template_id = "unboxing",
             .product_info = R"({"text":"Mug"})"};
  auto first = queue_.enqueue(job);
  auto second = queue_.enqueue(job);
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(first.job_id, second.job_id);
  EXPECT_EQ(queue_.list({}).size(), 1u);
  auto found = queue_.find(first.job_id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, JobStatus::kQueued);
  EXPECT_EQ(found->template_id, "unboxing");
}

TEST_P(JobQueueTest, ClaimedJobIsInvisibleToOthersUntilReleased) {
  auto id = queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "a"}).job_id;
  auto claimed = queue_.claim("w1", 10, 30s);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, id);
  EXPECT_EQ(claimed[0].lease_owner, "w1");
  EXPECT_TRUE(queue_.claim("w2", 10, 30s).empty());

  // Only the lease owner may write.
  EXPECT_FALSE(queue_.update("w2", id, {.status = JobStatus::kSubmitting}));
  EXPECT_TRUE(queue_.update("w1", id, {.status = JobStatus::kSubmitting, .count_attempt = true}));
  auto again = queue_.claim("w2", 10, 30s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status, JobStatus::kSubmitting);
  EXPECT_EQ(again[0].attempts, 1);
}

TEST_P(JobQueueTest, DelayedJobIsNotDueYet) {
  auto id = queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "a"}).job_id;
  ASSERT_EQ(queue_.claim("w1", 10, 30s).size(), 1u);
  ASSERT_TRUE(queue_.update("w1", id, {.status = JobStatus::kGenerating, .run_after = 60s}));
  EXPECT_TRUE(queue_.claim("w1", 10, 30s).empty());
}

TEST_P(JobQueueTest, NextDueIsTheSoonestJobNobodyHolds) {
  EXPECT_FALSE(queue_.next_due_in());  // nothing waits
  auto later = queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "a"});
  auto soon = queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "b"});
  ASSERT_EQ(queue_.claim("w1", 10, 30s).size(), 2u);
  EXPECT_FALSE(queue_.next_due_in());  // both held
  ASSERT_TRUE(
      queue_.update("w1", later.job_id, {.status = JobStatus::kGenerating, .run_after = 60s}));
  auto due = queue_.next_due_in();
  ASSERT_TRUE(due);
  EXPECT_GT(*due, 50s);
  EXPECT_LE(*due, 60s + 10ms);  // SQLite computes with julian days: a millisecond off
  ASSERT_TRUE(
      queue_.update("w1", soon.job_id, {.status = JobStatus::kGenerating, .run_after = 5s}));
  due = queue_.next_due_in();
  ASSERT_TRUE(due);
  EXPECT_GT(*due, 1s);
  EXPECT_LE(*due, 5s + 10ms);
  queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "c"});
  EXPECT_EQ(queue_.next_due_in(), std::chrono::milliseconds(0));  // one is due already
}

TEST_P(JobQueueTest, ExpiredLeaseMakesTheJobClaimableAndFencesTheOldOwner) {
  enqueue_many(10);
  auto dead = queue_.claim("dead-worker", 100, 30s);
  ASSERT_EQ(dead.size(), 10u);
  EXPECT_TRUE(queue_.claim("w2", 100, 30s).empty());
  test_db_.clock().advance(31s);
  auto taken = queue_.claim("w2", 100, 30s);
  EXPECT_EQ(taken.size(), 10u);
  // The worker that died comes back: its writes no longer land.
  EXPECT_FALSE(queue_.update("dead-worker", dead[0].id, {.status = JobStatus::kDone}));
  EXPECT_TRUE(queue_.update("w2", dead[0].id, {.status = JobStatus::kDone}));
  EXPECT_EQ(queue_.find(dead[0].id)->status, JobStatus::kDone);
}

TEST_P(JobQueueTest, RenewKeepsTheLeaseAndReleaseAllHandsItBack) {
  enqueue_many(3);
  auto mine = queue_.claim("w1", 10, 30s);
  ASSERT_EQ(mine.size(), 3u);
  std::vector<std::string> ids;
  for (const auto& job : mine)
    ids.push_back(job.id);
  EXPECT_EQ(queue_.renew("w1", ids, 60s), 3);
  test_db_.clock().advance(31s);
  EXPECT_TRUE(queue_.claim("w2", 10, 30s).empty());
  EXPECT_EQ(queue_.release_all("w1"), 3);
  EXPECT_EQ(queue_.claim("w2", 10, 30s).size(), 3u);
}

TEST_P(JobQueueTest, TerminalTransitionSetsFinishedAndLeavesTheQueue) {
  auto id = queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "a"}).job_id;
  ASSERT_EQ(queue_.claim("w1", 1, 30s).size(), 1u);
  ASSERT_TRUE(queue_.update(
      "w1", id,
      {.status = JobStatus::kFailed, .error = "provider said no", .release_lease = false}));
  auto job = queue_.find(id);
  EXPECT_EQ(job->status, JobStatus::kFailed);
  EXPECT_EQ(job->error, "provider said no");
  EXPECT_FALSE(job->finished_at.empty());
  EXPECT_TRUE(job->lease_owner.empty());
  EXPECT_TRUE(queue_.claim("w1", 1, 30s).empty());
}

// Several workers, each with its own database handle, claim 5,000 jobs in batches. A job must
// never be held by two workers at once, and every job is finished exactly once.
TEST_P(JobQueueTest, ManyWorkersClaimEveryJobExactlyOnce) {
  constexpr int kJobs = 5000;
  constexpr int kWorkers = 4;
  enqueue_many(kJobs);

  std::mutex mutex;
  std::set<std::string> held;
  std::map<std::string, int> finished;
  std::atomic<int> overlaps{0}, lost_updates{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      auto handle = test_db_.open_another();
      JobQueue queue(*handle);
      const std::string owner = "worker-" + std::to_string(w);
      for (;;) {
        auto batch = queue.claim(owner, 50, 60s);
        if (batch.empty()) break;
        {
          std::lock_guard lock(mutex);
          for (const auto& job : batch) {
            if (!held.insert(job.id).second) ++overlaps;
          }
        }
        for (const auto& job : batch) {
          {
            std::lock_guard lock(mutex);
            held.erase(job.id);
            ++finished[job.id];
          }
          if (!queue.update(owner, job.id, {.status = JobStatus::kDone})) ++lost_updates;
        }
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(lost_updates.load(), 0);
  ASSERT_EQ(finished.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, count] : finished)
    ASSERT_EQ(count, 1) << id;
  auto stats = queue_.stats();
  EXPECT_EQ(stats.by_status[4], (std::pair<std::string, std::int64_t>{"done", kJobs}));
}

TEST_P(JobQueueTest, EnqueueWakesAWaitingWorker) {
  auto waiter = db().make_job_waiter();
  std::thread producer([&] {
    std::this_thread::sleep_for(100ms);
    queue_.enqueue({.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "wake"});
  });
  const auto start = std::chrono::steady_clock::now();
  const bool woken = waiter->wait(5s);
  const auto waited = std::chrono::steady_clock::now() - start;
  producer.join();
  EXPECT_TRUE(woken);
  EXPECT_LT(waited, 3s);
  EXPECT_FALSE(waiter->wait(50ms));
}

TEST_P(JobQueueTest, CancelRefundsTheChargeOnceAndRetryRequeues) {
  Ledger ledger(db());
  ASSERT_EQ(ledger.grant(42, 3, "grant:1", ""), PostingOutcome::kApplied);
  auto id = db().transaction([&](Connection& c) {
    auto job =
        JobQueue::enqueue(c, {.user_id = user_.id, .tg_user_id = 42, .idempotency_key = "paid"});
    Ledger::charge_job(c, user_.id, job.job_id, 1);
    return job.job_id;
  });
  EXPECT_EQ(ledger.balance(user_.id), 2);
  EXPECT_EQ(queue_.cancel(id, "operator"), AdminAction::kDone);
  EXPECT_EQ(ledger.balance(user_.id), 3);
  EXPECT_EQ(queue_.find(id)->status, JobStatus::kCancelled);
  EXPECT_EQ(queue_.cancel(id, "operator"), AdminAction::kNotAllowed);
  EXPECT_EQ(ledger.balance(user_.id), 3);

  EXPECT_EQ(queue_.retry(id), AdminAction::kDone);
  EXPECT_EQ(queue_.find(id)->status, JobStatus::kQueued);
  EXPECT_EQ(queue_.claim("w", 1, 30s).size(), 1u);
  EXPECT_EQ(queue_.retry("00000000-0000-4000-8000-000000000000"), AdminAction::kNotFound);
  EXPECT_EQ(queue_.retry("not-a-uuid"), AdminAction::kNotFound);
  EXPECT_TRUE(ledger.audit().ok());
}

TEST_P(JobQueueTest, StatsCountStatusesAndLiveLeases) {
  enqueue_many(5);
  queue_.claim("w1", 2, 30s);
  auto stats = queue_.stats();
  EXPECT_EQ(stats.by_status[0], (std::pair<std::string, std::int64_t>{"queued", 5}));
  ASSERT_EQ(stats.live_leases_by_owner.size(), 1u);
  EXPECT_EQ(stats.live_leases_by_owner[0], (std::pair<std::string, std::int64_t>{"w1", 2}));
  ASSERT_TRUE(stats.oldest_queued_age_s.has_value());
  EXPECT_GE(*stats.oldest_queued_age_s, 0.0);
  EXPECT_LT(*stats.oldest_queued_age_s, 60.0);
}

NC_BOTH_BACKENDS(JobQueueTest);

// The earlier system's operators created jobs by hand in psql; that SQL must still work and
// the job must reach the queue (and wake the workers) by itself.
TEST(SeedSql, HandWrittenInsertIsAcceptedAndClaimable) {
  nc::testing::TestDatabase test_db(Backend::kPostgres);
  Users(test_db.db()).upsert(777, "seller", "ru", 0);
  auto waiter = test_db.db().make_job_waiter();
  test_db.db().execute(nc::testing::seed_insert_sql(777));
  EXPECT_TRUE(waiter->wait(5s));
  JobQueue queue(test_db.db());
  auto claimed = queue.claim("w1", 10, 30s);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].tg_user_id, 777);
  EXPECT_EQ(claimed[0].template_id, "self");
  EXPECT_EQ(claimed[0].input_photo_path, "https://picsum.photos/1080/1920");
  EXPECT_NE(claimed[0].product_info.find("A cinematic product showcase"), std::string::npos);
  EXPECT_EQ(claimed[0].id.size(), 36u);
}

}  // namespace
}  // namespace nc::store
