// The money path under faults, with real worker processes against the fake KIE and the fake Bot
// API on both stores: a video Telegram will not take fails and is refunded instead of ending as
// `done`; one status error late in a long generation does not fail a task the provider will
// finish; delivery has a deadline of its own; a create cut off by a kill is adopted from the
// provider's callback rather than made twice; SIGTERM stops a worker within seconds even while
// its steps wait on the provider's create throttle.
#include <gtest/gtest.h>

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
#include "worker/shared_create_throttle.hpp"

namespace nc::testing {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kSeller = 7373;
constexpr const char* kMarketModel = "kling-2.6/image-to-video";

class MoneyUnderFaultsTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  MoneyUnderFaultsTest() : db_(GetParam()), kie_(kie_serving_video(dir_.file("result.mp4"))) {
    telegram_.start();
    kie_.start();
    photo_ = dir_.file("product.jpg");
    media::testing::gradient(1200, 900).write_to_file(photo_.c_str());
    store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
    store::Ledger(db_.db()).grant(kSeller, 5, "grant:5", "");
  }

  std::unique_ptr<BackgroundProcess> worker(const std::string& log,
                                            const std::map<std::string, std::string>& extra = {}) {
    auto settings = worker_env(telegram_, kie_, db_.url(), dir_.file("data"));
    for (const auto& [name, value] : extra)
      settings[name] = value;
    return std::make_unique<BackgroundProcess>(std::vector<std::string>{"worker"}, settings,
                                               dir_.file(log));
  }

  void enqueue(int count) {
    auto result = run_binary(
        {"enqueue", "--user", std::to_string(kSeller), "--photo", photo_, "--text", "Кружка",
         "--count", std::to_string(count), "--model", kMarketModel, "--charge"},
        {{"DATABASE_URL", db_.url()}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  std::vector<core::Job> jobs() { return store::JobQueue(db_.db()).list({.tg_user_id = kSeller}); }
  core::Job only_job() { return jobs().at(0); }
  std::int64_t credits() { return store::Users(db_.db()).find(kSeller)->credits; }

  bool all_jobs_are(core::JobStatus status) {
    const auto all = jobs();
    if (all.empty()) return false;
    for (const auto& job : all) {
      if (job.status != status) return false;
    }
    return true;
  }

  std::string failure_notice() {
    for (const auto& call : telegram_.calls("sendMessage")) {
      if (call.chat_id == kSeller) return call.params.value("text", "");
    }
    return "";
  }

  TestDatabase db_;
  media::testing::TempDir dir_;
  std::string photo_;
  fakes::FakeBotApi telegram_;
  fakes::FakeKie kie_;
};

// `done` means the seller has the video (or blocked the bot): a sendVideo Telegram refuses for
// good is a failed job, refunded once, and the seller is told.
TEST_P(MoneyUnderFaultsTest, AVideoTelegramRefusesFailsTheJobAndRefundsIt) {
  telegram_.fail_next("sendVideo", 100, 400, "Bad Request: wrong file identifier/HTTP URL");
  enqueue(1);
  auto process = worker("worker.log");
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kFailed); }, 60s))
      << process->log();
  EXPECT_EQ(telegram_.call_count("sendVideo"), 1u);  // a 400 does not change by retrying
  EXPECT_EQ(credits(), 5);
  ASSERT_TRUE(eventually([&] { return !failure_notice().empty(); }, 10s));
  EXPECT_NE(failure_notice().find("не удалось отправить готовое видео"), std::string::npos)
      << failure_notice();
  EXPECT_NE(failure_notice().find("Кредит возвращён на баланс."), std::string::npos);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(process->terminate(), 0);
}

// A delivery Telegram keeps answering 5xx to has its own deadline, counted from the moment the
// video was ready.
TEST_P(MoneyUnderFaultsTest, DeliveryHasADeadlineOfItsOwn) {
  telegram_.fail_next("sendVideo", 1000, 502, "Bad Gateway");
  enqueue(1);
  auto process = worker("worker.log", {{"DELIVERY_DEADLINE_MINUTES", "1"}});
  ASSERT_TRUE(eventually([&] { return telegram_.call_count("sendVideo") >= 1; }, 60s))
      << process->log();
  EXPECT_EQ(only_job().status, core::JobStatus::kDelivering);
  EXPECT_EQ(credits(), 4);
  // Two minutes in delivery, as far as the store can tell; the next try is due now.
  db_.db().execute(
      "UPDATE jobs SET state_since = {now+ms $1}, next_run_at = {now}, lease_owner = NULL, "
      "lease_until = NULL",
      {std::int64_t{-120'000}});
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kFailed); }, 30s))
      << process->log();
  EXPECT_NE(only_job().error.find("delivery deadline"), std::string::npos) << only_job().error;
  EXPECT_EQ(credits(), 5);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(process->terminate(), 0);
}

// Waiting for a task that is still running is not a failed attempt: after many polls, one 5xx
// from the status endpoint is retried, and the video the provider finishes is delivered.
TEST_P(MoneyUnderFaultsTest, OneStatusErrorLateInALongGenerationIsRetried) {
  fakes::TaskScript long_task;
  long_task.pending_polls = 2;
  kie_.set_default_script(long_task);
  enqueue(1);
  auto process = worker("worker.log");
  ASSERT_TRUE(eventually([&] { return only_job().status == core::JobStatus::kGenerating; }, 60s))
      << process->log();
  // The budget as earlier code had it after two minutes of polling, and the status endpoint
  // failing from now on for a while.
  db_.db().execute("UPDATE jobs SET attempts = 7");
  kie_.fail_next(fakes::KieEndpoint::kMarketRecord, 2, fakes::KieFault{.http_status = 500});
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 90s))
      << process->log();
  EXPECT_EQ(telegram_.call_count("sendVideo"), 1u);
  EXPECT_EQ(kie_.create_count(), 1u);
  EXPECT_EQ(credits(), 4);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(process->terminate(), 0);
}

// A worker killed inside the create call (the request reached the provider, the answer never
// came back) leaves the job without a task id. The next worker does not create a second,
// billed task: the provider's callback names the task and the job adopts it.
TEST_P(MoneyUnderFaultsTest, ACreateCutOffByAKillIsAdoptedFromTheCallbackNotMadeTwice) {
  fakes::TaskScript quick;
  quick.finish_after = 4s;
  kie_.set_default_script(quick);
  kie_.delay_next(fakes::KieEndpoint::kMarketCreate, 1, 3s);  // the task is made after the kill
  const auto port = std::to_string(free_port());
  const std::map<std::string, std::string> settings{{"HTTP_PORT", port},
                                                    {"PUBLIC_BASE_URL", "http://127.0.0.1:" + port},
                                                    {"JOB_LEASE_SECONDS", "3"}};
  enqueue(1);
  auto first = worker("first.log", settings);
  ASSERT_TRUE(eventually(
      [&] {
        return !db_.db()
                    .execute("SELECT 1 AS begun FROM jobs WHERE create_started_at IS NOT NULL")
                    .empty();
      },
      60s))
      << first->log();
  std::this_thread::sleep_for(500ms);  // inside the create call now
  first->kill_hard();
  auto second = worker("second.log", settings);  // same address: the callback reaches it
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 60s))
      << second->log();
  EXPECT_EQ(kie_.create_count(), 1u);
  EXPECT_EQ(only_job().provider_task_id, kie_.created_tasks().at(0).task_id);
  EXPECT_NE(second->log().find("adopted task"), std::string::npos) << second->log();
  EXPECT_EQ(telegram_.call_count("sendVideo"), 1u);
  EXPECT_EQ(credits(), 4);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(second->terminate(), 0);
}

// Steps waiting on the create throttle (the account's window is full) do not hold up a stop:
// the waits are cancelled, the leases handed back, and nothing is created afterwards.
TEST_P(MoneyUnderFaultsTest, SigtermStopsAWorkerWithinSecondsWhileCreatesWaitOnTheThrottle) {
  // Other workers used the account's 20 creates just now: the next one is 10 s away.
  const auto account = worker::SharedCreateThrottle::account_of(kie_.api_key());
  db_.db().execute("INSERT INTO provider_accounts (account) VALUES ($1)", {account});
  for (int i = 0; i < 20; ++i) {
    db_.db().execute("INSERT INTO provider_creates (account, at_ms) VALUES ($1, {clock_ms})",
                     {account});
  }
  enqueue(3);
  auto process = worker("worker.log");
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kSubmitting); }, 30s))
      << process->log();
  std::this_thread::sleep_for(1s);  // every step waits on the throttle now
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(process->terminate(20'000), 0) << process->log();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 7s) << process->log();
  for (const auto& job : jobs()) {
    EXPECT_EQ(job.status, core::JobStatus::kSubmitting);
    EXPECT_TRUE(job.lease_owner.empty()) << "lease of " << job.id << " not handed back";
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(kie_.create_count(), 0u);
  EXPECT_EQ(credits(), 2);  // nothing refunded: the jobs wait for the next worker
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
}

NC_BOTH_BACKENDS(MoneyUnderFaultsTest);

}  // namespace
}  // namespace nc::testing
