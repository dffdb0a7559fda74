#include "worker/retry_policy.hpp"

#include <algorithm>

#include "core/backoff.hpp"

namespace nc::worker {

std::chrono::milliseconds backoff(int attempts) {
  return core::jittered_backoff(attempts, std::chrono::seconds(2), std::chrono::minutes(5));
}

std::chrono::milliseconds poll_interval(const core::ModelSpec* model, const core::Job& job) {
  if (!model || model->family == core::ApiFamily::kLocal) return std::chrono::milliseconds(500);
  if (model->family == core::ApiFamily::kVeo) return std::chrono::seconds(15);
  const auto by_age = static_cast<std::int64_t>(job.state_age_s * 1000.0 / 5.0);
  return std::chrono::milliseconds(std::clamp<std::int64_t>(by_age, 3'000, 30'000));
}

std::chrono::milliseconds retry_delay(const providers::ProviderError& error,
                                      std::chrono::milliseconds otherwise) {
  if (!error.retry_after) return otherwise;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*error.retry_after);
}

}  // namespace nc::worker
