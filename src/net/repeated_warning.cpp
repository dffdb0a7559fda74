#include "net/repeated_warning.hpp"

#include <spdlog/spdlog.h>

namespace nc::net {

void RepeatedWarning::warn(const std::string& message) {
  std::int64_t held_back = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = now_();
    if (logged_once_ && now - last_logged_ < period_) {
      ++held_back_;
      return;
    }
    held_back = held_back_;
    held_back_ = 0;
    last_logged_ = now;
    logged_once_ = true;
  }
  if (held_back == 0) {
    spdlog::warn("{}", message);
  } else {
    spdlog::warn("{} ({} more like it in the last {} s)", message, held_back, period_.count());
  }
}

}  // namespace nc::net
