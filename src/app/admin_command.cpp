#include "app/admin_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "app/janitor.hpp"
#include "app/payments_command.hpp"
#include "app/provider_balance_command.hpp"
#include "app/table.hpp"
#include "app/wiring.hpp"
#include "app/wiring.hpp"
#include "store/ids.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/migrations.hpp"
#include "store/retention.hpp"
#include "store/users.hpp"

namespace nc::app {
namespace {

using nlohmann::json;

json job_json(const core::Job& job) {
  return json{{"id", job.id},
              {"tg_user_id", job.tg_user_id},
              {"status", core::to_string(job.status)},
              {"template_id", job.template_id},
              {"model", job.model},
              {"attempts", job.attempts},
              {"batch", fmt::format("{}/{}", job.batch_index, job.batch_size)},
              {"provider_task_id", job.provider_task_id},
              {"error", job.error},
              {"created_at", job.created_at},
              {"finished_at", job.finished_at}};
}

json disk_json(const Config& config, const store::DiskUsage& disk) {
  json out{{"path", config.data_dir}};
  for (const auto& folder : disk.folders) {
    out[folder.name] = {{"files", folder.files}, {"bytes", folder.bytes}};
  }
  out["free_bytes"] = disk.free_bytes >= 0 ? json(disk.free_bytes) : json();
  out["capacity_bytes"] = disk.capacity_bytes >= 0 ? json(disk.capacity_bytes) : json();
  return out;
}

void print_disk(const Config& config, const store::DiskUsage& disk) {
  std::cout << "DATA_DIR " << config.data_dir << '\n';
  Table folders({"folder", "files", "size"});
  for (const auto& folder : disk.folders) {
    folders.add({folder.name, std::to_string(folder.files), human_bytes(folder.bytes)});
  }
  folders.print(std::cout);
  if (disk.free_bytes >= 0) {
    std::cout << fmt::format("free on its filesystem: {} of {}\n", human_bytes(disk.free_bytes),
                             human_bytes(disk.capacity_bytes));
  } else {
    std::cout << "free on its filesystem: unknown (the directory cannot be read)\n";
  }
}

int print_status(const Config& config, bool as_json) {
  auto database = open_store(config);
  const auto stats = store::JobQueue(*database).stats();
  // This host's DATA_DIR: each host keeps its own photos, inputs and results.
  const auto disk = store::disk_usage(config.data_dir);
  if (as_json) {
    json out{{"jobs", json::object()}, {"leases", json::object()}};
    for (const auto& [status, count] : stats.by_status)
      out["jobs"][status] = count;
    for (const auto& [owner, count] : stats.live_leases_by_owner)
      out["leases"][owner] = count;
    out["oldest_queued_age_s"] =
        stats.oldest_queued_age_s ? json(*stats.oldest_queued_age_s) : json();
    out["data_dir"] = disk_json(config, disk);
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  Table jobs({"status", "jobs"});
  for (const auto& [status, count] : stats.by_status)
    jobs.add({status, std::to_string(count)});
  jobs.print(std::cout);
  std::cout << '\n'
            << "oldest queued: "
            << (stats.oldest_queued_age_s ? fmt::format("{:.0f} s ago", *stats.oldest_queued_age_s)
                                          : std::string("none"))
            << "\n\n";
  if (stats.live_leases_by_owner.empty()) {
    std::cout << "no worker holds a lease\n";
  } else {
    Table leases({"worker", "leased jobs"});
    for (const auto& [owner, count] : stats.live_leases_by_owner) {
      leases.add({owner, std::to_string(count)});
    }
    leases.print(std::cout);
  }
  std::cout << '\n';
  print_disk(config, disk);
  return 0;
}

struct JobsOptions {
  std::int64_t user = 0;
  std::string status;
  int limit = 20;
  bool json = false;
};

int print_jobs(const Config& config, const JobsOptions& options) {
  store::JobFilter filter{.limit = options.limit};
  if (options.user != 0) filter.tg_user_id = options.user;
  if (!options.status.empty()) {
    filter.status = core::parse_job_status(options.status);
    if (!filter.status) {
      std::cerr << fmt::format(
          "--status '{}' is not a job status: expected queued, submitting, generating, "
          "delivering, done, failed or cancelled\n",
          options.status);
      return 2;
    }
  }
  auto database = open_store(config);
  const auto jobs = store::JobQueue(*database).list(filter);
  if (options.json) {
    json out = json::array();
    for (const auto& job : jobs)
      out.push_back(job_json(job));
    std::cout << out.dump(2) << '\n';
    return 0;
  }
  if (jobs.empty()) {
    std::cout << "no jobs match\n";
    return 0;
  }
  Table table({"id", "user", "status", "template", "batch", "attempts", "created", "error"});
  for (const auto& job : jobs) {
    table.add({job.id, std::to_string(job.tg_user_id), std::string(core::to_string(job.status)),
               job.template_id, fmt::format("{}/{}", job.batch_index, job.batch_size),
               std::to_string(job.attempts), short_time(job.created_at), cell(job.error, 50)});
  }
  table.print(std::cout);
  return 0;
}

int unknown_user(std::int64_t tg_user_id) {
  std::cerr << fmt::format(
      "no user with Telegram id {}: they appear after their first message to the bot\n",
      tg_user_id);
  return 1;
}

int print_user(const Config& config, std::int64_t tg_user_id, bool as_json) {
  auto database = open_store(config);
  auto user = store::Users(*database).find(tg_user_id);
  if (!user) return unknown_user(tg_user_id);
  const auto ledger = store::Ledger(*database).recent(user->id, 10);
  if (as_json) {
    json rows = json::array();
    for (const auto& row : ledger) {
      rows.push_back({{"delta", row.delta},
                      {"reason", row.reason},
                      {"job_id", row.job_id},
                      {"key", row.idempotency_key},
                      {"note", row.note},
                      {"created_at", row.created_at}});
    }
    std::cout << json{{"tg_user_id", user->tg_user_id},
                      {"username", user->username},
                      {"language", user->language},
                      {"credits", user->credits},
                      {"blocked", user->blocked},
                      {"created_at", user->created_at},
                      {"ledger", rows}}
                     .dump(2)
              << '\n';
    return 0;
  }
  std::cout << fmt::format("user {} (@{}), language {}, since {}{}\nbalance: {} credits\n\n",
                           user->tg_user_id, user->username.empty() ? "-" : user->username,
                           user->language, short_time(user->created_at),
                           user->blocked ? ", has blocked the bot" : "", user->credits);
  Table table({"when", "delta", "reason", "job", "note"});
  for (const auto& row : ledger) {
    table.add({short_time(row.created_at), fmt::format("{:+}", row.delta), row.reason, row.job_id,
               cell(row.note, 40)});
  }
  table.print(std::cout);
  return 0;
}

// The most one `credits grant` adds or takes.
constexpr std::int64_t kMaxGrant = 1'000'000;

int grant_credits(const Config& config, std::int64_t tg_user_id, std::int64_t amount,
                  const std::string& reason, std::string key) {
  // A typo of a few extra digits must not mint a fortune (nor overflow a balance).
  if (amount == 0 || amount > kMaxGrant || amount < -kMaxGrant) {
    std::cerr << fmt::format(
        "the amount {} is out of range: expected 1 to {} credits to add, or -1 to -{} to take\n",
        amount, kMaxGrant, kMaxGrant);
    return 2;
  }
  auto database = open_store(config);
  if (key.empty()) key = "admin:" + store::new_uuid();
  const auto outcome = store::Ledger(*database).grant(tg_user_id, amount, key, "admin: " + reason);
  if (outcome == store::PostingOutcome::kUnknownUser) return unknown_user(tg_user_id);
  auto user = store::Users(*database).find(tg_user_id);
  switch (outcome) {
    case store::PostingOutcome::kApplied:
      std::cout << fmt::format("{:+} credits for {}; balance now {}\n", amount, tg_user_id,
                               user->credits);
      return 0;
    case store::PostingOutcome::kAlreadyApplied:
      std::cout << fmt::format("key {} was already used; nothing changed; balance {}\n", key,
                               user->credits);
      return 0;
    case store::PostingOutcome::kAboveLimit:
      std::cerr << fmt::format(
          "cannot add {} credits to {}: the balance {} would pass the limit of {}\n", amount,
          tg_user_id, user->credits, store::kMaxBalance);
      return 1;
    default:
      std::cerr << fmt::format("cannot take {} credits from {}: the balance is only {}\n", -amount,
                               tg_user_id, user->credits);
      return 1;
  }
}

int act_on_job(const Config& config, const std::string& job_id, bool cancel,
               const std::string& reason) {
  if (!store::is_uuid(job_id)) {
    std::cerr << fmt::format("'{}' is not a job id: expected a UUID as `admin jobs` shows\n",
                             job_id);
    return 2;
  }
  auto database = open_store(config);
  store::JobQueue queue(*database);
  const auto before = queue.find(job_id);
  const auto action = cancel ? queue.cancel(job_id, reason) : queue.retry(job_id);
  switch (action) {
    case store::AdminAction::kNotFound:
      std::cerr << fmt::format("no job {}\n", job_id);
      return 1;
    case store::AdminAction::kNotAllowed:
      std::cerr << fmt::format(
          "job {} is {}: {}\n", job_id, core::to_string(before->status),
          cancel ? "only unfinished jobs can be cancelled" : "a delivered job is not run again");
      return 1;
    case store::AdminAction::kDone:
      break;
  }
  if (cancel) {
    std::cout << fmt::format("job {} cancelled; its charge, if any, is refunded\n", job_id);
  } else {
    std::cout << fmt::format("job {} is due now (was {})\n", job_id,
                             core::to_string(before->status));
  }
  return 0;
}

int print_audit(const Config& config, bool as_json) {
  auto database = open_store(config);
  const auto report = store::Ledger(*database).audit();
  if (as_json) {
    json mismatches = json::array();
    for (const auto& m : report.mismatches) {
      mismatches.push_back(
          {{"tg_user_id", m.tg_user_id}, {"credits", m.credits}, {"ledger_sum", m.ledger_sum}});
    }
    std::cout << json{{"ok", report.ok()},
                      {"users", report.users},
                      {"total_credits", report.total_credits},
                      {"total_ledger", report.total_ledger},
                      {"double_refunds", report.double_refunds},
                      {"uncharged_refunds", report.uncharged_refunds},
                      {"mismatches", mismatches}}
                     .dump(2)
              << '\n';
    return report.ok() ? 0 : 1;
  }
  std::cout << fmt::format("users: {}, credits held: {}, ledger sum: {}\n", report.users,
                           report.total_credits, report.total_ledger);
  for (const auto& m : report.mismatches) {
    std::cout << fmt::format("MISMATCH user {}: credits {} but ledger sums to {}\n", m.tg_user_id,
                             m.credits, m.ledger_sum);
  }
  if (report.double_refunds) std::cout << "jobs refunded twice: " << report.double_refunds << '\n';
  if (report.uncharged_refunds) {
    std::cout << "refunds without a charge: " << report.uncharged_refunds << '\n';
  }
  std::cout << (report.ok() ? "audit ok: every balance equals its ledger\n" : "audit FAILED\n");
  return report.ok() ? 0 : 1;
}

}  // namespace

void add_admin_commands(CLI::App& app, const std::function<void(StoreCommand)>& run) {
  auto* admin = app.add_subcommand("admin", "Operator tools: jobs, users, credits, audit");
  admin->require_subcommand(1);

  auto* status = admin->add_subcommand(
      "status", "Jobs by status, oldest queued, live leases, disk use of DATA_DIR");
  auto status_json = std::make_shared<bool>(false);
  status->add_flag("--json", *status_json, "Machine-readable output");
  status->callback([=] { run([=](const Config& c) { return print_status(c, *status_json); }); });

  auto* jobs = admin->add_subcommand("jobs", "Latest jobs, newest first");
  auto jobs_options = std::make_shared<JobsOptions>();
  jobs->add_option("--user", jobs_options->user, "Telegram user id");
  jobs->add_option("--status", jobs_options->status, "queued, generating, failed, …");
  jobs->add_option("--limit", jobs_options->limit, "How many (default 20)")
      ->check(CLI::Range(1, 10000));
  jobs->add_flag("--json", jobs_options->json, "Machine-readable output");
  jobs->callback([=] { run([=](const Config& c) { return print_jobs(c, *jobs_options); }); });

  auto* user = admin->add_subcommand("user", "A user's balance and latest ledger rows");
  auto user_id = std::make_shared<std::int64_t>(0);
  auto user_json = std::make_shared<bool>(false);
  user->add_option("tg_user_id", *user_id, "Telegram user id")->required();
  user->add_flag("--json", *user_json, "Machine-readable output");
  user->callback(
      [=] { run([=](const Config& c) { return print_user(c, *user_id, *user_json); }); });

  auto* credits = admin->add_subcommand("credits", "Change balances through the ledger");
  credits->require_subcommand(1);
  auto* grant = credits->add_subcommand("grant", "Add (or with a negative N take) credits");
  struct GrantArgs {
    std::int64_t user = 0;
    std::int64_t amount = 0;
    std::string reason;
    std::string key;
  };
  auto grant_args = std::make_shared<GrantArgs>();
  grant->add_option("tg_user_id", grant_args->user, "Telegram user id")->required();
  grant->add_option("amount", grant_args->amount, "Credits to add")->required();
  grant->add_option("--reason", grant_args->reason, "Why (kept in the ledger)")->required();
  grant->add_option("--key", grant_args->key,
                    "Idempotency key: the same key never grants twice (default: a new one)");
  grant->callback([=] {
    run([=](const Config& c) {
      return grant_credits(c, grant_args->user, grant_args->amount, grant_args->reason,
                           grant_args->key);
    });
  });

  auto* job = admin->add_subcommand("job", "Act on one job");
  job->require_subcommand(1);
  auto job_id = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>("cancelled by the operator");
  auto* retry = job->add_subcommand("retry", "Run a failed, cancelled or stuck job again");
  retry->add_option("id", *job_id, "Job id")->required();
  retry->callback([=] { run([=](const Config& c) { return act_on_job(c, *job_id, false, ""); }); });
  auto* cancel = job->add_subcommand("cancel", "Stop an unfinished job and refund its charge");
  cancel->add_option("id", *job_id, "Job id")->required();
  cancel->add_option("--reason", *reason, "Why (shown in the job's error)");
  cancel->callback(
      [=] { run([=](const Config& c) { return act_on_job(c, *job_id, true, *reason); }); });

  auto* audit = admin->add_subcommand("audit", "Check credits == sum(ledger) for every user");
  auto audit_json = std::make_shared<bool>(false);
  audit->add_flag("--json", *audit_json, "Machine-readable output");
  audit->callback([=] { run([=](const Config& c) { return print_audit(c, *audit_json); }); });

  add_payment_commands(*admin, run);

  auto* balance = admin->add_subcommand("provider-balance", "Credits left at the video provider");
  auto balance_json = std::make_shared<bool>(false);
  balance->add_flag("--json", *balance_json, "Machine-readable output");
  balance->callback(
      [=] { run([=](const Config& c) { return print_provider_balance(c, *balance_json); }); });
}

}  // namespace nc::app
