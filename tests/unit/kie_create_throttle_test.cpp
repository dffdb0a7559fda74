// The create throttle: never more than the limit in any window, at a hand-moved clock and on a
// real timer.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <vector>

#include "kie_test_support.hpp"
#include "providers/create_throttle.hpp"

namespace nc::providers::kie {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Time moves only when someone sleeps.
class FakeClock final : public ThrottleClock {
 public:
  Clock::time_point now() override { return now_; }
  asio::awaitable<void> sleep_until(Clock::time_point when) override {
    ++sleeps_;
    if (when > now_) now_ = when;
    co_return;
  }
  Clock::time_point now_ = Clock::time_point(1000h);
  int sleeps_ = 0;
};

asio::awaitable<std::vector<Clock::time_point>> acquire_times(CreateThrottle& throttle,
                                                              FakeClock& clock, int count) {
  std::vector<Clock::time_point> times;
  for (int i = 0; i < count; ++i) {
    co_await throttle.acquire();
    times.push_back(clock.now());
  }
  co_return times;
}

TEST(KieThrottle, TwentyFiveCreatesAtAFakeClockTakeAWindowForTheLastFive) {
  FakeClock clock;
  const auto start = clock.now();
  LocalCreateThrottle throttle(CreateLimits{}, &clock);
  asio::io_context io;
  auto times = kie_testing::run(io, acquire_times(throttle, clock, 25));
  ASSERT_EQ(times.size(), 25u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(times[i], start) << i;
  for (int i = 20; i < 25; ++i)
    EXPECT_EQ(times[i] - start, 10s) << i;
  EXPECT_EQ(clock.sleeps_, 1);  // the 21st waits; 22-25 find the clock already there

  // A window later there is room for 15 more before the next wait.
  auto more = kie_testing::run(io, acquire_times(throttle, clock, 16));
  EXPECT_EQ(more[14] - start, 10s);
  EXPECT_EQ(more[15] - start, 20s);
}

TEST(KieThrottle, WindowSpreadsBookingsOverTime) {
  CreateLimits limits;
  limits.max_creates = 3;
  limits.window = 1s;
  CreateWindow window(limits);
  const auto t0 = Clock::time_point(5h);
  EXPECT_EQ(window.reserve(t0), t0);
  EXPECT_EQ(window.reserve(t0 + 100ms), t0 + 100ms);
  EXPECT_EQ(window.reserve(t0 + 200ms), t0 + 200ms);
  EXPECT_EQ(window.reserve(t0 + 300ms), t0 + 1s);  // the first slot comes back
  EXPECT_EQ(window.reserve(t0 + 300ms), t0 + 1100ms);
  EXPECT_EQ(window.reserve(t0 + 5s), t0 + 5s);  // idle long enough: no wait
  EXPECT_EQ(window.reserve(t0 + 5s), t0 + 5s);
}

TEST(KieThrottle, RealTimerWaitsForTheWindow) {
  CreateLimits limits;
  limits.max_creates = 3;
  limits.window = 150ms;
  LocalCreateThrottle throttle(limits);
  asio::io_context io;
  const auto start = Clock::now();
  auto task = [&]() -> asio::awaitable<std::vector<Clock::duration>> {
    std::vector<Clock::duration> after;
    for (int i = 0; i < 4; ++i) {
      co_await throttle.acquire();
      after.push_back(Clock::now() - start);
    }
    co_return after;
  };
  auto after = kie_testing::run(io, task());
  EXPECT_LT(after[2], 100ms);
  EXPECT_GE(after[3], 150ms);
}

}  // namespace
}  // namespace nc::providers::kie
