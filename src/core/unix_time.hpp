// Wall-clock seconds since the epoch: what signed links, upload expiries and hourly alerts
// are measured in.
#pragma once

#include <chrono>
#include <cstdint>

namespace nc::core {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace nc::core
