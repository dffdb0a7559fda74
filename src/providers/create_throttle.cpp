// The create window and the in-process throttle that waits on it.
#include "providers/create_throttle.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nc::providers {
namespace {

namespace asio = boost::asio;

class SteadyClock final : public ThrottleClock {
 public:
  std::chrono::steady_clock::time_point now() override { return std::chrono::steady_clock::now(); }

  asio::awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) override {
    asio::steady_timer timer(co_await asio::this_coro::executor, when);
    co_await timer.async_wait(asio::use_awaitable);
  }
};

}  // namespace

CreateWindow::CreateWindow(CreateLimits limits) : limits_(limits) {
  limits_.max_creates = std::max(limits_.max_creates, 1);
}

CreateWindow::Clock::time_point CreateWindow::reserve(Clock::time_point now) {
  auto slot = now;
  if (static_cast<int>(granted_.size()) >= limits_.max_creates) {
    // The oldest of the last max_creates bookings leaves the window one window later.
    slot = std::max(now, granted_.front() + limits_.window);
    granted_.pop_front();
  }
  slot = granted_.empty() ? slot : std::max(slot, granted_.back());
  granted_.push_back(slot);
  return slot;
}

LocalCreateThrottle::LocalCreateThrottle(CreateLimits limits, ThrottleClock* clock)
    : window_(limits),
      own_clock_(clock ? nullptr : std::make_unique<SteadyClock>()),
      clock_(clock ? clock : own_clock_.get()) {}

asio::awaitable<void> LocalCreateThrottle::acquire() {
  std::chrono::steady_clock::time_point slot;
  std::chrono::steady_clock::time_point now;
  {
    std::lock_guard lock(mutex_);
    now = clock_->now();
    slot = window_.reserve(now);
  }
  if (slot > now) co_await clock_->sleep_until(slot);
}

}  // namespace nc::providers
