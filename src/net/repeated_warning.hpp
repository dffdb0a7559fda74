// A warning anyone on the internet can cause (a wrong webhook secret, a forged signature)
// written at most once a period: the first at once, then one summary with how many came since,
// so a flood of bad requests cannot flood the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace nc::net {

class RepeatedWarning {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RepeatedWarning(std::chrono::seconds period = std::chrono::seconds(60),
                           std::function<Clock::time_point()> now = &Clock::now)
      : period_(period), now_(std::move(now)) {}

  // Logs `message` unless one was logged less than a period ago; then only counts it.
  void warn(const std::string& message);

 private:
  std::chrono::seconds period_;
  std::function<Clock::time_point()> now_;
  std::mutex mutex_;
  bool logged_once_ = false;
  Clock::time_point last_logged_{};
  std::int64_t held_back_ = 0;
};

}  // namespace nc::net
