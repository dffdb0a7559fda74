// The worker benchmarks' rig: a real `neurocards worker` process (NC_BINARY) against the fake
// KIE and the fake Bot API on loopback, its store, and what /proc says about the process.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_bot_api.hpp"
#include "fakes/fake_kie.hpp"
#include "integration/run_binary.hpp"
#include "store/database.hpp"

namespace nc::bench {

using Clock = std::chrono::steady_clock;

// One look at a process in /proc.
struct ProcessSample {
  double rss_mb = 0;       // VmRSS
  double peak_rss_mb = 0;  // VmHWM, the high-water mark since it started
  double cpu_seconds = 0;  // user + system
  Clock::time_point at;
};
ProcessSample sample_process(int pid);
// CPU used between two samples, in % of one core.
double cpu_percent(const ProcessSample& from, const ProcessSample& to);

double median(std::vector<double> values);
double percentile(std::vector<double> values, double fraction);

// Runs ffmpeg (throws when it fails): a 1080x1920 H.264 video of about `bytes`, and a photo.
void make_video(const std::string& path, std::int64_t bytes);
void make_photo(const std::string& path);

struct RigOptions {
  std::string database_url;  // sqlite:… or postgresql://… (migrated by the rig)
  std::string work_dir;      // the worker's DATA_DIR and logs go here
  bool callbacks = false;    // PUBLIC_BASE_URL set: KIE calls the worker back on completion
  fakes::FakeKieOptions kie;
};

class WorkerRig {
 public:
  explicit WorkerRig(RigOptions options);
  ~WorkerRig();

  fakes::FakeKie& kie() { return kie_; }
  fakes::FakeBotApi& telegram() { return telegram_; }
  store::Database& database() { return *database_; }

  // Starts `neurocards worker` and waits for its /readyz.
  void start_worker();
  int worker_pid() const;
  std::string worker_log() const;
  int stop_worker();  // SIGTERM; the exit code

  // A seller with credits, then one order of `count` videos through `neurocards enqueue`.
  void add_seller(std::int64_t tg_user_id, int credits);
  void enqueue(std::int64_t tg_user_id, const std::string& photo, int count,
               const std::string& model = "veo3_fast");
  // The provider task of the seller's newest job; empty when it has none yet.
  std::string task_of(std::int64_t tg_user_id);

 private:
  RigOptions options_;
  fakes::FakeKie kie_;
  fakes::FakeBotApi telegram_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<testing::BackgroundProcess> worker_;
  unsigned short http_port_ = 0;
};

}  // namespace nc::bench
