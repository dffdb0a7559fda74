// The one backoff formula: `base` doubled per attempt up to `cap`. With jitter, a random point
// in the upper half of that, so retries from many places do not line up.
#pragma once

#include <chrono>

namespace nc::core {

std::chrono::milliseconds capped_backoff(int attempts, std::chrono::milliseconds base,
                                         std::chrono::milliseconds cap);

std::chrono::milliseconds jittered_backoff(int attempts, std::chrono::milliseconds base,
                                           std::chrono::milliseconds cap);

}  // namespace nc::core
