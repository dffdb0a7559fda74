// How long a job waits before its next step: backoff after errors, the pace of status reads.
#pragma once

#include <chrono>

#include "core/job.hpp"
#include "core/models.hpp"
#include "providers/provider.hpp"

namespace nc::worker {

// After `attempts` failed tries: 2 s doubling to 5 min, with jitter (half to all of it).
std::chrono::milliseconds backoff(int attempts);

// How often a running task's status is read: local renders every 0.5 s, Veo every 15 s,
// Market tasks every 3 s at first, backing off to 30 s as the task runs longer.
std::chrono::milliseconds poll_interval(const core::ModelSpec* model, const core::Job& job);

// The provider's Retry-After when it gave one, else `otherwise`.
std::chrono::milliseconds retry_delay(const providers::ProviderError& error,
                                      std::chrono::milliseconds otherwise);

}  // namespace nc::worker
