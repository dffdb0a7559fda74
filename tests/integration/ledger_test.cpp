// The credits ledger on both backends: idempotent postings, refunds exactly once, no overdraft
// under concurrency, and the audit invariant credits == sum(ledger).
#include "store/ledger.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <thread>

#include "integration/test_database.hpp"
#include "store/job_queue.hpp"
#include "store/users.hpp"

namespace nc::store {
namespace {

class LedgerTest : public ::testing::TestWithParam<Backend> {
 protected:
  LedgerTest() : test_db_(GetParam()), users_(db()), ledger_(db()), queue_(db()) {}
  Database& db() { return test_db_.db(); }

  std::string new_job(const User& user, const std::string& key) {
    return queue_
        .enqueue(NewJob{.user_id = user.id, .tg_user_id = user.tg_user_id, .idempotency_key = key})
        .job_id;
  }

  nc::testing::TestDatabase test_db_;
  Users users_;
  Ledger ledger_;
  JobQueue queue_;
};

TEST_P(LedgerTest, StartCreditsAreGrantedOncePerUser) {
  auto first = users_.upsert(1001, "seller", "ru", 3);
  EXPECT_EQ(first.credits, 3);
  auto again = users_.upsert(1001, "seller_renamed", "en", 3);
  EXPECT_EQ(again.credits, 3);
  EXPECT_EQ(again.username, "seller_renamed");
  EXPECT_EQ(again.language, "en");
  EXPECT_EQ(ledger_.recent(first.id, 10).size(), 1u);
}

TEST_P(LedgerTest, GrantIsIdempotentByKey) {
  auto user = users_.upsert(1002, "", "ru", 0);
  EXPECT_EQ(ledger_.grant(1002, 10, "grant:a", "promo"), PostingOutcome::kApplied);
  EXPECT_EQ(ledger_.grant(1002, 10, "grant:a", "promo"), PostingOutcome::kAlreadyApplied);
  EXPECT_EQ(ledger_.balance(user.id), 10);
  EXPECT_EQ(ledger_.grant(999999, 10, "grant:b", ""), PostingOutcome::kUnknownUser);
}

TEST_P(LedgerTest, ChargeAndRefundReverseExactlyThatJobOnce) {
  auto user = users_.upsert(1003, "", "ru", 5);
  const auto job = new_job(user, "k1");
  auto charge =
      db().transaction([&](Connection& c) { return Ledger::charge_job(c, user.id, job, 2); });
  EXPECT_EQ(charge, PostingOutcome::kApplied);
  EXPECT_EQ(ledger_.balance(user.id), 3);
  EXPECT_EQ(ledger_.refund_job(job), PostingOutcome::kApplied);
  EXPECT_EQ(ledger_.balance(user.id), 5);
  EXPECT_EQ(ledger_.refund_job(job), PostingOutcome::kAlreadyApplied);
  EXPECT_EQ(ledger_.balance(user.id), 5);

  const auto never_charged = new_job(user, "k2");
  EXPECT_EQ(ledger_.refund_job(never_charged), PostingOutcome::kNotCharged);
  EXPECT_EQ(ledger_.balance(user.id), 5);

  const auto rows = ledger_.recent(user.id, 10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].reason, "refund");
  EXPECT_EQ(rows[0].delta, 2);
  EXPECT_EQ(rows[0].idempotency_key, "refund:" + job);
  EXPECT_EQ(rows[1].reason, "charge");
  EXPECT_EQ(rows[1].delta, -2);
  EXPECT_TRUE(ledger_.audit().ok());
}

TEST_P(LedgerTest, BalanceNeverGoesBelowZero) {
  auto user = users_.upsert(1004, "", "ru", 1);
  const auto job = new_job(user, "k1");
  EXPECT_EQ(db().transaction([&](Connection& c) { return Ledger::charge_job(c, user.id, job, 2); }),
            PostingOutcome::kInsufficient);
  EXPECT_EQ(ledger_.balance(user.id), 1);
  EXPECT_EQ(
      ledger_.post(Posting{
          .user_id = user.id, .delta = -5, .reason = "adjust", .idempotency_key = "adjust:1"}),
      PostingOutcome::kInsufficient);
  EXPECT_EQ(ledger_.recent(user.id, 10).size(), 1u);  // only the start grant
  EXPECT_TRUE(ledger_.audit().ok());
}

TEST_P(LedgerTest, ConcurrentChargesNeverOverdraw) {
  auto user = users_.upsert(1005, "", "ru", 0);
  ASSERT_EQ(ledger_.grant(1005, 50, "grant:50", ""), PostingOutcome::kApplied);
  std::vector<std::string> jobs;
  for (int i = 0; i < 100; ++i)
    jobs.push_back(new_job(user, "c" + std::to_string(i)));

  // Several threads, each through its own database handle (its own connections), as several
  // bot processes would.
  constexpr int kThreads = 8;
  std::atomic<int> applied{0}, insufficient{0}, next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto handle = test_db_.open_another();
      for (int i = next++; i < 100; i = next++) {
        const auto outcome = handle->transaction(
            [&](Connection& c) { return Ledger::charge_job(c, user.id, jobs[i], 1); });
        if (outcome == PostingOutcome::kApplied) ++applied;
        if (outcome == PostingOutcome::kInsufficient) ++insufficient;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(applied.load(), 50);
  EXPECT_EQ(insufficient.load(), 50);
  EXPECT_EQ(ledger_.balance(user.id), 0);
  const auto report = ledger_.audit();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.total_credits, report.total_ledger);
}

TEST_P(LedgerTest, AuditFindsABalanceChangedBehindTheLedger) {
  auto user = users_.upsert(1006, "", "ru", 2);
  db().execute("UPDATE users SET credits = 7 WHERE id = $1", {user.id});
  const auto report = ledger_.audit();
  ASSERT_EQ(report.mismatches.size(), 1u);
  EXPECT_EQ(report.mismatches[0].tg_user_id, 1006);
  EXPECT_EQ(report.mismatches[0].credits, 7);
  EXPECT_EQ(report.mismatches[0].ledger_sum, 2);
  EXPECT_FALSE(report.ok());
}

// A balance never passes kMaxBalance (PostgreSQL's integer; on SQLite a larger sum would turn
// into a float): such a posting changes nothing, and the audit still holds.
TEST_P(LedgerTest, NoBalancePassesTheLimit) {
  auto user = users_.upsert(1007, "", "ru", 0);
  EXPECT_EQ(ledger_.grant(1007, kMaxBalance - 5, "big", ""), PostingOutcome::kApplied);
  EXPECT_EQ(ledger_.grant(1007, 10, "over", ""), PostingOutcome::kAboveLimit);
  EXPECT_EQ(ledger_.balance(user.id), kMaxBalance - 5);
  EXPECT_EQ(ledger_.grant(1007, 5, "to-the-limit", ""), PostingOutcome::kApplied);
  EXPECT_EQ(ledger_.balance(user.id), kMaxBalance);
  EXPECT_EQ(ledger_.grant(1007, 1, "one-more", ""), PostingOutcome::kAboveLimit);
  // Inside a larger transaction the refusal is an outcome too: the rest of it commits.
  const auto in_transaction = db().transaction([&](Connection& c) {
    auto outcome = Ledger::post(c, Posting{.user_id = user.id,
                                           .delta = 1,
                                           .reason = "grant",
                                           .idempotency_key = "in-transaction"});
    c.execute("UPDATE users SET username = 'still here' WHERE id = $1", {user.id});
    return outcome;
  });
  EXPECT_EQ(in_transaction, PostingOutcome::kAboveLimit);
  EXPECT_EQ(users_.find(1007)->username, "still here");

  // A delta no balance could hold is refused before anything is written, either way.
  auto other = users_.upsert(1008, "", "ru", 0);
  EXPECT_EQ(ledger_.grant(1008, 5'000'000'000, "huge", ""), PostingOutcome::kAboveLimit);
  EXPECT_EQ(ledger_.grant(1008, std::numeric_limits<std::int64_t>::max(), "max", ""),
            PostingOutcome::kAboveLimit);
  EXPECT_EQ(ledger_.grant(1008, -5'000'000'000, "huge-take", ""), PostingOutcome::kAboveLimit);
  EXPECT_EQ(ledger_.balance(other.id), 0);

  EXPECT_EQ(ledger_.recent(user.id, 10).size(), 2u);
  EXPECT_TRUE(ledger_.recent(other.id, 10).empty());
  const auto report = ledger_.audit();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.total_credits, kMaxBalance);
  EXPECT_EQ(report.total_ledger, kMaxBalance);
}

NC_BOTH_BACKENDS(LedgerTest);

}  // namespace
}  // namespace nc::store
