// The provider's create limit kept across processes: two database handles (two hosts) taking
// creates for one account never put more than the limit into any window, a dead waiter holds
// nothing back, and a second account is not held up by the first.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "integration/test_database.hpp"
#include "worker/shared_create_throttle.hpp"

namespace nc::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class SharedCreateThrottleTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  SharedCreateThrottleTest() : db_(GetParam()), other_host_(db_.open_another()) {}

  std::vector<std::int64_t> bookings(const std::string& account) {
    std::vector<std::int64_t> at;
    for (const auto& row : db_.db().execute(
             "SELECT at_ms FROM provider_creates WHERE account = $1 ORDER BY at_ms", {account})) {
      at.push_back(row.integer("at_ms"));
    }
    return at;
  }

  TestDatabase db_;
  std::unique_ptr<store::Database> other_host_;
};

TEST_P(SharedCreateThrottleTest, TwoHostsTogetherKeepTheLimitInEveryWindow) {
  const providers::CreateLimits limits{.max_creates = 4, .window = 400ms};
  net::BlockingPool pool_a(2), pool_b(2);
  worker::SharedCreateThrottle host_a(db_.db(), pool_a, "acct", limits);
  worker::SharedCreateThrottle host_b(*other_host_, pool_b, "acct", limits);
  asio::io_context io;
  int granted = 0;
  auto creates = [&](worker::SharedCreateThrottle& throttle) -> asio::awaitable<void> {
    co_await throttle.acquire();
    ++granted;
  };
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 12; ++i) {
    asio::co_spawn(io, creates(host_a), asio::detached);
    asio::co_spawn(io, creates(host_b), asio::detached);
  }
  io.run();
  const auto elapsed = std::chrono::steady_clock::now() - started;

  EXPECT_EQ(granted, 24);
  const auto at = bookings("acct");
  ASSERT_EQ(at.size(), 24u);  // creates are kept a minute after their window
  for (std::size_t i = 0; i + 4 < at.size(); ++i) {
    EXPECT_GE(at[i + 4] - at[i], 400) << "five bookings within one window at index " << i;
  }
  // 24 creates at 4 per 400 ms: the last one cannot come before five full windows.
  EXPECT_GE(elapsed, 2000ms);
}

// A worker killed while its creates wait (a crash loop) must not leave bookings behind that push
// the live workers' creates out: waiting holds nothing.
TEST_P(SharedCreateThrottleTest, WaitersThatDieHoldNothingBack) {
  const providers::CreateLimits limits{.max_creates = 4, .window = 400ms};
  {
    net::BlockingPool pool(2);
    worker::SharedCreateThrottle dying(db_.db(), pool, "acct", limits);
    asio::io_context io;
    for (int i = 0; i < 60; ++i)
      asio::co_spawn(io, dying.acquire(), asio::detached);
    io.run_for(300ms);  // four got a slot; the rest wait on timers when the process dies
    pool.join();
  }
  net::BlockingPool pool(2);
  worker::SharedCreateThrottle live(*other_host_, pool, "acct", limits);
  asio::io_context io;
  const auto started = std::chrono::steady_clock::now();
  asio::co_spawn(io, live.acquire(), asio::detached);
  io.run();
  // One window at most (the dead worker's four real creates), not 60 / 4 windows.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
}

TEST_P(SharedCreateThrottleTest, AccountsDoNotShareALimit) {
  const providers::CreateLimits limits{.max_creates = 2, .window = 60s};
  net::BlockingPool pool(2);
  worker::SharedCreateThrottle busy(db_.db(), pool, "busy", limits);
  worker::SharedCreateThrottle other(db_.db(), pool, "other", limits);
  asio::io_context io;
  auto run = [&](worker::SharedCreateThrottle& throttle) {
    asio::co_spawn(io, throttle.acquire(), asio::detached);
    io.restart();
    io.run();
  };
  run(busy);
  run(busy);  // "busy" has used its two creates for the next minute
  const auto started = std::chrono::steady_clock::now();
  run(other);
  run(other);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(bookings("busy").size(), 2u);
  EXPECT_EQ(bookings("other").size(), 2u);
}

TEST(SharedCreateThrottleAccount, IsStableAndDoesNotRevealTheKey) {
  const auto account = worker::SharedCreateThrottle::account_of("kie-secret-key");
  EXPECT_EQ(account, worker::SharedCreateThrottle::account_of("kie-secret-key"));
  EXPECT_NE(account, worker::SharedCreateThrottle::account_of("another-key"));
  EXPECT_EQ(account.find("secret"), std::string::npos);
  EXPECT_EQ(account.size(), 16u);
}

NC_BOTH_BACKENDS(SharedCreateThrottleTest);

}  // namespace
}  // namespace nc::testing
