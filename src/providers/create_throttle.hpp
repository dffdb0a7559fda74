// Paces task creation under KIE's account limit of 20 new tasks per 10 s (contract sections 1
// and 11.4): beyond it KIE answers 429 and queues nothing. Polling is not limited here.
//
// CreateThrottle is what the provider awaits before every create. LocalCreateThrottle keeps the
// limit within one process; worker::SharedCreateThrottle keeps it across processes and hosts
// (bookings in the database) and is what the service uses.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>

namespace nc::providers {

struct CreateLimits {
  int max_creates = 20;
  std::chrono::milliseconds window{10'000};
};

class CreateThrottle {
 public:
  virtual ~CreateThrottle() = default;
  // Completes when one more create may be sent. Every completed acquire counts as a create.
  virtual boost::asio::awaitable<void> acquire() = 0;
};

// The arithmetic alone: at most max_creates grants in any window-long interval. Each spent
// token comes back one window after it was spent, so a burst can never straddle two windows.
class CreateWindow {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CreateWindow(CreateLimits limits = {});

  // Books the earliest moment at or after now that keeps the limit and returns it. Bookings are
  // handed out in call order; now must not go backwards between calls.
  Clock::time_point reserve(Clock::time_point now);

 private:
  CreateLimits limits_;
  std::deque<Clock::time_point> granted_;  // the latest max_creates bookings, ascending
};

// Where LocalCreateThrottle reads the time and waits; tests pass one they move by hand.
class ThrottleClock {
 public:
  virtual ~ThrottleClock() = default;
  virtual std::chrono::steady_clock::time_point now() = 0;
  virtual boost::asio::awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) = 0;
};

// In-process throttle: books a slot in a CreateWindow and waits for it on an asio timer of the
// awaiting coroutine's executor. Safe to share between threads.
class LocalCreateThrottle final : public CreateThrottle {
 public:
  // clock: nullptr uses std::chrono::steady_clock and a steady_timer; otherwise it must outlive
  // the throttle.
  explicit LocalCreateThrottle(CreateLimits limits = {}, ThrottleClock* clock = nullptr);

  boost::asio::awaitable<void> acquire() override;

 private:
  std::mutex mutex_;
  CreateWindow window_;
  std::unique_ptr<ThrottleClock> own_clock_;
  ThrottleClock* clock_;
};

}  // namespace nc::providers
