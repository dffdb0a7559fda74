#include "worker_rig.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "fakes/http_client.hpp"
#include "media/process.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/migrations.hpp"
#include "store/users.hpp"

namespace nc::bench {

namespace {

double status_mb(const std::string& status, std::string_view key) {
  std::istringstream lines(status);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(key)) return std::stod(line.substr(key.size())) / 1024.0;  // kB
  }
  return 0;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void run_ffmpeg(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {"ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"});
  auto result = media::run_process(arguments, {.timeout = std::chrono::minutes(2)});
  if (!result.ok()) throw std::runtime_error("ffmpeg failed: " + result.error + " " + result.err);
}

}  // namespace

ProcessSample sample_process(int pid) {
  ProcessSample sample;
  sample.at = Clock::now();
  const auto status = read_all("/proc/" + std::to_string(pid) + "/status");
  sample.rss_mb = status_mb(status, "VmRSS:");
  sample.peak_rss_mb = status_mb(status, "VmHWM:");
  // /proc/PID/stat: the command may hold spaces, so count fields after its closing ')'.
  const auto stat = read_all("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long long user = 0, system = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) user = std::stoll(field);
    if (index == 15) {
      system = std::stoll(field);
      break;
    }
  }
  sample.cpu_seconds =
      static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return sample;
}

double cpu_percent(const ProcessSample& from, const ProcessSample& to) {
  const std::chrono::duration<double> wall = to.at - from.at;
  return wall.count() > 0 ? 100.0 * (to.cpu_seconds - from.cpu_seconds) / wall.count() : 0;
}

double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index =
      static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double median(std::vector<double> values) {
  return percentile(std::move(values), 0.5);
}

void make_video(const std::string& path, std::int64_t bytes) {
  // Lossless test pattern: about 4 MB a second, so -fs ends it near `bytes` with a valid file.
  run_ffmpeg({"-f",        "lavfi",      "-i",   "testsrc2=size=1080x1920:rate=30",
              "-t",        "120",        "-c:v", "libx264",
              "-preset",   "ultrafast",  "-qp",  "0",
              "-pix_fmt",  "yuv420p",    "-fs",  std::to_string(bytes),
              "-movflags", "+faststart", "-y",   path});
}

void make_photo(const std::string& path) {
  run_ffmpeg({"-f", "lavfi", "-i", "testsrc2=size=1200x900", "-frames:v", "1", "-y", path});
}

WorkerRig::WorkerRig(RigOptions options) : options_(std::move(options)), kie_(options_.kie) {
  std::filesystem::create_directories(options_.work_dir);
  kie_.start();
  telegram_.start();
  database_ = store::open_database(options_.database_url);
  store::migrate(*database_);
}

WorkerRig::~WorkerRig() = default;

void WorkerRig::start_worker() {
  http_port_ = testing::free_port();
  const auto port = std::to_string(http_port_);
  std::map<std::string, std::string> env{
      {"BOT_TOKEN", telegram_.token()},
      {"TELEGRAM_API_URL", telegram_.base_url()},
      {"DATABASE_URL", options_.database_url},
      {"DATA_DIR", options_.work_dir + "/data"},
      {"HTTP_HOST", "127.0.0.1"},
      {"HTTP_PORT", port},
      {"PROVIDER", "kie"},
      {"KIE_API_KEY", kie_.api_key()},
      {"KIE_API_URL", kie_.base_url()},
      {"KIE_UPLOAD_URL", kie_.base_url()},
      {"RESULTS_FROM_PRIVATE_ADDRESSES", "yes"},  // the fake KIE serves results on loopback
      {"LOG_LEVEL", "info"}};
  if (options_.callbacks) env["PUBLIC_BASE_URL"] = "http://127.0.0.1:" + port;
  worker_ = std::make_unique<testing::BackgroundProcess>(std::vector<std::string>{"worker"}, env,
                                                         options_.work_dir + "/worker.log");
  const bool ready = testing::eventually(
      [&] { return fakes::http_get("http://127.0.0.1:" + port + "/readyz").status == 200; },
      std::chrono::seconds(30));
  if (!ready) throw std::runtime_error("the worker did not get ready:\n" + worker_log());
}

int WorkerRig::worker_pid() const {
  return worker_ ? worker_->pid() : 0;
}

std::string WorkerRig::worker_log() const {
  return worker_ ? worker_->log() : std::string();
}

int WorkerRig::stop_worker() {
  return worker_ ? worker_->terminate(30'000) : 0;
}

void WorkerRig::add_seller(std::int64_t tg_user_id, int credits) {
  store::Users(*database_).upsert(tg_user_id, "seller" + std::to_string(tg_user_id), "ru", 0);
  if (credits == 0) return;
  store::Ledger(*database_)
      .grant(tg_user_id, credits, "bench-grant:" + std::to_string(tg_user_id), "");
}

void WorkerRig::enqueue(std::int64_t tg_user_id, const std::string& photo, int count,
                        const std::string& model) {
  auto result = testing::run_binary({"enqueue", "--user", std::to_string(tg_user_id), "--photo",
                                     photo, "--text", "Керамическая кружка, 350 мл", "--count",
                                     std::to_string(count), "--model", model, "--charge"},
                                    {{"DATABASE_URL", options_.database_url}});
  if (result.exit_code != 0) throw std::runtime_error("enqueue failed: " + result.err);
}

std::string WorkerRig::task_of(std::int64_t tg_user_id) {
  auto jobs = store::JobQueue(*database_).list({.tg_user_id = tg_user_id, .limit = 1});
  return jobs.empty() ? std::string() : jobs.front().provider_task_id;
}

}  // namespace nc::bench
