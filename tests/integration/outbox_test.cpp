// Outbox, update dedupe and settings on both backends.
#include "store/outbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "integration/test_database.hpp"
#include "store/settings.hpp"

namespace nc::store {
namespace {

using namespace std::chrono_literals;

class OutboxTest : public ::testing::TestWithParam<Backend> {
 protected:
  OutboxTest() : test_db_(GetParam()) {}
  Database& db() { return test_db_.db(); }
  nc::testing::TestDatabase test_db_;
};

TEST_P(OutboxTest, AnUpdateIsFirstSeenOnceEvenAcrossTransactions) {
  EXPECT_TRUE(db().transaction([](Connection& c) { return first_time_update(c, 900); }));
  EXPECT_FALSE(db().transaction([](Connection& c) { return first_time_update(c, 900); }));
  // A rolled-back handling leaves the update unseen, so a redelivery handles it.
  EXPECT_THROW(db().transaction([](Connection& c) {
    first_time_update(c, 901);
    throw DbError("handler failed");
  }),
               DbError);
  EXPECT_TRUE(db().transaction([](Connection& c) { return first_time_update(c, 901); }));
}

TEST_P(OutboxTest, StaleCallsAreReclaimedInOrderAndFinishedOnce) {
  auto ids = db().transaction([](Connection& c) {
    std::vector<std::int64_t> out;
    for (int i = 0; i < 3; ++i) {
      out.push_back(
          Outbox::add(
              c, {.chat_id = 7, .method = "sendMessage", .payload = R"({"chat_id":7,"text":"hi"})"},
              "front-1", 30s)
              .id);
    }
    return out;
  });
  Outbox outbox(db());
  EXPECT_EQ(outbox.pending_count(), 3);
  EXPECT_TRUE(outbox.claim_stale("front-2", 10, 30s).empty());  // front-1 still holds them
  outbox.finish(ids[0]);
  test_db_.clock().advance(31s);  // front-1 died
  auto stale = outbox.claim_stale("front-2", 10, 30s);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].id, ids[1]);
  EXPECT_EQ(stale[1].id, ids[2]);
  EXPECT_EQ(stale[0].attempts, 1);
  outbox.retry_later(stale[0].id, 60s, "429");
  outbox.finish(stale[1].id, "blocked by the user");
  EXPECT_EQ(outbox.pending_count(), 1);
  EXPECT_TRUE(outbox.claim_stale("front-3", 10, 30s).empty());  // retry is not due yet
}

TEST_P(OutboxTest, RenewedCallsStayWithTheirSender) {
  auto id = db().transaction([](Connection& c) {
    return Outbox::add(c, {.chat_id = 7, .method = "sendMessage", .payload = "{}"}, "front-1", 30s)
        .id;
  });
  Outbox outbox(db());
  outbox.renew("front-1", {id}, 120s);  // still queued at front-1 (Telegram's pace)
  test_db_.clock().advance(31s);
  EXPECT_TRUE(outbox.claim_stale("front-2", 10, 30s).empty());
  outbox.renew("front-2", {id}, 30s);  // not front-2's to renew
  EXPECT_TRUE(outbox.claim_stale("front-2", 10, 30s).empty());
}

TEST_P(OutboxTest, SettingsKeepTheFirstGeneratedValue) {
  Settings settings(db());
  EXPECT_FALSE(settings.get("webhook.secret"));
  EXPECT_EQ(settings.get_or_put("webhook.secret", "first"), "first");
  EXPECT_EQ(settings.get_or_put("webhook.secret", "second"), "first");
  settings.put("polling.offset", "41");
  settings.put("polling.offset", "42");
  EXPECT_EQ(settings.get("polling.offset"), "42");
}

TEST_P(OutboxTest, AClaimOncePerPeriodGoesToOneOfManyAtOnce) {
  auto other_host = test_db_.open_another();
  std::atomic<int> won = 0;
  std::vector<std::thread> claimers;
  for (int i = 0; i < 8; ++i) {
    Database& database = i % 2 == 0 ? db() : *other_host;
    claimers.emplace_back([&database, &won] {
      database.transaction([&](Connection& connection) {
        if (Settings::claim_once_per(connection, "alert.x", 3600)) ++won;
      });
    });
  }
  for (auto& claimer : claimers)
    claimer.join();
  EXPECT_EQ(won, 1);
  auto claim = [&] {
    return db().transaction([&](Connection& connection) {
      return Settings::claim_once_per(connection, "alert.x", 3600);
    });
  };
  test_db_.clock().advance(std::chrono::minutes(59));
  EXPECT_FALSE(claim());  // within the hour
  test_db_.clock().advance(std::chrono::minutes(2));
  EXPECT_TRUE(claim());  // an hour on
  EXPECT_FALSE(claim());
}

NC_BOTH_BACKENDS(OutboxTest);

}  // namespace
}  // namespace nc::store
