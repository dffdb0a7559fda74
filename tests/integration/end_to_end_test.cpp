// The product as operators run it at scale: `neurocards bot` and two `neurocards worker`
// processes on one PostgreSQL database, each with its own DATA_DIR as on separate hosts, the fake
// Telegram and the fake KIE. A seller's batch of five survives a worker SIGKILLed mid-generation;
// the seed's hand-written SQL insert is picked up and delivered; SIGTERM drains a worker and hands
// its jobs to the next one at once.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "fakes/fake_bot_api.hpp"
#include "fakes/fake_kie.hpp"
#include "fakes/scripted_seller.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "unit/media_test_support.hpp"

namespace nc::testing {
namespace {

using namespace std::chrono_literals;
using fakes::ScriptedSeller;
constexpr std::int64_t kSeller = 6161;

class EndToEndTest : public ::testing::Test {
 protected:
  EndToEndTest() : db_(store::Backend::kPostgres) {
    const auto video = dir_.file("result.mp4");
    media::testing::write_vertical_video(video);
    fakes::FakeKieOptions kie_options;
    kie_options.default_video = video;
    kie_ = std::make_unique<fakes::FakeKie>(kie_options);
    kie_->start();
    telegram_.start();
    const auto photo = dir_.file("product.jpg");
    media::testing::gradient(900, 1200).write_to_file(photo.c_str());
    telegram_.add_file("photo-1", photo);
  }

  std::map<std::string, std::string> env() {
    return {{"BOT_TOKEN", telegram_.token()},
            {"TELEGRAM_API_URL", telegram_.base_url()},
            {"BOT_MODE", "polling"},
            {"DATABASE_URL", db_.url()},
            {"HTTP_HOST", "127.0.0.1"},
            {"HTTP_PORT", std::to_string(free_port())},
            {"START_CREDITS", "5"},
            {"PROVIDER", "kie"},
            {"KIE_API_KEY", kie_->api_key()},
            {"KIE_API_URL", kie_->base_url()},
            {"KIE_UPLOAD_URL", kie_->base_url()},
            {"RESULTS_FROM_PRIVATE_ADDRESSES", "yes"},  // the fake KIE serves results on loopback
            {"VIDEO_MODEL", "kling-2.6/image-to-video"},
            {"LOG_LEVEL", "debug"}};
  }

  std::unique_ptr<BackgroundProcess> start(const std::string& role, const std::string& log) {
    auto settings = env();
    settings["DATA_DIR"] = dir_.file("data-" + log);  // every process on a host of its own
    return std::make_unique<BackgroundProcess>(std::vector<std::string>{role}, settings,
                                               dir_.file(log));
  }

  std::vector<core::Job> jobs() { return store::JobQueue(db_.db()).list({.tg_user_id = kSeller}); }

  bool all_jobs_done(std::size_t expected) {
    const auto all = jobs();
    if (all.size() != expected) return false;
    for (const auto& job : all) {
      if (job.status != core::JobStatus::kDone) return false;
    }
    return true;
  }

  std::set<std::string> video_captions() {
    std::set<std::string> captions;
    for (const auto& call : telegram_.calls("sendVideo")) {
      if (call.chat_id == kSeller && call.status == 200) {
        captions.insert(call.params.value("caption", ""));
      }
    }
    return captions;
  }

  TestDatabase db_;
  media::testing::TempDir dir_;
  fakes::FakeBotApi telegram_;
  std::unique_ptr<fakes::FakeKie> kie_;
  ScriptedSeller seller_{telegram_, kSeller};
};

TEST_F(EndToEndTest, ABatchOfFiveSurvivesAWorkerKilledMidGeneration) {
  fakes::TaskScript slow;
  slow.finish_after = 6s;
  kie_->set_default_script(slow);
  auto bot = start("bot", "bot.log");

  const auto launched = seller_.order("photo-1", "Термокружка 450 мл, держит тепло 6 часов", 5);
  ASSERT_NE(launched.find("Запустил генерацию 5 видео"), std::string::npos)
      << launched << bot->log();
  // The workers cannot see the bot's disk, as on another host.
  std::filesystem::remove_all(dir_.file("data-bot.log") + "/photos");
  auto worker_a = start("worker", "worker-a.log");
  auto worker_b = start("worker", "worker-b.log");
  ASSERT_TRUE(eventually([&] { return kie_->create_count() == 5; }, 60s))
      << worker_a->log() << worker_b->log();
  worker_a->kill_hard();  // whatever it held is generating at the provider
  auto worker_a_again = start("worker", "worker-a2.log");

  ASSERT_TRUE(eventually([&] { return all_jobs_done(5); }, 120s))
      << worker_a_again->log() << worker_b->log();
  EXPECT_EQ(kie_->create_count(), 5u);  // no task was created twice
  // The photo reached the workers' own DATA_DIRs through the store, not a shared disk.
  EXPECT_NE((worker_a->log() + worker_b->log()).find("restored from the store"), std::string::npos);
  EXPECT_EQ(video_captions(),
            (std::set<std::string>{"✅ Видео готово! (1/5)", "✅ Видео готово! (2/5)",
                                   "✅ Видео готово! (3/5)", "✅ Видео готово! (4/5)",
                                   "✅ Видео готово! (5/5)"}));
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 0);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(worker_a_again->terminate(), 0);
  EXPECT_EQ(worker_b->terminate(), 0);
  EXPECT_EQ(bot->terminate(), 0);
}

TEST_F(EndToEndTest, TheSeedsHandWrittenInsertIsPickedUpAndDelivered) {
  store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
  auto worker = start("worker", "worker.log");
  std::this_thread::sleep_for(1s);  // the worker is listening
  const auto inserted_at = std::chrono::steady_clock::now();
  db_.db().execute(seed_insert_sql(kSeller));
  ASSERT_TRUE(eventually([&] { return kie_->create_count() == 1; }, 10s)) << worker->log();
  EXPECT_LT(std::chrono::steady_clock::now() - inserted_at, 5s);  // NOTIFY, not a slow sweep
  EXPECT_EQ(kie_->created_tasks()[0].image_urls,
            std::vector<std::string>{"https://picsum.photos/1080/1920"});  // used as it is
  ASSERT_TRUE(telegram_.wait_for_calls("sendVideo", 1, 60s)) << worker->log();
  ASSERT_TRUE(eventually([&] { return all_jobs_done(1); }, 10s));
  EXPECT_EQ(worker->terminate(), 0);
}

TEST_F(EndToEndTest, SigtermDrainsAWorkerAndTheNextTakesItsJobsAtOnce) {
  fakes::TaskScript pending;
  pending.end = fakes::TaskEnd::kNever;
  kie_->set_default_script(pending);
  store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
  store::Ledger(db_.db()).grant(kSeller, 3, "grant:3", "");
  auto enqueued =
      run_binary({"enqueue", "--user", std::to_string(kSeller), "--photo",
                  "https://example.com/mug.jpg", "--text", "Кружка", "--count", "3", "--charge"},
                 {{"DATABASE_URL", db_.url()}});
  ASSERT_EQ(enqueued.exit_code, 0) << enqueued.err;
  auto first = start("worker", "first.log");
  ASSERT_TRUE(eventually([&] { return kie_->create_count() == 3; }, 30s)) << first->log();

  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(first->terminate(30'000), 0) << first->log();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 28s);  // within its grace period
  for (const auto& job : jobs()) {
    EXPECT_EQ(job.status, core::JobStatus::kGenerating);
    EXPECT_TRUE(job.lease_owner.empty()) << "lease of " << job.id << " not handed back";
  }
  EXPECT_NE(first->log().find("worker stopped"), std::string::npos) << first->log();

  fakes::TaskScript done_now;
  for (const auto& task : kie_->created_tasks())
    kie_->set_task_script(task.task_id, done_now);
  auto second = start("worker", "second.log");
  // Handed-back jobs are due now: no waiting for a dead lease to expire (30 s).
  ASSERT_TRUE(eventually([&] { return all_jobs_done(3); }, 25s)) << second->log();
  EXPECT_EQ(kie_->create_count(), 3u);
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 0);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(second->terminate(), 0);
}

}  // namespace
}  // namespace nc::testing
