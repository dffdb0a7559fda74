#include "core/backoff.hpp"

#include <algorithm>
#include <random>

namespace nc::core {

std::chrono::milliseconds capped_backoff(int attempts, std::chrono::milliseconds base,
                                         std::chrono::milliseconds cap) {
  const int doublings = std::clamp(attempts, 0, 20);
  return std::min(cap, std::chrono::milliseconds(base.count() << doublings));
}

std::chrono::milliseconds jittered_backoff(int attempts, std::chrono::milliseconds base,
                                           std::chrono::milliseconds cap) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const auto ceiling = capped_backoff(attempts, base, cap).count();
  std::uniform_int_distribution<std::int64_t> jitter(ceiling / 2, ceiling);
  return std::chrono::milliseconds(jitter(random));
}

}  // namespace nc::core
