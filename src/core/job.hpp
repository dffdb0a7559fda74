// A generation job and its states: queued -> submitting -> generating -> delivering -> done,
// or failed (refunded, user told) / cancelled (refunded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nc::core {

enum class JobStatus { kQueued, kSubmitting, kGenerating, kDelivering, kDone, kFailed, kCancelled };

std::string_view to_string(JobStatus status);
std::optional<JobStatus> parse_job_status(std::string_view text);
// Active jobs are the ones a worker still has to step.
bool is_active(JobStatus status);
bool is_terminal(JobStatus status);

struct Job {
  std::string id;
  std::int64_t user_id = 0;
  std::int64_t tg_user_id = 0;
  std::string idempotency_key;
  std::string batch_id;
  int batch_index = 1;
  int batch_size = 1;
  std::string kind = "reels";
  std::string template_id = "self";
  std::string model;  // empty: the configured default model
  std::string input_photo_path;
  std::string product_info = "{}";  // JSON: {"text": ..., "user_prompt": ...}
  JobStatus status = JobStatus::kQueued;
  int attempts = 0;
  std::string next_run_at;
  std::string lease_owner;
  std::string lease_until;
  std::string provider;
  std::string provider_task_id;
  std::string provider_input_url;  // the provider's own copy of the input photo, if it made one
  std::optional<std::int64_t> provider_input_expires_at;  // unix seconds
  std::string result_url;
  std::string result_path;
  std::optional<std::int64_t> tg_message_id;
  std::string error;
  std::string created_at;
  std::string updated_at;
  std::string finished_at;
  double age_s = 0;        // seconds since created, as of the claim
  double state_age_s = 0;  // seconds in the current status, as of the claim
  // Seconds since the last provider create (or sendVideo) began whose outcome was never
  // recorded: the worker holding the job then was cut off inside that call.
  std::optional<double> create_started_age_s;
  std::optional<double> send_started_age_s;
};

}  // namespace nc::core
