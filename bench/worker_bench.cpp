// Worker benchmarks: a real `neurocards worker` process against the fake KIE and the fake Bot
// API on loopback. Each prints one line of figures ("KEY name=value …") for scripts/bench.
//
//   nc_worker_bench inflight --db URL --work DIR [--jobs 10000]
//       10,000 jobs generating at once, the fake KIE keeping every task pending, polled at the
//       normal cadence: RSS and CPU against the same worker idle, and the poll rate reached.
//   nc_worker_bench delivery --db URL --work DIR [--videos 20] [--megabytes 45]
//       20 finished 45 MB videos at once, downloaded from KIE and sent to Telegram: how far
//       the peak RSS rises over idle (videos stream through files, never whole in memory).
//   nc_worker_bench latency --db URL --work DIR --mode callbacks|polling [--videos 20]
//       from the moment a task turns successful to the sendVideo at Telegram.
//
// NC_BINARY names the neurocards binary.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "fakes/http_client.hpp"
#include "store/job_queue.hpp"
#include "worker_rig.hpp"

namespace {

using namespace std::chrono_literals;
using nc::bench::Clock;
using nc::bench::WorkerRig;
namespace fakes = nc::fakes;

constexpr std::int64_t kSeller = 500100;
constexpr auto kVeoPollInterval = 15s;  // the worker's cadence for Veo tasks

struct Args {
  std::string db;
  std::string work;
  int jobs = 10'000;
  int videos = 20;
  int megabytes = 45;
  std::string mode = "callbacks";
  int warmup_s = 20;
  int measure_s = 30;
};

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// A task created the way the worker creates one; returns its id.
std::string create_pending_task(fakes::FakeKie& kie, int index) {
  fakes::HttpCall call;
  call.method = "POST";
  call.url = kie.base_url() + "/api/v1/veo/generate";
  call.headers = {{"Authorization", "Bearer " + kie.api_key()},
                  {"User-Agent", "NeuroCards-bench/1"},
                  {"Content-Type", "application/json"}};
  call.body = nlohmann::json{
      {"prompt", fmt::format("In-flight product video {}", index)},
      {"model", "veo3_fast"},
      {"aspect_ratio",
       "9:16"}}.dump();
  auto result = fakes::http_call_sync(std::move(call));
  auto body = nlohmann::json::parse(result.body, nullptr, false);
  if (result.status != 200 || body.value("code", 0) != 200) {
    throw std::runtime_error("the fake KIE refused a create: " + result.body);
  }
  return body["data"]["taskId"].get<std::string>();
}

// `count` jobs already generating (each with its own pending task), due spread over one poll
// interval as a steady stream of orders would leave them. One transaction.
void insert_generating_jobs(WorkerRig& rig, const std::vector<std::string>& tasks) {
  auto& database = rig.database();
  const auto user_id = database.execute("SELECT id FROM users WHERE tg_user_id = $1", {kSeller})
                           .front()
                           .integer("id");
  database.transaction([&](nc::store::Connection& connection) {
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      nc::store::NewJob job;
      job.user_id = user_id;
      job.tg_user_id = kSeller;
      job.idempotency_key = fmt::format("bench-inflight:{}", i);
      job.model = "veo3_fast";
      job.product_info = R"({"text":"Керамическая кружка"})";
      const auto created = nc::store::JobQueue::enqueue(connection, job);
      const std::int64_t due_in_ms =
          static_cast<std::int64_t>(i) * 15'000 / static_cast<std::int64_t>(tasks.size());
      connection.execute(
          "UPDATE jobs SET status = 'generating', provider = 'kie', provider_task_id = $1, "
          "next_run_at = {now+ms $2} WHERE id = $3",
          {tasks[i], due_in_ms, created.job_id});
    }
    return 0;
  });
}

std::int64_t jobs_in(nc::store::Database& database, std::string_view status) {
  return database.execute("SELECT COUNT(*) AS n FROM jobs WHERE status = $1", {std::string(status)})
      .front()
      .integer("n");
}

int inflight(const Args& args) {
  nc::bench::RigOptions options{.database_url = args.db, .work_dir = args.work};
  options.kie.create_limit = 1'000'000;  // the tasks are made up front, not by the worker
  options.kie.credits = 1e9;
  WorkerRig rig(options);
  rig.kie().set_default_script({.end = fakes::TaskEnd::kNever});
  rig.add_seller(kSeller, 0);
  rig.start_worker();
  const int pid = rig.worker_pid();

  std::this_thread::sleep_for(2s);
  const auto idle_from = nc::bench::sample_process(pid);
  std::this_thread::sleep_for(5s);
  const auto idle = nc::bench::sample_process(pid);

  std::vector<std::string> tasks;
  tasks.reserve(static_cast<std::size_t>(args.jobs));
  for (int i = 0; i < args.jobs; ++i)
    tasks.push_back(create_pending_task(rig.kie(), i));
  insert_generating_jobs(rig, tasks);

  // One whole poll interval first, so every job has been picked up at least once.
  std::this_thread::sleep_for(std::chrono::seconds(args.warmup_s));
  const auto polls_before = rig.kie().request_count(fakes::KieEndpoint::kVeoRecord);
  const auto from = nc::bench::sample_process(pid);
  double max_rss = from.rss_mb;
  for (int second = 0; second < args.measure_s; ++second) {
    std::this_thread::sleep_for(1s);
    max_rss = std::max(max_rss, nc::bench::sample_process(pid).rss_mb);
  }
  const auto to = nc::bench::sample_process(pid);
  const auto polls = rig.kie().request_count(fakes::KieEndpoint::kVeoRecord) - polls_before;

  const double seconds = std::chrono::duration<double>(to.at - from.at).count();
  const double polls_per_s = static_cast<double>(polls) / seconds;
  const double expected_per_s = args.jobs / std::chrono::duration<double>(kVeoPollInterval).count();
  const double thousands = args.jobs / 1000.0;
  const double cpu = nc::bench::cpu_percent(from, to);
  const double idle_cpu = nc::bench::cpu_percent(idle_from, idle);
  const auto generating = jobs_in(rig.database(), "generating");
  const int stopped = rig.stop_worker();
  std::cout << fmt::format(
                   "INFLIGHT jobs={} generating={} idle_rss_mb={:.1f} idle_cpu_pct={:.2f} "
                   "rss_mb={:.1f} max_rss_mb={:.1f} peak_rss_mb={:.1f} cpu_pct={:.1f} "
                   "rss_mb_per_1000={:.2f} cpu_pct_per_1000={:.2f} polls_per_s={:.0f} "
                   "expected_polls_per_s={:.0f} cadence={:.3f} exit={}",
                   args.jobs, generating, idle.rss_mb, idle_cpu, to.rss_mb, max_rss, to.peak_rss_mb,
                   cpu, (max_rss - idle.rss_mb) / thousands, (cpu - idle_cpu) / thousands,
                   polls_per_s, expected_per_s, polls_per_s / expected_per_s, stopped)
            << std::endl;
  return 0;
}

// The most intervals [start, end) open at one moment; starts and ends need not be paired.
int max_overlap(std::vector<Clock::time_point> starts, std::vector<Clock::time_point> ends) {
  std::vector<std::pair<Clock::time_point, int>> events;
  for (auto at : starts)
    events.emplace_back(at, +1);
  for (auto at : ends)
    events.emplace_back(at, -1);
  std::sort(events.begin(), events.end());  // an end before a start at the same instant
  int open = 0, most = 0;
  for (const auto& [at, change] : events)
    most = std::max(most, open += change);
  return most;
}

struct Inputs {
  std::string video;  // every task's result
  std::string photo;  // the seller's product photo
};

Inputs make_inputs(const std::string& work, std::int64_t video_bytes) {
  std::filesystem::create_directories(work);
  Inputs inputs{.video = work + "/result.mp4", .photo = work + "/product.jpg"};
  nc::bench::make_video(inputs.video, video_bytes);
  nc::bench::make_photo(inputs.photo);
  return inputs;
}

// One seller per video (Telegram paces messages to one chat), each with one order; returns
// when KIE holds all their tasks, still running.
std::vector<std::string> order_videos(WorkerRig& rig, const std::string& photo, int videos,
                                      std::chrono::milliseconds apart = 0ms) {
  for (int i = 0; i < videos; ++i) {
    if (i > 0) std::this_thread::sleep_for(apart);
    rig.add_seller(kSeller + i, 1);
    rig.enqueue(kSeller + i, photo, 1);
  }
  const auto wanted = static_cast<std::size_t>(videos);
  if (!nc::testing::eventually([&] { return rig.kie().create_count() == wanted; }, 60s)) {
    throw std::runtime_error("the worker did not create every task:\n" + rig.worker_log());
  }
  std::vector<std::string> tasks;
  for (int i = 0; i < videos; ++i)
    tasks.push_back(rig.task_of(kSeller + i));
  return tasks;
}

bool all_done(WorkerRig& rig, int videos) {
  return nc::testing::eventually([&] { return jobs_in(rig.database(), "done") == videos; }, 30s);
}

int delivery(const Args& args) {
  const auto [video, photo] =
      make_inputs(args.work, static_cast<std::int64_t>(args.megabytes) * 1'000'000);
  const auto video_bytes = std::filesystem::file_size(video);

  nc::bench::RigOptions options{.database_url = args.db, .work_dir = args.work, .callbacks = true};
  options.kie.default_video = video;
  WorkerRig rig(options);
  rig.kie().set_default_script({.end = fakes::TaskEnd::kNever});
  rig.start_worker();
  const int pid = rig.worker_pid();
  std::this_thread::sleep_for(3s);
  const auto idle = nc::bench::sample_process(pid);

  // Every task ends at the same moment: the callbacks arrive together, the deliveries overlap.
  for (const auto& task : order_videos(rig, photo, args.videos))
    rig.kie().finish_now(task);
  const bool all_sent =
      rig.telegram().wait_for_calls("sendVideo", static_cast<std::size_t>(args.videos), 180s);
  const bool done = all_done(rig, args.videos);
  const auto after = nc::bench::sample_process(pid);

  std::vector<Clock::time_point> downloads, uploads;
  for (const auto& request : rig.kie().requests(fakes::KieEndpoint::kResult)) {
    downloads.push_back(request.at);
  }
  std::size_t complete_uploads = 0;
  for (const auto& call : rig.telegram().calls("sendVideo")) {
    uploads.push_back(call.received_at);
    if (!call.files.empty() && call.files.front().size == video_bytes) ++complete_uploads;
  }
  std::sort(downloads.begin(), downloads.end());
  std::sort(uploads.begin(), uploads.end());
  const double span_s = downloads.empty() || uploads.empty()
                            ? 0
                            : ms_between(downloads.front(), uploads.back()) / 1000.0;
  const int stopped = rig.stop_worker();
  const bool ok = all_sent && done && complete_uploads == static_cast<std::size_t>(args.videos);
  std::cout << fmt::format(
                   "DELIVERY videos={} video_mb={:.1f} sent={} complete={} idle_rss_mb={:.1f} "
                   "idle_peak_rss_mb={:.1f} peak_rss_mb={:.1f} growth_mb={:.1f} overlap={} "
                   "seconds={:.2f} mb_per_s={:.0f} ok={} exit={}",
                   args.videos, static_cast<double>(video_bytes) / 1e6, uploads.size(),
                   complete_uploads, idle.rss_mb, idle.peak_rss_mb, after.peak_rss_mb,
                   after.peak_rss_mb - idle.rss_mb, max_overlap(downloads, uploads), span_s,
                   span_s > 0 ? static_cast<double>(video_bytes) * args.videos / 1e6 / span_s : 0,
                   ok ? "yes" : "no", stopped)
            << std::endl;
  if (!ok) std::cerr << rig.worker_log();
  return 0;
}

int latency(const Args& args) {
  const bool callbacks = args.mode == "callbacks";
  const auto [video, photo] = make_inputs(args.work, 3'000'000);

  nc::bench::RigOptions options{
      .database_url = args.db, .work_dir = args.work, .callbacks = callbacks};
  options.kie.default_video = video;
  WorkerRig rig(options);
  rig.start_worker();
  if (callbacks) {
    // Tasks end a quarter second apart, so their deliveries do not queue behind each other.
    rig.kie().set_default_script({.end = fakes::TaskEnd::kNever});
    for (const auto& task : order_videos(rig, photo, args.videos)) {
      rig.kie().finish_now(task);
      std::this_thread::sleep_for(250ms);
    }
  } else {
    // Orders arrive through one polling interval and their tasks end at every phase of it:
    // 1 s after creation, 1.75 s, … 15.25 s.
    const auto spread = std::chrono::milliseconds(kVeoPollInterval) / args.videos;
    for (int i = 0; i < args.videos; ++i) {
      rig.kie().script_next_task({.finish_after = 1s + spread * i});
    }
    order_videos(rig, photo, args.videos, spread);
  }
  const auto wait = callbacks ? 60s : kVeoPollInterval * 3;
  const bool all_sent =
      rig.telegram().wait_for_calls("sendVideo", static_cast<std::size_t>(args.videos), wait);

  std::vector<double> latencies;
  for (const auto& call : rig.telegram().calls("sendVideo")) {
    if (!call.chat_id) continue;
    if (auto finished = rig.kie().finished_at(rig.task_of(*call.chat_id))) {
      latencies.push_back(ms_between(*finished, call.received_at));
    }
  }
  const int stopped = rig.stop_worker();
  const bool ok = all_sent && latencies.size() == static_cast<std::size_t>(args.videos);
  std::cout << fmt::format(
                   "LATENCY mode={} videos={} samples={} median_ms={:.0f} p90_ms={:.0f} "
                   "max_ms={:.0f} min_ms={:.0f} interval_ms={} ok={} exit={}",
                   args.mode, args.videos, latencies.size(), nc::bench::median(latencies),
                   nc::bench::percentile(latencies, 0.9), nc::bench::percentile(latencies, 1.0),
                   nc::bench::percentile(latencies, 0.0),
                   std::chrono::milliseconds(kVeoPollInterval).count(), ok ? "yes" : "no", stopped)
            << std::endl;
  if (!ok) std::cerr << rig.worker_log();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Worker benchmarks against the fake KIE and the fake Bot API"};
  app.require_subcommand(1);
  Args args;
  const auto common = [&](CLI::App* command) {
    command->add_option("--db", args.db, "Database URL (an empty database)")->required();
    command->add_option("--work", args.work, "Directory for the worker's files and log")
        ->required();
    return command;
  };
  auto* inflight_command = common(app.add_subcommand("inflight", "In-flight scale"));
  inflight_command->add_option("--jobs", args.jobs, "Jobs generating at once");
  inflight_command->add_option("--warmup", args.warmup_s, "Seconds before measuring");
  inflight_command->add_option("--seconds", args.measure_s, "Seconds measured");
  auto* delivery_command = common(app.add_subcommand("delivery", "Delivery memory"));
  delivery_command->add_option("--videos", args.videos, "Videos delivered at once");
  delivery_command->add_option("--megabytes", args.megabytes, "Size of each video");
  auto* latency_command = common(app.add_subcommand("latency", "Success-to-sendVideo latency"));
  latency_command->add_option("--videos", args.videos, "Videos measured");
  latency_command->add_option("--mode", args.mode, "callbacks or polling")
      ->check(CLI::IsMember({"callbacks", "polling"}));
  CLI11_PARSE(app, argc, argv);
  try {
    if (inflight_command->parsed()) return inflight(args);
    if (delivery_command->parsed()) return delivery(args);
    return latency(args);
  } catch (const std::exception& error) {
    std::cerr << "nc_worker_bench: " << error.what() << std::endl;
    return 1;
  }
}
