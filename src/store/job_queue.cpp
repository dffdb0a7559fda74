#include "store/job_queue.hpp"

#include <fmt/format.h>

#include <cmath>

#include "store/ids.hpp"
#include "store/ledger.hpp"

namespace nc::store {
namespace {

using core::JobStatus;

#define NC_JOB_COLUMNS                                                                     \
  "id, user_id, tg_user_id, idempotency_key, batch_id, batch_index, batch_size, kind, "    \
  "template_id, model, input_photo_path, product_info, status, attempts, next_run_at, "    \
  "lease_owner, lease_until, provider, provider_task_id, provider_input_url, "             \
  "provider_input_expires_at, result_url, result_path, tg_message_id, error, created_at, " \
  "updated_at, finished_at"

// Ages the worker reads along with a claimed job (braces doubled: used in fmt::format).
#define NC_JOB_AGES                                                                             \
  "{{age_s created_at}} AS age_s, {{age_s COALESCE(state_since, created_at)}} AS state_age_s, " \
  "{{age_s create_started_at}} AS create_started_age_s, "                                       \
  "{{age_s send_started_at}} AS send_started_age_s"

constexpr const char* kInsertJob =
    "INSERT INTO jobs (id, user_id, tg_user_id, idempotency_key, batch_id, batch_index, "
    "batch_size, kind, template_id, model, input_photo_path, product_info) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";

constexpr const char* kJobByKey = "SELECT id FROM jobs WHERE idempotency_key = $1";

constexpr const char* kActiveStatuses = "('queued', 'submitting', 'generating', 'delivering')";

const std::string kClaim = fmt::format(
    "UPDATE jobs SET lease_owner = $1, lease_until = {{now+ms $2}}, updated_at = {{now}} "
    "WHERE id IN (SELECT id FROM jobs WHERE status IN {} AND next_run_at <= {{now}} "
    "AND (lease_until IS NULL OR lease_until < {{now}}) "
    "ORDER BY next_run_at LIMIT $3 {{skip_locked}}) RETURNING " NC_JOB_COLUMNS ", " NC_JOB_AGES,
    kActiveStatuses);

const std::string kNextDue = fmt::format(
    "SELECT {{age_s next_run_at}} AS overdue_s FROM jobs WHERE status IN {} "
    "AND lease_until IS NULL ORDER BY next_run_at LIMIT 1",
    kActiveStatuses);

constexpr const char* kRenew =
    "UPDATE jobs SET lease_until = {now+ms $3} "
    "WHERE id = $1 AND lease_owner = $2 AND lease_until > {now}";

constexpr const char* kReleaseAll =
    "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, next_run_at = {now}, "
    "updated_at = {now} WHERE lease_owner = $1 AND lease_until > {now}";

constexpr const char* kFindJob = "SELECT " NC_JOB_COLUMNS " FROM jobs WHERE id = $1";

constexpr const char* kFindByMessage =
    "SELECT " NC_JOB_COLUMNS " FROM jobs WHERE tg_user_id = $1 AND tg_message_id = $2 LIMIT 1";

constexpr const char* kCountByStatus = "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status";

constexpr const char* kOldestQueued =
    "SELECT {age_s MIN(created_at)} AS age FROM jobs WHERE status = 'queued'";

constexpr const char* kLiveLeases =
    "SELECT lease_owner, COUNT(*) AS n FROM jobs WHERE lease_until > {now} "
    "GROUP BY lease_owner ORDER BY lease_owner";

// A failed or cancelled job starts over; an unfinished one is made due now and taken from
// whichever worker held it.
const std::string kRetryFinished = fmt::format(
    "UPDATE jobs SET status = 'queued', attempts = 0, next_run_at = {{now}}, lease_owner = NULL, "
    "lease_until = NULL, provider_task_id = NULL, provider_input_url = NULL, "
    "provider_input_expires_at = NULL, result_url = NULL, error = NULL, finished_at = NULL, "
    "updated_at = {{now}}, state_since = {{now}}, "
    "create_started_at = NULL, create_token = NULL, send_started_at = NULL "
    "WHERE id = $1 AND status IN ('failed', 'cancelled')");
const std::string kRetryActive = fmt::format(
    "UPDATE jobs SET next_run_at = {{now}}, lease_owner = NULL, lease_until = NULL, "
    "updated_at = {{now}} WHERE id = $1 AND status IN {}",
    kActiveStatuses);

// A callback only makes a generating job due now; whoever holds the job keeps it.
constexpr const char* kCallbackDue =
    "UPDATE jobs SET next_run_at = {now} WHERE id = $1 AND status = 'generating' AND "
    "(lease_until IS NULL OR lease_until < {now})";

const std::string kCancel = fmt::format(
    "UPDATE jobs SET status = 'cancelled', error = $2, lease_owner = NULL, lease_until = NULL, "
    "finished_at = {{now}}, updated_at = {{now}} WHERE id = $1 AND status IN {}",
    kActiveStatuses);

Value optional_text(const std::string& text) {
  return text.empty() ? Value(nullptr) : Value(text);
}

}  // namespace

core::Job to_job(const Row& row) {
  core::Job job;
  job.id = row.text("id");
  job.user_id = row.integer("user_id");
  job.tg_user_id = row.integer("tg_user_id");
  job.idempotency_key = row.text("idempotency_key");
  job.batch_id = row.text("batch_id");
  job.batch_index = static_cast<int>(row.integer("batch_index"));
  job.batch_size = static_cast<int>(row.integer("batch_size"));
  job.kind = row.text("kind");
  job.template_id = row.text("template_id");
  job.model = row.text("model");
  job.input_photo_path = row.text("input_photo_path");
  job.product_info = row.text("product_info");
  job.status = core::parse_job_status(row.text("status")).value_or(JobStatus::kFailed);
  job.attempts = static_cast<int>(row.integer("attempts"));
  job.next_run_at = row.text("next_run_at");
  job.lease_owner = row.text("lease_owner");
  job.lease_until = row.text("lease_until");
  job.provider = row.text("provider");
  job.provider_task_id = row.text("provider_task_id");
  job.provider_input_url = row.text("provider_input_url");
  job.provider_input_expires_at = row.optional_integer("provider_input_expires_at");
  job.result_url = row.text("result_url");
  job.result_path = row.text("result_path");
  job.tg_message_id = row.optional_integer("tg_message_id");
  job.error = row.text("error");
  job.created_at = row.text("created_at");
  job.updated_at = row.text("updated_at");
  job.finished_at = row.text("finished_at");
  if (row.has("age_s")) job.age_s = row.real("age_s");
  if (row.has("state_age_s")) job.state_age_s = row.real("state_age_s");
  if (row.has("create_started_age_s") && !row.is_null("create_started_age_s"))
    job.create_started_age_s = row.real("create_started_age_s");
  if (row.has("send_started_age_s") && !row.is_null("send_started_age_s"))
    job.send_started_age_s = row.real("send_started_age_s");
  return job;
}

EnqueueResult JobQueue::enqueue(Connection& connection, const NewJob& job) {
  auto inserted = connection.execute(
      kInsertJob,
      {new_uuid(), job.user_id, job.tg_user_id, job.idempotency_key, optional_text(job.batch_id),
       std::int64_t{job.batch_index}, std::int64_t{job.batch_size}, job.kind, job.template_id,
       optional_text(job.model), optional_text(job.input_photo_path),
       job.product_info.empty() ? std::string("{}") : job.product_info});
  if (!inserted.empty()) return EnqueueResult{inserted.front().text("id"), true};
  return EnqueueResult{connection.execute(kJobByKey, {job.idempotency_key}).front().text("id"),
                       false};
}

EnqueueResult JobQueue::enqueue(const NewJob& job) {
  auto result =
      database_.transaction([&](Connection& connection) { return enqueue(connection, job); });
  if (result.created) database_.notify_jobs_due();
  return result;
}

std::vector<core::Job> JobQueue::claim(const std::string& owner, int limit,
                                       std::chrono::milliseconds lease) {
  auto rows = database_.transaction([&](Connection& connection) {
    return connection.execute(kClaim, {owner, std::int64_t{lease.count()}, std::int64_t{limit}});
  });
  std::vector<core::Job> jobs;
  jobs.reserve(rows.size());
  for (const auto& row : rows)
    jobs.push_back(to_job(row));
  return jobs;
}

namespace {

// The SET list of a change; params continue after the ones the WHERE clause uses.
std::string assignments(const JobChange& change, std::vector<Value>& params) {
  std::string sets = "updated_at = {now}";
  auto set = [&](const char* column, Value value) {
    params.push_back(std::move(value));
    sets += fmt::format(", {} = ${}", column, params.size());
  };
  if (change.status) {
    set("status", std::string(core::to_string(*change.status)));
    sets += ", state_since = {now}";
    if (!change.count_attempt) sets += ", attempts = 0";
  }
  if (change.run_after) {
    params.push_back(std::int64_t{change.run_after->count()});
    sets += fmt::format(", next_run_at = {{now+ms ${}}}", params.size());
  }
  if (change.provider) set("provider", *change.provider);
  if (change.provider_task_id) set("provider_task_id", *change.provider_task_id);
  if (change.provider_input_url) set("provider_input_url", *change.provider_input_url);
  if (change.provider_input_expires_at)
    set("provider_input_expires_at", *change.provider_input_expires_at);
  if (change.result_url) set("result_url", *change.result_url);
  if (change.result_path) set("result_path", *change.result_path);
  if (change.tg_message_id) set("tg_message_id", *change.tg_message_id);
  if (change.delivered) set("delivered", std::int64_t{*change.delivered ? 1 : 0});
  if (change.error) set("error", optional_text(*change.error));
  if (change.create_token) {
    set("create_token", *change.create_token);
    sets += ", create_started_at = {now}";
  }
  if (change.send_started) sets += ", send_started_at = {now}";
  if (change.clear_intents) sets += ", create_started_at = NULL, send_started_at = NULL";
  if (change.count_attempt) sets += ", attempts = attempts + 1";
  const bool terminal = change.status && core::is_terminal(*change.status);
  if (terminal) sets += ", finished_at = {now}";
  if (terminal || change.release_lease) sets += ", lease_owner = NULL, lease_until = NULL";
  return sets;
}

}  // namespace

bool JobQueue::update(Connection& connection, const std::string& owner, const std::string& job_id,
                      const JobChange& change) {
  std::vector<Value> params{job_id, owner};
  const auto sql =
      fmt::format("UPDATE jobs SET {} WHERE id = $1 AND lease_owner = $2 AND lease_until > {{now}}",
                  assignments(change, params));
  return connection.execute(sql, params).affected == 1;
}

bool JobQueue::update_as_creator(Connection& connection, const std::string& job_id,
                                 const std::string& create_token, const JobChange& change) {
  std::vector<Value> params{job_id, create_token};
  const auto sql = fmt::format(
      "UPDATE jobs SET {} WHERE id = $1 AND create_token = $2 AND provider_task_id IS NULL",
      assignments(change, params));
  return connection.execute(sql, params).affected == 1;
}

bool JobQueue::on_provider_callback(const std::string& job_id,
                                    const std::optional<std::string>& task_id) {
  if (!is_uuid(job_id)) return false;
  bool adopted = false;
  if (task_id) {
    // The lease is taken away too: a worker still inside the step finds it lost and stops.
    const JobChange adopt{.status = JobStatus::kGenerating,
                          .run_after = std::chrono::milliseconds(0),
                          .provider_task_id = *task_id};
    std::vector<Value> params{job_id};
    const auto sql = fmt::format(
        "UPDATE jobs SET {} WHERE id = $1 AND status IN ('queued', 'submitting') "
        "AND provider_task_id IS NULL AND create_started_at IS NOT NULL",
        assignments(adopt, params));
    adopted = database_.transaction(
        [&](Connection& connection) { return connection.execute(sql, params).affected == 1; });
  }
  if (!adopted) database_.execute(kCallbackDue, {job_id});
  database_.notify_jobs_due();
  return adopted;
}

bool JobQueue::update(const std::string& owner, const std::string& job_id,
                      const JobChange& change) {
  return database_.transaction(
      [&](Connection& connection) { return update(connection, owner, job_id, change); });
}

int JobQueue::renew(const std::string& owner, const std::vector<std::string>& job_ids,
                    std::chrono::milliseconds lease) {
  if (job_ids.empty()) return 0;
  return database_.transaction([&](Connection& connection) {
    int renewed = 0;
    for (const auto& id : job_ids) {
      renewed += static_cast<int>(
          connection.execute(kRenew, {id, owner, std::int64_t{lease.count()}}).affected);
    }
    return renewed;
  });
}

int JobQueue::release_all(const std::string& owner) {
  const auto released = database_.execute(kReleaseAll, {owner}).affected;
  if (released > 0) database_.notify_jobs_due();
  return static_cast<int>(released);
}

bool JobQueue::has_job_with_key(Connection& connection, const std::string& idempotency_key) {
  return !connection.execute("SELECT 1 FROM jobs WHERE idempotency_key = $1", {idempotency_key})
              .empty();
}

std::optional<core::Job> JobQueue::find(Connection& connection, const std::string& job_id) {
  if (!is_uuid(job_id)) return std::nullopt;
  auto rows = connection.execute(kFindJob, {job_id});
  if (rows.empty()) return std::nullopt;
  return to_job(rows.front());
}

std::optional<core::Job> JobQueue::find(const std::string& job_id) {
  auto connection = database_.acquire();
  return find(*connection, job_id);
}

std::optional<std::chrono::milliseconds> JobQueue::next_due_in() {
  auto rows = database_.execute(kNextDue);
  if (rows.empty()) return std::nullopt;
  const double due_in_ms = -rows.front().real("overdue_s") * 1000.0;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, std::ceil(due_in_ms))));
}

std::vector<core::Job> JobQueue::list(const JobFilter& filter) {
  auto connection = database_.acquire();
  return list(*connection, filter);
}

std::optional<core::Job> JobQueue::find_by_message(Connection& connection, std::int64_t tg_user_id,
                                                   std::int64_t message_id) {
  auto rows = connection.execute(kFindByMessage, {tg_user_id, message_id});
  if (rows.empty()) return std::nullopt;
  return to_job(rows.front());
}

std::vector<core::Job> JobQueue::list(Connection& connection, const JobFilter& filter) {
  std::vector<Value> params;
  std::string where = "1 = 1";
  if (filter.tg_user_id) {
    params.emplace_back(*filter.tg_user_id);
    where += fmt::format(" AND tg_user_id = ${}", params.size());
  }
  if (filter.status) {
    params.emplace_back(std::string(core::to_string(*filter.status)));
    where += fmt::format(" AND status = ${}", params.size());
  }
  params.emplace_back(std::int64_t{filter.limit});
  const auto sql = fmt::format("SELECT " NC_JOB_COLUMNS
                               " FROM jobs WHERE {} ORDER BY created_at DESC, id LIMIT ${}",
                               where, params.size());
  std::vector<core::Job> jobs;
  for (const auto& row : connection.execute(sql, params))
    jobs.push_back(to_job(row));
  return jobs;
}

QueueStats JobQueue::stats() {
  QueueStats stats;
  auto connection = database_.acquire();
  auto counts = connection->execute(kCountByStatus, {});
  for (auto status :
       {JobStatus::kQueued, JobStatus::kSubmitting, JobStatus::kGenerating, JobStatus::kDelivering,
        JobStatus::kDone, JobStatus::kFailed, JobStatus::kCancelled}) {
    std::int64_t count = 0;
    for (const auto& row : counts) {
      if (row.text("status") == core::to_string(status)) count = row.integer("n");
    }
    stats.by_status.emplace_back(std::string(core::to_string(status)), count);
  }
  auto oldest = connection->execute(kOldestQueued, {});
  if (!oldest.front().is_null("age")) stats.oldest_queued_age_s = oldest.front().real("age");
  for (const auto& row : connection->execute(kLiveLeases, {})) {
    stats.live_leases_by_owner.emplace_back(row.text("lease_owner"), row.integer("n"));
  }
  return stats;
}

AdminAction JobQueue::retry(const std::string& job_id) {
  auto action = database_.transaction([&](Connection& connection) {
    auto job = find(connection, job_id);
    if (!job) return AdminAction::kNotFound;
    if (job->status == JobStatus::kDone) return AdminAction::kNotAllowed;
    const auto& sql = core::is_terminal(job->status) ? kRetryFinished : kRetryActive;
    connection.execute(sql, {job_id});
    return AdminAction::kDone;
  });
  if (action == AdminAction::kDone) database_.notify_jobs_due();
  return action;
}

AdminAction JobQueue::cancel(const std::string& job_id, const std::string& reason) {
  return database_.transaction([&](Connection& connection) {
    auto job = find(connection, job_id);
    if (!job) return AdminAction::kNotFound;
    if (connection.execute(kCancel, {job_id, reason}).affected == 0) {
      return AdminAction::kNotAllowed;
    }
    Ledger::refund_job(connection, job_id);
    return AdminAction::kDone;
  });
}

}  // namespace nc::store
