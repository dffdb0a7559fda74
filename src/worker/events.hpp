// What the worker reports as it goes, for metrics. Every hook may be left empty.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/job.hpp"

namespace nc::worker {

struct WorkerEvents {
  // A job reached `status`, `seconds` after it was created.
  std::function<void(core::JobStatus status, double seconds)> on_transition;
  std::function<void(std::string_view what, std::int64_t credits)> on_credits;
  std::function<void(bool ok)> on_result_download;  // each download of a provider's result
  // A create or a sendVideo begun by a worker that was cut off inside it is made again: the
  // provider may bill a task that is never used, the seller may get a video twice.
  std::function<void(std::string_view what)> on_repeated_call;
};

}  // namespace nc::worker
