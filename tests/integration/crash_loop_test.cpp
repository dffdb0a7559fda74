// Workers in a crash loop, the way a bad deploy or an OOM loop looks: several `neurocards worker`
// processes on one store, one of them SIGKILLed and started again every couple of seconds,
// while charged jobs run against a fake KIE and a fake Telegram that both fail now and then.
// At the end every job is done or failed-and-refunded, the ledger audit holds, no job got two
// provider tasks and no video went out twice — except where a kill cut a create or a sendVideo
// off inside the call, which the worker that came next says in its log.
//
// NC_CRASH_LOOP_SELLERS (3 jobs each, default 8) and NC_CRASH_LOOP_KILL_SECONDS (default 30)
// make it longer: scripts/crash-loop runs hundreds of jobs through minutes of kills.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "fakes/fake_bot_api.hpp"
#include "fakes/fake_kie.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "integration/worker_env.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "unit/media_test_support.hpp"

namespace nc::testing {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kFirstSeller = 880'000;
constexpr int kJobsPerSeller = 3;
constexpr int kWorkers = 3;

int setting(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

// One worker "host": a fixed port (so callbacks reach whichever incarnation runs there) and its
// own DATA_DIR, started again after every kill with a log of its own.
struct WorkerSlot {
  unsigned short port = 0;
  int incarnation = 0;
  std::unique_ptr<BackgroundProcess> process;
  std::vector<std::string> logs;  // of every incarnation, read at the end
};

class CrashLoopTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  CrashLoopTest() : db_(GetParam()), kie_(kie_serving_video(dir_.file("result.mp4"))) {
    telegram_.start();
    kie_.start();
    photo_ = dir_.file("product.jpg");
    media::testing::gradient(1200, 900).write_to_file(photo_.c_str());
  }

  void start(WorkerSlot& slot, int index) {
    const auto name = "w" + std::to_string(index) + "-" + std::to_string(slot.incarnation++);
    auto settings =
        worker_env(telegram_, kie_, db_.url(), dir_.file("data-w" + std::to_string(index)));
    settings["HTTP_PORT"] = std::to_string(slot.port);
    settings["PUBLIC_BASE_URL"] = "http://127.0.0.1:" + std::to_string(slot.port);
    settings["JOB_LEASE_SECONDS"] = "3";
    slot.logs.push_back(dir_.file(name + ".log"));
    slot.process = std::make_unique<BackgroundProcess>(std::vector<std::string>{"worker"}, settings,
                                                       slot.logs.back());
  }

  std::vector<core::Job> all_jobs() {
    std::vector<core::Job> jobs;
    for (const auto& row : db_.db().execute("SELECT id FROM jobs")) {
      jobs.push_back(*store::JobQueue(db_.db()).find(row.text("id")));
    }
    return jobs;
  }

  bool all_finished() {
    return db_.db()
        .execute("SELECT 1 AS open FROM jobs WHERE status NOT IN ('done', 'failed', 'cancelled')")
        .empty();
  }

  TestDatabase db_;
  media::testing::TempDir dir_;
  std::string photo_;
  fakes::FakeBotApi telegram_;
  fakes::FakeKie kie_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_P(CrashLoopTest, JobsDrainAndMoneyHoldsWhileWorkersAreKilledEveryFewSeconds) {
  const int sellers = setting("NC_CRASH_LOOP_SELLERS", 8);
  const auto kill_for = std::chrono::seconds(setting("NC_CRASH_LOOP_KILL_SECONDS", 30));
  for (int i = 0; i < sellers; ++i) {
    const auto seller = kFirstSeller + i;
    store::Users(db_.db()).upsert(seller, "seller", "ru", 0);
    store::Ledger(db_.db()).grant(seller, kJobsPerSeller, "grant:" + std::to_string(seller), "");
    auto ordered =
        run_binary({"enqueue", "--user", std::to_string(seller), "--photo", photo_, "--text",
                    "Кружка " + std::to_string(i), "--count", std::to_string(kJobsPerSeller),
                    "--model", "kling-2.6/image-to-video", "--charge"},
                   {{"DATABASE_URL", db_.url()}});
    ASSERT_EQ(ordered.exit_code, 0) << ordered.err;
  }
  // Tasks take a few seconds; the provider and Telegram fail now and then, and some creates
  // and uploads are slow, so kills land inside them.
  fakes::TaskScript task;
  task.finish_after = 5s;
  kie_.set_default_script(task);
  kie_.fail_next(fakes::KieEndpoint::kMarketCreate, 3, fakes::KieFault{.http_status = 502});
  kie_.fail_next(fakes::KieEndpoint::kMarketRecord, 5, fakes::KieFault{.http_status = 500});
  kie_.delay_next(fakes::KieEndpoint::kMarketCreate, 6, 1500ms);
  telegram_.fail_next("sendVideo", 4, 502, "Bad Gateway");
  telegram_.rate_limit_next("sendVideo", 2, 1);
  telegram_.delay_next("sendVideo", 4, 1500ms);

  std::vector<WorkerSlot> slots(kWorkers);
  for (int i = 0; i < kWorkers; ++i) {
    slots[i].port = free_port();
    start(slots[i], i);
  }
  std::mt19937 random(20261205);
  std::uniform_int_distribution<int> pick(0, kWorkers - 1);
  std::uniform_int_distribution<int> pause_ms(1500, 3000);
  int kills = 0;
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < kill_for && !all_finished()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    const int victim = pick(random);
    slots[victim].process->kill_hard();
    ++kills;
    start(slots[victim], victim);
  }
  // The kills stop; the survivors drain the rest (leases of 3 s; a create cut off inside the
  // call waits out its 45 s before it is made again, unless the callback names its task).
  const bool drained = eventually([&] { return all_finished(); }, 180s);
  const auto drain_time = std::chrono::steady_clock::now() - started;
  for (auto& slot : slots)
    EXPECT_EQ(slot.process->terminate(15'000), 0) << slot.process->log();
  std::string logs;
  for (const auto& slot : slots)
    for (const auto& log : slot.logs)
      logs += read_file(log);
  ASSERT_TRUE(drained) << "jobs still open after the kills stopped";

  const auto jobs = all_jobs();
  ASSERT_EQ(jobs.size(), static_cast<std::size_t>(sellers * kJobsPerSeller));
  int done = 0, failed = 0, repeated_creates = 0, repeated_sends = 0, sent_twice = 0;
  std::map<std::int64_t, std::multiset<std::string>> captions_by_chat;
  for (const auto& call : telegram_.calls("sendVideo")) {
    if (call.status == 200 && call.chat_id)
      captions_by_chat[*call.chat_id].insert(call.params.value("caption", ""));
  }
  for (const auto& job : jobs) {
    SCOPED_TRACE("job " + job.id + " (" + std::string(core::to_string(job.status)) +
                 "): " + job.error);
    const bool create_cut_off =
        logs.find("job " + job.id + ": the create begun") != std::string::npos;
    const bool send_cut_off =
        logs.find("job " + job.id + ": the sendVideo begun") != std::string::npos;
    repeated_creates += create_cut_off;
    repeated_sends += send_cut_off;
    const auto tasks = kie_.creates_with_callback_containing(job.id);
    EXPECT_LE(tasks, create_cut_off ? 2u : 1u) << "provider tasks for one job";
    const auto caption = "✅ Видео готово! (" + std::to_string(job.batch_index) + "/" +
                         std::to_string(kJobsPerSeller) + ")";
    const auto sent = captions_by_chat[job.tg_user_id].count(caption);
    if (job.status == core::JobStatus::kDone) {
      ++done;
      EXPECT_GE(sent, 1u);
      EXPECT_LE(sent, send_cut_off ? 2u : 1u) << "the same video sent twice";
      sent_twice += sent > 1;
    } else {
      ++failed;
      EXPECT_EQ(job.status, core::JobStatus::kFailed);
      const auto refunds =
          db_.db().execute("SELECT 1 AS refunded FROM credit_ledger WHERE idempotency_key = $1",
                           {"refund:" + job.id});
      EXPECT_EQ(refunds.size(), 1u) << "a failed job is refunded once";
    }
  }
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  std::int64_t credits_left = 0;
  for (int i = 0; i < sellers; ++i)
    credits_left += store::Users(db_.db()).find(kFirstSeller + i)->credits;
  EXPECT_EQ(credits_left, failed);  // every failed job gave its credit back, no more
  // Faults here are all transient: no job has a reason to fail.
  EXPECT_EQ(failed, 0);
  std::cout << "crash loop: " << jobs.size() << " jobs, " << kills << " kills, drained in "
            << std::chrono::duration_cast<std::chrono::seconds>(drain_time).count() << " s; "
            << kie_.create_count() << " provider tasks (" << repeated_creates
            << " creates made again after a kill inside the call), " << done << " done, " << failed
            << " failed and refunded, " << repeated_sends
            << " sendVideo made again after a kill inside the call, " << sent_twice
            << " videos a seller got twice" << std::endl;
}

NC_BOTH_BACKENDS(CrashLoopTest);

}  // namespace
}  // namespace nc::testing
