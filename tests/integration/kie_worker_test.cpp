// Real worker processes against the fake KIE and the fake Bot API: a charged batch survives a
// worker killed with SIGKILL mid-generation; no task is created twice, no credit moves twice;
// a failed task is refunded exactly once with a plain message; vertical inputs only.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "fakes/fake_bot_api.hpp"
#include "fakes/fake_kie.hpp"
#include "fakes/http_client.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "integration/worker_env.hpp"
#include "media/probe.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "unit/media_test_support.hpp"

namespace nc::testing {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kSeller = 5150;

class KieWorkerTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  KieWorkerTest() : db_(GetParam()), kie_(kie_serving_video(dir_.file("result.mp4"))) {
    telegram_.start();
    kie_.start();
    photo_ = dir_.file("product.jpg");
    media::testing::gradient(1200, 900).write_to_file(photo_.c_str());
    store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
    store::Ledger(db_.db()).grant(kSeller, 5, "grant:5", "");
  }

  std::map<std::string, std::string> env() {
    return worker_env(telegram_, kie_, db_.url(), dir_.file("data"));
  }

  void enqueue(int count, const std::string& model) {
    auto result =
        run_binary({"enqueue", "--user", std::to_string(kSeller), "--photo", photo_, "--text",
                    "Кружка", "--count", std::to_string(count), "--model", model, "--charge"},
                   {{"DATABASE_URL", db_.url()}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  std::unique_ptr<BackgroundProcess> worker(const std::string& log,
                                            const std::map<std::string, std::string>& extra = {}) {
    auto settings = env();
    for (const auto& [name, value] : extra)
      settings[name] = value;
    return std::make_unique<BackgroundProcess>(std::vector<std::string>{"worker"}, settings,
                                               dir_.file(log));
  }

  std::vector<core::Job> jobs() { return store::JobQueue(db_.db()).list({.tg_user_id = kSeller}); }

  // What the lease (30 s) of a killed worker comes to when it runs out, without waiting for
  // it: the queue's own lease tests cover the waiting.
  void run_out_leases() {
    db_.db().execute("UPDATE jobs SET lease_until = {now+ms $1} WHERE lease_owner IS NOT NULL",
                     {std::int64_t{-1}});
  }

  bool all_jobs_are(core::JobStatus status) {
    for (const auto& job : jobs()) {
      if (job.status != status) return false;
    }
    return true;
  }

  TestDatabase db_;
  media::testing::TempDir dir_;
  std::string photo_;
  fakes::FakeBotApi telegram_;
  fakes::FakeKie kie_;
};

TEST_P(KieWorkerTest, KilledWorkerNeverCreatesATaskTwice) {
  fakes::TaskScript slow;
  slow.pending_polls = 3;
  kie_.set_default_script(slow);
  enqueue(5, "kling-2.6/image-to-video");
  auto first = worker("first.log");
  auto every_job_holds_a_task = [&] {
    for (const auto& job : jobs()) {
      if (job.provider_task_id.empty()) return false;
    }
    return true;
  };
  ASSERT_TRUE(eventually([&] { return kie_.create_count() == 5 && every_job_holds_a_task(); }, 60s))
      << first->log();
  first->kill_hard();  // mid-generation: every job holds a task id
  auto second = worker("second.log");
  run_out_leases();
  ASSERT_TRUE(telegram_.wait_for_calls("sendVideo", 5, 120s)) << second->log();
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 20s));
  EXPECT_EQ(kie_.create_count(), 5u);  // the new worker resumed polling, never re-created
  std::set<std::string> captions;
  for (const auto& call : telegram_.calls("sendVideo"))
    captions.insert(call.params.value("caption", ""));
  EXPECT_EQ(captions.size(), 5u);
  EXPECT_EQ(telegram_.call_count("sendVideo"), 5u);
  // Kling follows the input image: what we uploaded was reframed to 9:16 first.
  for (const auto& file : std::filesystem::directory_iterator(dir_.file("data") + "/inputs")) {
    auto image = vips::VImage::new_from_file(file.path().c_str());
    EXPECT_EQ(image.width() * 16, image.height() * 9) << file.path();
  }
  for (const auto& task : kie_.created_tasks())
    EXPECT_FALSE(task.body.contains("aspect_ratio"));
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 0);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(second->terminate(), 0);
}

TEST_P(KieWorkerTest, FailedTaskIsRefundedOnceAndVeoAlwaysGetsNineBySixteen) {
  fakes::TaskScript fails;
  fails.end = fakes::TaskEnd::kFail;
  fails.fail_code = 400;
  fails.fail_message = "Your prompt was flagged by the content policy";
  fails.callback = fakes::CallbackMode::kTwice;
  kie_.set_default_script(fails);
  enqueue(1, "veo3_fast");
  auto process = worker("worker.log");
  ASSERT_TRUE(telegram_.wait_for_calls("sendMessage", 1, 60s)) << process->log();
  const auto text = telegram_.calls("sendMessage")[0].params.value("text", "");
  EXPECT_NE(text.find("😔 Не получилось сделать видео"), std::string::npos) << text;
  EXPECT_NE(text.find("Кредит возвращён на баланс."), std::string::npos) << text;
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(telegram_.call_count("sendMessage"), 1u);
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 5);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  ASSERT_EQ(kie_.created_tasks().size(), 1u);
  EXPECT_EQ(kie_.created_tasks()[0].body.value("aspect_ratio", ""), "9:16");
  EXPECT_EQ(process->terminate(), 0);
}

TEST_P(KieWorkerTest, InputsAreSignedLinksAndCallbacksBringResultsBeforeThePoll) {
  fakes::TaskScript quick;
  quick.finish_after = 1s;
  quick.callback = fakes::CallbackMode::kTwice;  // a duplicated callback changes nothing
  kie_.set_default_script(quick);
  enqueue(1, "veo3_fast");
  const auto port = std::to_string(free_port());
  const auto base = "http://127.0.0.1:" + port;
  auto process = worker("worker.log", {{"HTTP_PORT", port}, {"PUBLIC_BASE_URL", base}});
  ASSERT_TRUE(eventually([&] { return kie_.create_count() == 1; }, 30s)) << process->log();
  const auto created_at = std::chrono::steady_clock::now();
  // Veo is polled every 15 s; the callback makes the job due at once.
  ASSERT_TRUE(telegram_.wait_for_calls("sendVideo", 1, 30s)) << process->log();
  EXPECT_LT(std::chrono::steady_clock::now() - created_at, 12s);
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 10s));

  // The provider fetched the photo from our signed, expiring link.
  const auto task = kie_.created_tasks().at(0);
  ASSERT_EQ(task.image_urls.size(), 1u);
  const auto link = task.image_urls[0];
  EXPECT_TRUE(link.starts_with(base + "/files/")) << link;
  EXPECT_NE(link.find("exp="), std::string::npos);
  auto fetched = fakes::http_get(link);
  EXPECT_EQ(fetched.status, 200);
  EXPECT_TRUE(fetched.body.starts_with("\xFF\xD8\xFF")) << "not a JPEG";
  auto forged = link;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(fakes::http_get(forged).status, 404);
  EXPECT_EQ(fakes::http_get(link.substr(0, link.find('?'))).status, 404);
  EXPECT_EQ(fakes::http_get(base + "/files/..%2F..%2Fneurocards.db?exp=9999999999&sig=00").status,
            404);

  // Callbacks were signed by us; a forged one is refused, a late one changes nothing.
  const auto job_id = jobs().at(0).id;
  EXPECT_NE(task.callback_url.find(job_id), std::string::npos);
  EXPECT_EQ(fakes::http_post(base + "/kie/callback/" + job_id + "?sig=00", "application/json", "{}")
                .status,
            403);
  EXPECT_EQ(fakes::http_post(task.callback_url, "application/json", "{}").status, 200);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(telegram_.call_count("sendVideo"), 1u);
  EXPECT_TRUE(all_jobs_are(core::JobStatus::kDone));
  EXPECT_EQ(kie_.create_count(), 1u);
  EXPECT_EQ(process->terminate(), 0);
}

TEST_P(KieWorkerTest, ASellerWhoBlockedTheBotKeepsTheJobInHistoryWithoutRetries) {
  telegram_.block_chat(kSeller);
  enqueue(1, "kling-2.6/image-to-video");
  auto process = worker("worker.log");
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 60s))
      << process->log();
  const auto job = jobs().at(0);
  EXPECT_FALSE(job.tg_message_id.has_value());
  EXPECT_NE(job.error.find("not delivered"), std::string::npos) << job.error;
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(telegram_.call_count("sendVideo"), 1u);  // 403 is a fact, not retried
  EXPECT_TRUE(store::Users(db_.db()).find(kSeller)->blocked);
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 4);  // the video was made: no refund
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(process->terminate(), 0);
}

TEST_P(KieWorkerTest, ProviderOutOfCreditsPausesJobsAlertsAdminsOnceAndResumes) {
  constexpr std::int64_t kAdmin = 777;
  kie_.set_out_of_credits(true);
  enqueue(2, "kling-2.6/image-to-video");
  auto process = worker("worker.log",
                        {{"ADMIN_IDS", std::to_string(kAdmin)}, {"OPERATOR_PAUSE_SECONDS", "2"}});
  ASSERT_TRUE(telegram_.wait_for_calls("sendMessage", 1, 30s)) << process->log();
  const auto alert = telegram_.calls("sendMessage").at(0);
  EXPECT_EQ(alert.chat_id, kAdmin);
  EXPECT_NE(alert.params.value("text", "").find("needs attention"), std::string::npos);
  // Both jobs met the problem (and will again after each pause): still one message.
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(telegram_.call_count("sendMessage"), 1u);
  for (const auto& job : jobs()) {
    EXPECT_EQ(job.status, core::JobStatus::kSubmitting);  // no task yet, none lost
    EXPECT_NE(job.error.find("waiting for the operator"), std::string::npos) << job.error;
  }
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 3);  // nothing refunded meanwhile

  kie_.set_out_of_credits(false);  // the operator topped the account up
  ASSERT_TRUE(telegram_.wait_for_calls("sendVideo", 2, 60s)) << process->log();
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 10s));
  EXPECT_EQ(kie_.create_count(), 2u);
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 3);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(telegram_.call_count("sendMessage"), 1u);  // no failure notices
  EXPECT_EQ(process->terminate(), 0);
}

TEST_P(KieWorkerTest, WorkerKilledWhileUploadingTheVideoIsReplacedAndDeliversOnce) {
  telegram_.delay_next("sendVideo", 1, 8s);  // the first upload hangs until the kill
  enqueue(1, "kling-2.6/image-to-video");
  auto first = worker("first.log");
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDelivering); }, 60s))
      << first->log();
  std::this_thread::sleep_for(1s);  // inside sendVideo now
  first->kill_hard();
  auto second = worker("second.log");
  // The dead worker's lease runs out, then the new one delivers from the saved file.
  run_out_leases();
  ASSERT_TRUE(eventually([&] { return all_jobs_are(core::JobStatus::kDone); }, 90s))
      << second->log();
  const auto job = jobs().at(0);
  EXPECT_TRUE(job.tg_message_id.has_value()) << job.error;
  EXPECT_EQ(kie_.create_count(), 1u);
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 4);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  const auto answered = telegram_.calls("sendVideo");
  ASSERT_FALSE(answered.empty());
  EXPECT_NE(answered.back().params.dump().find("retry_same_product"), std::string::npos);
  EXPECT_EQ(second->terminate(), 0);
}

TEST_P(KieWorkerTest, AJobPastItsDeadlineFailsAndIsRefundedOnce) {
  fakes::TaskScript never;
  never.end = fakes::TaskEnd::kNever;
  kie_.set_default_script(never);
  enqueue(1, "kling-2.6/image-to-video");
  auto process = worker("worker.log", {{"JOB_DEADLINE_MINUTES", "1"}});
  ASSERT_TRUE(eventually([&] { return kie_.create_count() == 1; }, 30s)) << process->log();
  // Age the job by hand rather than wait a minute.
  db_.db().execute("UPDATE jobs SET created_at = {now+ms $1}", {std::int64_t{-120'000}});
  ASSERT_TRUE(telegram_.wait_for_calls("sendMessage", 1, 60s)) << process->log();
  EXPECT_NE(telegram_.calls("sendMessage")[0].params.value("text", "").find("Кредит возвращён"),
            std::string::npos);
  EXPECT_TRUE(all_jobs_are(core::JobStatus::kFailed));
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 5);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(process->terminate(), 0);
}

NC_BOTH_BACKENDS(KieWorkerTest);

}  // namespace
}  // namespace nc::testing
