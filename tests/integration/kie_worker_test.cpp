// Real worker processes against the fake KIE and the fake Bot API: a charged batch survives a
// worker killed with SIGKILL mid-generation; no task is created twice, no credit moves twice;
// a failed task is refunded exactly once with a plain message; vertical inputs only.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "fakes/fake_bot_api.hpp"
#include "fakes/fake_kie.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "providers/media/probe.hpp"
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
  KieWorkerTest() : db_(GetParam()), kie_(kie_options()) {
    telegram_.start();
    kie_.start();
    photo_ = dir_.file("product.jpg");
    media::testing::gradient(1200, 900).write_to_file(photo_.c_str());
    store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
    store::Ledger(db_.db()).grant(kSeller, 5, "grant:5", "");
  }

  fakes::FakeKieOptions kie_options() {
    fakes::FakeKieOptions options;
    video_ = dir_.file("result.mp4");
    std::system(("ffmpeg -loglevel error -f lavfi -i testsrc=size=1080x1920:rate=30 -t 2 "
                 "-pix_fmt yuv420p -y " + video_).c_str());
    options.default_video = video_;
    return options;
  }

  std::map<std::string, std::string> env() {
    return {{"BOT_TOKEN", telegram_.token()},
            {"TELEGRAM_API_URL", telegram_.base_url()},
            {"DATABASE_URL", db_.url()},
            {"DATA_DIR", dir_.file("data")},
            {"HTTP_HOST", "127.0.0.1"},
            {"HTTP_PORT", std::to_string(free_port())},
            {"PROVIDER", "kie"},
            {"KIE_API_KEY", fakes::FakeKieOptions().api_key},
            {"KIE_API_URL", kie_.base_url()},
            {"KIE_UPLOAD_URL", kie_.base_url()},
            {"LOG_LEVEL", "debug"}};
  }

  void enqueue(int count, const std::string& model) {
    auto result = run_binary({"enqueue", "--user", std::to_string(kSeller), "--photo", photo_,
                              "--text", "Кружка", "--count", std::to_string(count), "--model",
                              model, "--charge"},
                             {{"DATABASE_URL", db_.url()}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  std::unique_ptr<BackgroundProcess> worker(const std::string& log) {
    return std::make_unique<BackgroundProcess>(std::vector<std::string>{"worker"}, env(),
                                               dir_.file(log));
  }

  static bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return condition();
  }

  TestDatabase db_;
  media::testing::TempDir dir_;
  std::string photo_;
  std::string video_;
  fakes::FakeBotApi telegram_;
  fakes::FakeKie kie_;
};

TEST_P(KieWorkerTest, KilledWorkerNeverCreatesATaskTwice) {
  fakes::TaskScript slow;
  slow.pending_polls = 3;
  kie_.set_default_script(slow);
  enqueue(5, "kling-2.6/image-to-video");
  auto first = worker("first.log");
  ASSERT_TRUE(eventually([&] { return kie_.create_count() == 5; }, 60s)) << first->log();
  first->kill_hard();  // mid-generation: every job holds a task id
  auto second = worker("second.log");
  ASSERT_TRUE(telegram_.wait_for_calls("sendVideo", 5, 120s)) << second->log();
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& job : store::JobQueue(db_.db()).list({.tg_user_id = kSeller})) {
          if (job.status != core::JobStatus::kDone) return false;
        }
        return true;
      },
      20s));
  EXPECT_EQ(kie_.create_count(), 5u);  // the new worker resumed polling, never re-created
  std::set<std::string> captions;
  for (const auto& call : telegram_.calls("sendVideo")) captions.insert(call.params.value("caption", ""));
  EXPECT_EQ(captions.size(), 5u);
  EXPECT_EQ(telegram_.call_count("sendVideo"), 5u);
  // Kling follows the input image: what we uploaded was reframed to 9:16 first.
  for (const auto& file : std::filesystem::directory_iterator(dir_.file("data") + "/inputs")) {
    auto image = vips::VImage::new_from_file(file.path().c_str());
    EXPECT_EQ(image.width() * 16, image.height() * 9) << file.path();
  }
  for (const auto& task : kie_.created_tasks()) EXPECT_FALSE(task.body.contains("aspect_ratio"));
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

NC_BOTH_BACKENDS(KieWorkerTest);

}  // namespace
}  // namespace nc::testing
