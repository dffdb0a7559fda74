// Job queue benchmark: W worker processes (this binary, spawned again) enqueue N jobs between
// them, then claim them under leases and step each through every state with guarded updates
// (queued -> submitting -> generating -> delivering -> done), with no provider. Prints one
// line of figures and checks that no job was handled twice.
//
//   nc_queue_bench --db postgresql://…/db --jobs 20000 --workers 4   (needs an empty database)
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/job_queue.hpp"
#include "store/migrations.hpp"
#include "store/users.hpp"

extern char** environ;

namespace {

using nc::core::JobStatus;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kLease{120};  // far longer than a run: a lost lease is a bug
constexpr std::int64_t kTgUser = 1;
constexpr JobStatus kSteps[] = {JobStatus::kSubmitting, JobStatus::kGenerating,
                                JobStatus::kDelivering, JobStatus::kDone};
constexpr int kTransitionsPerJob = static_cast<int>(std::size(kSteps));

// steady_clock is CLOCK_MONOTONIC on Linux: comparable between the processes of one machine.
std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct WorkerArgs {
  std::string db;
  int index = 0;
  int workers = 1;
  int jobs = 0;
  int batch = 16;
  std::string out;
};

// One worker process. Protocol with the parent on stdin/stdout:
//   -> "ready <enqueue_start_ns> <enqueue_end_ns>"   after enqueuing its share
//   <- one byte                                      go: start claiming
//   -> "done <start_ns> <end_ns> <claims> <transitions> <lost>"
// and one line per job it claimed in `out`: "<job_id> <transitions applied> <refused>".
int run_worker(const WorkerArgs& args) {
  auto database = nc::store::open_database(args.db);
  nc::store::JobQueue queue(*database);
  const auto user = nc::store::Users(*database).find(kTgUser);
  if (!user) throw std::runtime_error("the bench user is missing: run without --worker-index");

  const auto enqueue_start = now_ns();
  for (int j = args.index; j < args.jobs; j += args.workers) {
    nc::store::NewJob job;
    job.user_id = user->id;
    job.tg_user_id = kTgUser;
    job.idempotency_key = fmt::format("queue-bench:{}", j);
    job.product_info = R"({"text":"bench"})";
    queue.enqueue(job);
  }
  const auto enqueue_end = now_ns();
  std::cout << "ready " << enqueue_start << ' ' << enqueue_end << std::endl;
  char go = 0;
  if (std::fread(&go, 1, 1, stdin) != 1) return 1;

  const auto owner = fmt::format("queue-bench:{}:{}", args.index, getpid());
  std::ofstream out(args.out);
  std::int64_t claims = 0, transitions = 0, lost = 0;
  const auto start = now_ns();
  for (;;) {
    auto jobs = queue.claim(owner, args.batch, kLease);
    ++claims;
    // Everything was enqueued before "go": nothing due and unleased is left.
    if (jobs.empty()) break;
    for (const auto& job : jobs) {
      int applied = 0, refused = 0;
      for (const auto status : kSteps) {
        nc::store::JobChange change;
        change.status = status;
        change.release_lease = false;  // the terminal step releases it anyway
        if (queue.update(owner, job.id, change)) {
          ++applied;
        } else {
          ++refused;
        }
      }
      transitions += applied;
      lost += refused;
      out << job.id << ' ' << applied << ' ' << refused << '\n';
    }
  }
  const auto end = now_ns();
  out.close();
  std::cout << "done " << start << ' ' << end << ' ' << claims << ' ' << transitions << ' ' << lost
            << std::endl;
  return 0;
}

struct Child {
  pid_t pid = 0;
  FILE* to = nullptr;    // its stdin
  FILE* from = nullptr;  // its stdout
  std::string out;
};

Child spawn_worker(const WorkerArgs& args) {
  int in_pipe[2], out_pipe[2];
  // Close-on-exec, so that no worker holds another one's pipes; dup2 clears it for 0 and 1.
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  std::vector<std::string> argv_text{"nc_queue_bench",
                                     "--db",
                                     args.db,
                                     "--worker-index",
                                     std::to_string(args.index),
                                     "--workers",
                                     std::to_string(args.workers),
                                     "--jobs",
                                     std::to_string(args.jobs),
                                     "--batch",
                                     std::to_string(args.batch),
                                     "--out",
                                     args.out};
  std::vector<char*> argv;
  for (auto& arg : argv_text)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  Child child;
  const int error =
      posix_spawn(&child.pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (error != 0) throw std::runtime_error(fmt::format("cannot start a worker: errno {}", error));
  child.to = fdopen(in_pipe[1], "w");
  child.from = fdopen(out_pipe[0], "r");
  child.out = args.out;
  return child;
}

std::vector<std::string> read_words(FILE* from, const char* expected) {
  char line[512] = {};
  if (!std::fgets(line, sizeof(line), from)) {
    throw std::runtime_error(fmt::format("a worker ended before '{}'", expected));
  }
  std::vector<std::string> words;
  std::string word;
  for (const char* c = line; *c; ++c) {
    if (*c == ' ' || *c == '\n') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += *c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty() || words[0] != expected) {
    throw std::runtime_error(fmt::format("a worker said '{}' instead of '{}'", line, expected));
  }
  return words;
}

int run_parent(const std::string& db_url, int jobs, int workers, int batch) {
  std::string backend;
  {
    auto database = nc::store::open_database(db_url);
    backend = database->backend() == nc::store::Backend::kPostgres ? "postgresql" : "sqlite";
    nc::store::migrate(*database);
    if (database->execute("SELECT COUNT(*) AS n FROM jobs").front().integer("n") != 0) {
      throw std::runtime_error("the jobs table is not empty: give an empty database");
    }
    nc::store::Users(*database).upsert(kTgUser, "bench", "en", 0);
  }  // closed before the workers start: each opens its own connections

  const auto scratch =
      std::filesystem::temp_directory_path() / fmt::format("nc-queue-bench-{}", getpid());
  std::filesystem::create_directories(scratch);
  std::vector<Child> children;
  for (int i = 0; i < workers; ++i) {
    children.push_back(spawn_worker(WorkerArgs{.db = db_url,
                                               .index = i,
                                               .workers = workers,
                                               .jobs = jobs,
                                               .batch = batch,
                                               .out = (scratch / fmt::format("{}.txt", i))}));
  }
  std::int64_t enqueue_start = INT64_MAX, enqueue_end = 0;
  for (auto& child : children) {
    const auto words = read_words(child.from, "ready");
    enqueue_start = std::min<std::int64_t>(enqueue_start, std::stoll(words.at(1)));
    enqueue_end = std::max<std::int64_t>(enqueue_end, std::stoll(words.at(2)));
  }
  const auto go = now_ns();
  for (auto& child : children) {
    std::fputc('g', child.to);
    std::fclose(child.to);
  }
  std::int64_t process_end = 0, claims = 0, transitions = 0, lost = 0;
  for (auto& child : children) {
    const auto words = read_words(child.from, "done");
    process_end = std::max<std::int64_t>(process_end, std::stoll(words.at(2)));
    claims += std::stoll(words.at(3));
    transitions += std::stoll(words.at(4));
    lost += std::stoll(words.at(5));
    std::fclose(child.from);
  }
  bool workers_ok = true;
  for (auto& child : children) {
    int status = 0;
    waitpid(child.pid, &status, 0);
    workers_ok = workers_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  // Every job claimed by exactly one worker, each of its transitions applied exactly once.
  std::map<std::string, int> seen;
  std::int64_t short_jobs = 0;
  for (const auto& child : children) {
    std::ifstream in(child.out);
    std::string id;
    int applied = 0, refused = 0;
    while (in >> id >> applied >> refused) {
      ++seen[id];
      if (applied != kTransitionsPerJob || refused != 0) ++short_jobs;
    }
  }
  std::filesystem::remove_all(scratch);
  std::int64_t twice = 0;
  for (const auto& [id, n] : seen)
    twice += n > 1 ? 1 : 0;
  auto database = nc::store::open_database(db_url);
  const auto done_rows = database
                             ->execute(
                                 "SELECT COUNT(*) AS n FROM jobs WHERE status = 'done' "
                                 "AND lease_owner IS NULL AND finished_at IS NOT NULL")
                             .front()
                             .integer("n");
  const bool ok = workers_ok && twice == 0 && short_jobs == 0 && lost == 0 &&
                  static_cast<int>(seen.size()) == jobs && done_rows == jobs &&
                  transitions == std::int64_t{jobs} * kTransitionsPerJob;

  const double enqueue_s = static_cast<double>(enqueue_end - enqueue_start) / 1e9;
  const double process_s = static_cast<double>(process_end - go) / 1e9;
  std::cout << fmt::format(
                   "QUEUE backend={} workers={} jobs={} batch={} enqueue_s={:.3f} process_s={:.3f} "
                   "enqueue_per_s={:.0f} jobs_per_s={:.0f} transitions_per_s={:.0f} "
                   "end_to_end_jobs_per_s={:.0f} claims={} jobs_seen={} claimed_twice={} "
                   "incomplete={} lost_leases={} done_rows={} ok={}",
                   backend, workers, jobs, batch, enqueue_s, process_s, jobs / enqueue_s,
                   jobs / process_s, static_cast<double>(transitions) / process_s,
                   jobs / (enqueue_s + process_s), claims, seen.size(), twice, short_jobs, lost,
                   done_rows, ok ? "yes" : "no")
            << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Job queue benchmark: enqueue, claim and step jobs through every state"};
  std::string db;
  int jobs = 20000, workers = 1, batch = 16, worker_index = -1;
  std::string out;
  app.add_option("--db", db, "DATABASE_URL of an empty database")->required();
  app.add_option("--jobs", jobs, "Jobs in total")->check(CLI::Range(1, 10'000'000));
  app.add_option("--workers", workers, "Worker processes")->check(CLI::Range(1, 64));
  app.add_option("--batch", batch, "Jobs claimed at once by a worker")->check(CLI::Range(1, 1000));
  app.add_option("--worker-index", worker_index, "(internal) run as worker number N");
  app.add_option("--out", out, "(internal) where a worker lists the jobs it handled");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  try {
    if (worker_index >= 0) {
      return run_worker(WorkerArgs{.db = db,
                                   .index = worker_index,
                                   .workers = workers,
                                   .jobs = jobs,
                                   .batch = batch,
                                   .out = out});
    }
    return run_parent(db, jobs, workers, batch);
  } catch (const std::exception& error) {
    std::cerr << "queue bench: " << error.what() << '\n';
    return 1;
  }
}
