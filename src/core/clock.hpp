// Wall-clock time as a dependency. Production reads the real clock; tests use a ShiftedClock
// and move it forward instead of sleeping, so leases expire, deadlines pass and files age at
// once. The store reads it for every {now} in its SQL (see store::to_dialect).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace nc::core {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;

  std::int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
};

// The system's clock.
const Clock& real_clock();

// The real clock plus however far a test has advanced it. Time still flows (so rows stamped by
// the database's own DEFAULT now() are never in this clock's future); it only ever jumps ahead.
class ShiftedClock final : public Clock {
 public:
  time_point now() const override {
    return std::chrono::system_clock::now() +
           std::chrono::microseconds(shift_us_.load(std::memory_order_relaxed));
  }
  void advance(std::chrono::microseconds by) { shift_us_ += by.count(); }

 private:
  std::atomic<std::int64_t> shift_us_{0};
};

}  // namespace nc::core
