// The durable job queue: idempotent enqueue, claiming due jobs under a lease, transitions
// guarded by the lease owner, and the operator's views and actions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/job.hpp"
#include "store/database.hpp"

namespace nc::store {

struct NewJob {
  std::int64_t user_id = 0;
  std::int64_t tg_user_id = 0;
  std::string idempotency_key;
  std::string batch_id;
  int batch_index = 1;
  int batch_size = 1;
  std::string kind = "reels";
  std::string template_id = "self";
  std::string model;
  std::string input_photo_path;
  std::string product_info = "{}";
};

struct EnqueueResult {
  std::string job_id;
  bool created = false;  // false: a job with this idempotency key already existed
};

// What a worker writes at the end of a step. Unset fields stay as they are.
struct JobChange {
  std::optional<core::JobStatus> status;
  std::optional<std::chrono::milliseconds> run_after;  // next_run_at = now + this
  std::optional<std::string> provider;
  std::optional<std::string> provider_task_id;
  std::optional<std::string> provider_input_url;
  std::optional<std::int64_t> provider_input_expires_at;  // unix seconds
  std::optional<std::string> result_url;
  std::optional<std::string> result_path;
  std::optional<std::int64_t> tg_message_id;
  std::optional<bool> delivered;
  std::optional<std::string> error;  // "" clears it
  // Set: a provider create is about to go out under this token (create_started_at = now).
  std::optional<std::string> create_token;
  bool send_started = false;   // a sendVideo is about to go out (send_started_at = now)
  bool clear_intents = false;  // the create or send came back: its outcome is known
  bool count_attempt = false;  // attempts = attempts + 1
  bool release_lease = true;   // false: keep the lease (the worker goes on with the job)
};

struct JobFilter {
  std::optional<std::int64_t> tg_user_id;
  std::optional<core::JobStatus> status;
  int limit = 20;
};

struct QueueStats {
  std::vector<std::pair<std::string, std::int64_t>> by_status;  // every status, in order
  std::optional<double> oldest_queued_age_s;
  std::vector<std::pair<std::string, std::int64_t>> live_leases_by_owner;
};

enum class AdminAction { kDone, kNotFound, kNotAllowed };

class JobQueue {
 public:
  explicit JobQueue(Database& database) : database_(database) {}

  // The same idempotency key twice gives one job.
  EnqueueResult enqueue(const NewJob& job);
  static EnqueueResult enqueue(Connection& connection, const NewJob& job);
  // True when a job was enqueued under this idempotency key.
  static bool has_job_with_key(Connection& connection, const std::string& idempotency_key);

  // Claims up to `limit` due jobs for `owner` until now + `lease`. PostgreSQL skips rows other
  // workers hold locked; SQLite serialises claimers with its write lock.
  std::vector<core::Job> claim(const std::string& owner, int limit,
                               std::chrono::milliseconds lease);

  // Applies `change` if `owner` still holds a live lease on the job; false when the lease was
  // lost (expired and claimed by another worker), in which case nothing changed.
  // A new status starts the state's clock (state_since) and its error budget (attempts = 0).
  bool update(const std::string& owner, const std::string& job_id, const JobChange& change);
  static bool update(Connection& connection, const std::string& owner, const std::string& job_id,
                     const JobChange& change);
  // Saves the outcome of the create made under `create_token`, whoever holds the lease now:
  // a worker that lost its lease inside the create still records the task it paid for. False
  // when the job has a task already or another worker has since created under a new token.
  static bool update_as_creator(Connection& connection, const std::string& job_id,
                                const std::string& create_token, const JobChange& change);
  // A provider callback about a job: a generating job becomes due now (the worker asks the
  // provider for the truth). A job whose creator was cut off before saving its task id adopts
  // the task the callback names instead of creating a second one; returns true then.
  bool on_provider_callback(const std::string& job_id, const std::optional<std::string>& task_id);

  // How long until the soonest job nobody holds is due (zero when one is due already);
  // nullopt when none waits. A worker sleeps that long instead of a whole sweep period.
  std::optional<std::chrono::milliseconds> next_due_in();

  // Extends the leases `owner` still holds; returns how many were extended.
  int renew(const std::string& owner, const std::vector<std::string>& job_ids,
            std::chrono::milliseconds lease);
  // Hands every lease of `owner` back at once (graceful shutdown): the jobs are due now.
  int release_all(const std::string& owner);

  std::optional<core::Job> find(const std::string& job_id);
  static std::optional<core::Job> find(Connection& connection, const std::string& job_id);
  std::vector<core::Job> list(const JobFilter& filter);
  static std::vector<core::Job> list(Connection& connection, const JobFilter& filter);
  // The job whose result or failure message is `message_id` in the user's chat.
  static std::optional<core::Job> find_by_message(Connection& connection, std::int64_t tg_user_id,
                                                  std::int64_t message_id);
  QueueStats stats();

  // Operator actions. retry: a failed, cancelled or stuck job runs again from where it can
  // (a job with a provider task resumes polling it). cancel: an unfinished job stops and its
  // charge is refunded.
  AdminAction retry(const std::string& job_id);
  AdminAction cancel(const std::string& job_id, const std::string& reason);

 private:
  Database& database_;
};

core::Job to_job(const Row& row);

}  // namespace nc::store
