// The service's metrics fed by the real Bot API client against the fake Bot API: every HTTP
// exchange lands in nc_telegram_calls_total with its result class, retries included.
#include "app/service_metrics.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_bot_api.hpp"
#include "kie_test_support.hpp"

namespace nc::app {
namespace {

using namespace std::chrono_literals;
using kie_testing::run;

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

class ServiceMetricsTest : public ::testing::Test {
 protected:
  ServiceMetricsTest() : metrics_(registry_) { metrics_.watch(api_); }

  static std::unique_ptr<fakes::FakeBotApi> started_fake() {
    auto fake = std::make_unique<fakes::FakeBotApi>();
    fake->start();
    return fake;
  }

  telegram::ApiResult send(std::int64_t chat_id) {
    nlohmann::json params{{"chat_id", chat_id}, {"text", "hi"}};
    return run(io_, api_.call("sendMessage", std::move(params)));
  }

  std::unique_ptr<fakes::FakeBotApi> fake_owner_ =
      started_fake();  // before the client needs its URL
  fakes::FakeBotApi& fake_ = *fake_owner_;
  boost::asio::io_context io_;
  net::HttpClient http_{io_};
  telegram::BotApi api_{io_, http_,
                        telegram::BotApiOptions{.base_url = fake_.base_url(),
                                                .token = fake_.token(),
                                                .backoff_base = 5ms,
                                                .backoff_cap = 20ms}};
  obs::Registry registry_;
  ServiceMetrics metrics_;
};

TEST_F(ServiceMetricsTest, TelegramCallsAreCountedPerExchangeWithTheirResult) {
  fake_.rate_limit_next("sendMessage", 1, 1);
  EXPECT_TRUE(send(42).ok());  // a 429 waited out, then sent
  fake_.fail_next("sendMessage", 1);
  EXPECT_TRUE(send(42).ok());  // a 500 retried
  fake_.block_chat(99);
  EXPECT_FALSE(send(99).ok());
  const auto text = registry_.render();
  EXPECT_TRUE(has_line(text, R"(nc_telegram_calls_total{method="sendMessage",result="ok"} 2)"))
      << text;
  EXPECT_TRUE(
      has_line(text, R"(nc_telegram_calls_total{method="sendMessage",result="retry_after"} 1)"))
      << text;
  EXPECT_TRUE(
      has_line(text, R"(nc_telegram_calls_total{method="sendMessage",result="http_5xx"} 1)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(nc_telegram_calls_total{method="sendMessage",result="blocked"} 1)"))
      << text;
  EXPECT_EQ(text.find("99"), std::string::npos) << "a chat id in a label";
}

TEST_F(ServiceMetricsTest, ResultLabelsAreTheDocumentedClasses) {
  EXPECT_EQ(telegram_result(telegram::ApiError::kNone), "ok");
  EXPECT_EQ(telegram_result(telegram::ApiError::kRateLimited), "retry_after");
  EXPECT_EQ(telegram_result(telegram::ApiError::kServer), "http_5xx");
  EXPECT_EQ(telegram_result(telegram::ApiError::kNetwork), "network");
  EXPECT_EQ(telegram_result(telegram::ApiError::kBlocked), "blocked");
  EXPECT_EQ(telegram_result(telegram::ApiError::kBadRequest), "bad_request");
}

TEST_F(ServiceMetricsTest, BuildInfoAndTheQueueAreRendered) {
  store::QueueStats stats;
  stats.by_status = {{"queued", 2}, {"done", 0}};
  stats.oldest_queued_age_s = 12.5;
  metrics_.set_queue(stats);
  const auto text = registry_.render();
  EXPECT_TRUE(has_line(text, R"(nc_jobs{state="queued"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(nc_jobs{state="done"} 0)")) << text;
  EXPECT_TRUE(has_line(text, "nc_oldest_queued_job_seconds 12.5")) << text;
  EXPECT_NE(text.find("\nnc_build_info{version=\""), std::string::npos) << text;
}

}  // namespace
}  // namespace nc::app
