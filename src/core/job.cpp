#include "core/job.hpp"

#include <array>
#include <utility>

namespace nc::core {
namespace {

constexpr std::array<std::pair<JobStatus, std::string_view>, 7> kNames{{
    {JobStatus::kQueued, "queued"},
    {JobStatus::kSubmitting, "submitting"},
    {JobStatus::kGenerating, "generating"},
    {JobStatus::kDelivering, "delivering"},
    {JobStatus::kDone, "done"},
    {JobStatus::kFailed, "failed"},
    {JobStatus::kCancelled, "cancelled"},
}};

}  // namespace

std::string_view to_string(JobStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<JobStatus> parse_job_status(std::string_view text) {
  for (const auto& [value, name] : kNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

bool is_terminal(JobStatus status) {
  return status == JobStatus::kDone || status == JobStatus::kFailed ||
         status == JobStatus::kCancelled;
}

bool is_active(JobStatus status) { return !is_terminal(status); }

}  // namespace nc::core
