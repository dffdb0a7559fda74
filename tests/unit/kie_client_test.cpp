// The KIE provider against the fake KIE over real HTTP on loopback: request bodies, task
// states, uploads, the balance, and the class of every error the contract lists.
#include "providers/kie/kie_client.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "fakes/fake_kie.hpp"
#include "fakes/http_client.hpp"
#include "kie_test_support.hpp"

namespace nc::providers::kie {
namespace {

namespace asio = boost::asio;
using fakes::FakeKie;
using fakes::KieEndpoint;
using fakes::KieFault;
using fakes::TaskScript;
using json = nlohmann::json;
using kie_testing::run;
using namespace std::chrono_literals;

constexpr const char* kPhotoUrl = "https://tempfile.redpandaai.co/abc/neurocards/p42.jpg";

SubmitRequest veo_request(std::string model = "veo3_fast") {
  SubmitRequest request;
  request.job_id = "job-7";
  request.generation.model = std::move(model);
  request.generation.prompt = "Slow orbit around a matte white bottle on wet black stone";
  request.generation.image_url = kPhotoUrl;
  request.generation.aspect_ratio = "9:16";
  return request;
}

SubmitRequest market_request(std::string model, int duration_s = 0) {
  auto request = veo_request(std::move(model));
  request.generation.prompt = "Camera pushes in on the sneaker, studio light sweeps across";
  request.generation.duration_s = duration_s;
  return request;
}

class KieClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.start();
    make_provider(options());
  }

  KieOptions options() const {
    KieOptions options;
    options.api_base = fake_.base_url();
    options.upload_base = fake_.base_url();
    options.api_key = fake_.api_key();
    options.request_timeout = 3s;
    return options;
  }

  void make_provider(KieOptions options) {
    provider_ = std::make_unique<KieProvider>(http_, core::ModelRegistry::defaults(), throttle_,
                                              std::move(options));
  }

  SubmitResult submit(const SubmitRequest& request) { return run(io_, provider_->submit(request)); }
  TaskStatus status(const std::string& model, const std::string& task_id) {
    return run(io_, provider_->status(model, task_id));
  }

  // The error a create gets when the fake answers it with `fault`.
  ProviderError create_error(KieEndpoint endpoint, KieFault fault) {
    fake_.fail_next(endpoint, 1, std::move(fault));
    auto result =
        submit(endpoint == KieEndpoint::kVeoGenerate ? veo_request()
                                                     : market_request("kling-2.6/image-to-video"));
    EXPECT_TRUE(result.task_id.empty());
    return result.error;
  }

  FakeKie fake_;
  asio::io_context io_;
  net::HttpClient http_{io_};
  LocalCreateThrottle throttle_;
  std::unique_ptr<KieProvider> provider_;
};

KieFault body_code(int code, std::string msg) {
  KieFault fault;
  fault.code = code;
  fault.msg = std::move(msg);
  return fault;
}

KieFault raw_fault(int http_status, std::string body) {
  KieFault fault;
  fault.http_status = http_status;
  fault.raw_body = std::move(body);
  return fault;
}

// --- Veo ---

TEST_F(KieClientTest, VeoSucceedsAfterTwoPendingPolls) {
  TaskScript script;
  script.pending_polls = 2;
  fake_.script_next_task(script);

  auto created = submit(veo_request());
  ASSERT_TRUE(created.ok()) << created.error.message;
  EXPECT_TRUE(created.task_id.starts_with("veo_task_"));

  for (int poll = 0; poll < 2; ++poll) {
    auto pending = status("veo3_fast", created.task_id);
    EXPECT_EQ(pending.state, TaskState::kPending);
    EXPECT_TRUE(pending.error.ok()) << pending.error.message;
    EXPECT_TRUE(pending.result_urls.empty());
  }
  auto done = status("veo3_fast", created.task_id);
  ASSERT_EQ(done.state, TaskState::kSucceeded);
  EXPECT_TRUE(done.error.ok());
  ASSERT_EQ(done.result_urls.size(), 1u);
  EXPECT_EQ(done.result_urls[0], fake_.base_url() + "/results/" + created.task_id + "/0.mp4");

  auto polls = fake_.requests(KieEndpoint::kVeoRecord);
  ASSERT_EQ(polls.size(), 3u);
  EXPECT_EQ(polls[0].query.at("taskId"), created.task_id);
  EXPECT_EQ(fake_.request_count(KieEndpoint::kMarketRecord), 0u);

  auto video = fakes::http_get(done.result_urls[0]);
  EXPECT_EQ(video.status, 200);
  EXPECT_EQ(video.body.substr(4, 8), "ftypisom");
}

TEST_F(KieClientTest, VeoBodyIsVerticalCarriesThePhotoAndTheCallback) {
  auto request = veo_request();
  request.callback_url = "https://bot.example.com/kie/callback/job-7?sig=abc";
  ASSERT_TRUE(submit(request).ok());

  auto creates = fake_.requests(KieEndpoint::kVeoGenerate);
  ASSERT_EQ(creates.size(), 1u);
  const auto& body = creates[0].body;
  json expected = {{"prompt", request.generation.prompt},
                   {"model", "veo3_fast"},
                   {"imageUrls", json::array({kPhotoUrl})},
                   {"generationType", "FIRST_AND_LAST_FRAMES_2_VIDEO"},
                   {"aspect_ratio", "9:16"},
                   {"enableTranslation", true},
                   {"callBackUrl", "https://bot.example.com/kie/callback/job-7?sig=abc"}};
  EXPECT_EQ(body, expected);
  EXPECT_EQ(creates[0].header("authorization"), "Bearer " + fake_.api_key());
  EXPECT_EQ(creates[0].header("user-agent"), "NeuroCards/0.1");
  EXPECT_EQ(creates[0].header("content-type"), "application/json");

  // The fake's own reading: the ratio arrived under the current name, so Veo renders 9:16.
  auto tasks = fake_.created_tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].aspect_field, "aspect_ratio");
  EXPECT_EQ(tasks[0].aspect_ratio, "9:16");
  EXPECT_EQ(tasks[0].image_urls, std::vector<std::string>{kPhotoUrl});
}

TEST_F(KieClientTest, VeoQualityModelIsSentAsIs) {
  ASSERT_TRUE(submit(veo_request("veo3")).ok());
  EXPECT_EQ(fake_.created_tasks().at(0).model, "veo3");
}

TEST_F(KieClientTest, RegistryRejectsSquareVeoBeforeAnyRequest) {
  auto request = veo_request();
  request.generation.aspect_ratio = "1:1";
  auto result = submit(request);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(result.error.user_reason, "veo3_fast does not accept aspect ratio '1:1'");

  auto unknown = submit(veo_request("veo9_ultra"));
  EXPECT_EQ(unknown.error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(unknown.error.user_reason, "model 'veo9_ultra' is not in the model registry");

  auto local = veo_request("local");
  local.generation.image_url.clear();
  EXPECT_EQ(submit(local).error.kind, ErrorClass::kPermanent);

  EXPECT_EQ(fake_.request_count(), 0u);
  EXPECT_EQ(fake_.create_count(), 0u);
}

// --- Market ---

TEST_F(KieClientTest, KlingSucceedsWithStringResultJsonAndDurationStrings) {
  auto five = submit(market_request("kling-2.6/image-to-video", 5));
  auto ten = submit(market_request("kling-2.6/image-to-video", 10));
  ASSERT_TRUE(five.ok()) << five.error.message;
  ASSERT_TRUE(ten.ok()) << ten.error.message;
  EXPECT_TRUE(five.task_id.starts_with("task_kling-2.6_"));

  auto creates = fake_.requests(KieEndpoint::kMarketCreate);
  ASSERT_EQ(creates.size(), 2u);
  json expected_input = {{"prompt", "Camera pushes in on the sneaker, studio light sweeps across"},
                         {"image_urls", json::array({kPhotoUrl})},
                         {"duration", "5"},
                         {"sound", false}};
  json expected = {{"model", "kling-2.6/image-to-video"}, {"input", expected_input}};
  EXPECT_EQ(creates[0].body, expected);
  EXPECT_EQ(creates[1].body["input"]["duration"], "10");

  auto done = status("kling-2.6/image-to-video", ten.task_id);
  ASSERT_EQ(done.state, TaskState::kSucceeded) << done.error.message;
  ASSERT_EQ(done.result_urls.size(), 1u);
  EXPECT_EQ(done.result_urls[0], fake_.base_url() + "/results/" + ten.task_id + "/0.mp4");
  EXPECT_EQ(fake_.requests(KieEndpoint::kMarketRecord).at(0).query.at("taskId"), ten.task_id);
}

TEST_F(KieClientTest, MarketStatesStayPendingUntilSuccess) {
  TaskScript script;
  script.pending_polls = 3;  // waiting, queuing, generating
  script.result_count = 2;
  fake_.script_next_task(script);
  auto created = submit(market_request("wan/2-6-image-to-video"));
  ASSERT_TRUE(created.ok()) << created.error.message;
  for (int poll = 0; poll < 3; ++poll) {
    EXPECT_EQ(status("wan/2-6-image-to-video", created.task_id).state, TaskState::kPending);
  }
  auto done = status("wan/2-6-image-to-video", created.task_id);
  EXPECT_EQ(done.state, TaskState::kSucceeded);
  EXPECT_EQ(done.result_urls.size(), 2u);
  const auto input = fake_.requests(KieEndpoint::kMarketCreate).at(0).body["input"];
  EXPECT_EQ(input["resolution"], "720p");
  EXPECT_EQ(input["duration"], "5");
}

TEST_F(KieClientTest, HailuoGetsOneImageUrlStringAndItsDefaultResolution) {
  auto created = submit(market_request("hailuo/2-3-image-to-video-standard", 10));
  ASSERT_TRUE(created.ok()) << created.error.message;
  const auto input = fake_.requests(KieEndpoint::kMarketCreate).at(0).body["input"];
  EXPECT_EQ(input["image_url"], kPhotoUrl);
  EXPECT_EQ(input["duration"], "10");
  EXPECT_EQ(input["resolution"], "768P");
  EXPECT_FALSE(input.contains("aspect_ratio"));
}

TEST_F(KieClientTest, UnknownModelAtStatusFallsBackToItsFamilyByName) {
  auto created = submit(veo_request());
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(status("veo3_retired", created.task_id).state, TaskState::kSucceeded);
  EXPECT_EQ(fake_.request_count(KieEndpoint::kVeoRecord), 1u);
}

// --- errors, in the order of the contract's table ---

TEST_F(KieClientTest, BadKeyIsForTheOperator) {
  auto options = this->options();
  options.api_key = "kie-wrong-key";
  make_provider(options);
  auto result = submit(veo_request());
  EXPECT_EQ(result.error.kind, ErrorClass::kOperator);
  EXPECT_EQ(result.error.code, 401);
  EXPECT_EQ(status("veo3_fast", "veo_task_1").error.kind, ErrorClass::kOperator);
  EXPECT_FALSE(run(io_, provider_->account_balance()).has_value());
  EXPECT_EQ(fake_.create_count(), 0u);
}

TEST_F(KieClientTest, OutOfCreditsIsForTheOperator) {
  fake_.set_out_of_credits(true);
  auto result = submit(market_request("kling-2.6/image-to-video"));
  EXPECT_EQ(result.error.kind, ErrorClass::kOperator);
  EXPECT_EQ(result.error.code, 402);
  EXPECT_EQ(result.error.user_reason, "the video service is temporarily unavailable");
}

TEST_F(KieClientTest, CloudflareRefusesNoUserAgentAndTheClientAlwaysSendsOne) {
  // A request without User-Agent, as a bare HTTP library would send it.
  auto answer = kie_testing::raw_http(
      kie_testing::port_of(fake_.base_url()),
      "GET /api/v1/chat/credit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
          fake_.api_key() + "\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 403")) << answer;
  EXPECT_TRUE(answer.ends_with("error code: 1010")) << answer;
  fake_.clear_requests();

  // Our client sends its own even over an HttpClient with none and options that left it empty.
  net::HttpClientOptions bare;
  bare.user_agent = "";
  net::HttpClient bare_http(io_, bare);
  auto options = this->options();
  options.user_agent = "";
  KieProvider provider(bare_http, core::ModelRegistry::defaults(), throttle_, options);
  auto request = veo_request();
  ASSERT_TRUE(run(io_, provider.submit(request)).ok());
  EXPECT_EQ(run(io_, provider.account_balance()), 9990.0);
  for (const auto& recorded : fake_.requests()) {
    EXPECT_EQ(recorded.header("user-agent"), "NeuroCards/0.1") << recorded.path;
  }

  auto error = create_error(KieEndpoint::kVeoGenerate, raw_fault(403, "error code: 1010"));
  EXPECT_EQ(error.kind, ErrorClass::kOperator);
  EXPECT_EQ(error.code, 403);
  EXPECT_NE(error.message.find("error code: 1010"), std::string::npos);
}

TEST_F(KieClientTest, RatioErrorIsPermanent) {
  auto error = create_error(KieEndpoint::kVeoGenerate, body_code(422, "Ratio error"));
  EXPECT_EQ(error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(error.code, 422);
  EXPECT_EQ(error.user_reason, "the provider refused the request");
}

TEST_F(KieClientTest, FiveHundredWithAValidationMessageIsPermanent) {
  auto range =
      create_error(KieEndpoint::kMarketCreate,
                   body_code(500, "This aspect_ratio is not within the range of allowed options"));
  EXPECT_EQ(range.kind, ErrorClass::kPermanent);
  EXPECT_EQ(range.code, 500);
  auto required =
      create_error(KieEndpoint::kMarketCreate, body_code(500, "resolution is required"));
  EXPECT_EQ(required.kind, ErrorClass::kPermanent);
}

TEST_F(KieClientTest, PlainServerErrorsAreTransient) {
  auto body = create_error(KieEndpoint::kMarketCreate, body_code(500, "Internal Error"));
  EXPECT_EQ(body.kind, ErrorClass::kTransient);
  EXPECT_EQ(body.code, 500);
  EXPECT_EQ(body.user_reason, "the video service is busy right now");

  auto http =
      create_error(KieEndpoint::kVeoGenerate, raw_fault(502, "<html>502 Bad Gateway</html>"));
  EXPECT_EQ(http.kind, ErrorClass::kTransient);
  EXPECT_EQ(http.code, 502);
}

TEST_F(KieClientTest, RateLimitIsTransientWithRetryAfter) {
  auto fault = body_code(429, "Too many requests");
  fault.http_status = 429;
  fault.retry_after = 7;
  auto error = create_error(KieEndpoint::kVeoGenerate, fault);
  EXPECT_EQ(error.kind, ErrorClass::kTransient);
  EXPECT_EQ(error.code, 429);
  EXPECT_EQ(error.retry_after, 7s);

  auto in_body = create_error(KieEndpoint::kVeoGenerate, body_code(429, "Too many requests"));
  EXPECT_EQ(in_body.kind, ErrorClass::kTransient);
  EXPECT_FALSE(in_body.retry_after.has_value());
}

TEST_F(KieClientTest, TheFakesOwnRateLimitComesBackAsTransient) {
  fakes::FakeKieOptions tight;
  tight.create_limit = 2;
  FakeKie fake(tight);
  fake.start();
  auto options = this->options();
  options.api_base = fake.base_url();
  make_provider(options);
  EXPECT_TRUE(submit(veo_request()).ok());
  EXPECT_TRUE(submit(veo_request()).ok());
  auto third = submit(veo_request());
  EXPECT_EQ(third.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(third.error.code, 429);
  ASSERT_TRUE(third.error.retry_after.has_value());
  EXPECT_GE(*third.error.retry_after, 1s);
  EXPECT_LE(*third.error.retry_after, 10s);
  EXPECT_EQ(fake.create_count(), 2u);
}

TEST_F(KieClientTest, MaintenanceIsTransient) {
  auto error = create_error(KieEndpoint::kVeoGenerate, body_code(455, "Service maintenance"));
  EXPECT_EQ(error.kind, ErrorClass::kTransient);
  EXPECT_EQ(error.code, 455);
}

TEST_F(KieClientTest, OperatorCodes) {
  EXPECT_EQ(create_error(KieEndpoint::kMarketCreate, body_code(433, "usage exceeds the cap")).kind,
            ErrorClass::kOperator);
  EXPECT_EQ(create_error(KieEndpoint::kMarketCreate, body_code(505, "model disabled")).kind,
            ErrorClass::kOperator);
  EXPECT_EQ(
      create_error(KieEndpoint::kMarketCreate, body_code(422, "model name not supported")).kind,
      ErrorClass::kOperator);
  EXPECT_EQ(create_error(KieEndpoint::kVeoGenerate, body_code(404, "model not found")).kind,
            ErrorClass::kOperator);
}

TEST_F(KieClientTest, UnfetchableImageIsPermanentWithAPlainReason) {
  auto error = create_error(KieEndpoint::kVeoGenerate, body_code(451, "Failed to fetch image"));
  EXPECT_EQ(error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(error.user_reason, "the provider could not download the photo");
}

TEST_F(KieClientTest, ContentPolicyFailureIsPermanentWithTheCleanedReason) {
  TaskScript script;
  script.end = fakes::TaskEnd::kFail;
  script.fail_code = 400;
  script.fail_message =
      "Your prompt was flagged by Website as violating content policies. Details: https://x";
  fake_.script_next_task(script);
  auto created = submit(veo_request());
  ASSERT_TRUE(created.ok());
  auto failed = status("veo3_fast", created.task_id);
  EXPECT_EQ(failed.state, TaskState::kFailed);
  EXPECT_EQ(failed.error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(failed.error.code, 400);
  EXPECT_EQ(failed.error.user_reason, "the provider's content filter rejected the photo or text");
  EXPECT_TRUE(failed.result_urls.empty());
}

TEST_F(KieClientTest, UpstreamFailureFlagThreeIsPermanentToo) {
  TaskScript script;
  script.end = fakes::TaskEnd::kFail;
  script.veo_fail_flag = 3;
  script.fail_code = 501;
  script.fail_message = "Generation failed upstream.";
  fake_.script_next_task(script);
  auto created = submit(veo_request());
  auto failed = status("veo3_fast", created.task_id);
  EXPECT_EQ(failed.state, TaskState::kFailed);
  EXPECT_EQ(failed.error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(failed.error.user_reason, "generation failed upstream");
}

TEST_F(KieClientTest, MarketFailStateIsPermanentWithFailMsg) {
  TaskScript script;
  script.end = fakes::TaskEnd::kFail;
  script.fail_code = 500;
  script.fail_message = "The image contains sensitive content and was rejected.";
  fake_.script_next_task(script);
  auto created = submit(market_request("kling-2.6/image-to-video"));
  auto failed = status("kling-2.6/image-to-video", created.task_id);
  EXPECT_EQ(failed.state, TaskState::kFailed);
  EXPECT_EQ(failed.error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(failed.error.code, 500);
  EXPECT_EQ(failed.error.user_reason, "the provider's content filter rejected the photo or text");
}

TEST_F(KieClientTest, MalformedBodiesAreTransient) {
  const auto garbage = raw_fault(200, "{\"code\": 200, \"data\": {\"taskId\": ");
  auto create = create_error(KieEndpoint::kVeoGenerate, garbage);
  EXPECT_EQ(create.kind, ErrorClass::kTransient);
  EXPECT_EQ(create.code, 200);

  auto created = submit(veo_request());
  fake_.fail_next(KieEndpoint::kVeoRecord, 1, garbage);
  auto read = status("veo3_fast", created.task_id);
  EXPECT_EQ(read.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(read.state, TaskState::kPending);
}

TEST_F(KieClientTest, SlowOrVanishingAnswersAreTransient) {
  auto options = this->options();
  options.request_timeout = 200ms;
  make_provider(options);
  fake_.delay_next(KieEndpoint::kVeoGenerate, 1, 1500ms);
  auto slow = submit(veo_request());
  EXPECT_EQ(slow.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(slow.error.code, 0);
  EXPECT_NE(slow.error.message.find("timed out"), std::string::npos) << slow.error.message;

  fake_.drop_next(KieEndpoint::kVeoGenerate, 1);
  EXPECT_EQ(submit(veo_request()).error.kind, ErrorClass::kTransient);
}

TEST_F(KieClientTest, MissingRecordRightAfterCreateIsTransient) {
  TaskScript script;
  script.null_record_polls = 1;
  fake_.script_next_task(script);
  auto created = submit(market_request("kling-2.6/image-to-video"));
  auto early = status("kling-2.6/image-to-video", created.task_id);
  EXPECT_EQ(early.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(early.error.code, 422);
  EXPECT_EQ(status("kling-2.6/image-to-video", created.task_id).state, TaskState::kSucceeded);
}

TEST_F(KieClientTest, ExpiredRecordIsPermanent) {
  fake_.fail_next(KieEndpoint::kVeoRecord, 1,
                  body_code(422, "Temporarily supports records within 14 days"));
  EXPECT_EQ(status("veo3_fast", "veo_task_old").error.kind, ErrorClass::kPermanent);
}

TEST_F(KieClientTest, MessageKeyIsReadWhenMsgIsAbsent) {
  auto fault = body_code(500, "resolution is required");
  fault.message_key = true;
  auto error = create_error(KieEndpoint::kMarketCreate, fault);
  EXPECT_EQ(error.kind, ErrorClass::kPermanent);
  EXPECT_NE(error.message.find("resolution is required"), std::string::npos);
}

TEST_F(KieClientTest, NoTaskIsCreatedTwiceForOneSubmit) {
  // A transient failure is handed back, never retried inside: one call, at most one create.
  fake_.fail_next(KieEndpoint::kVeoGenerate, 1, body_code(500, "Internal Error"));
  auto request = veo_request();
  request.callback_url = "https://bot.example.com/kie/callback/job-7?sig=1";
  EXPECT_FALSE(submit(request).ok());
  EXPECT_EQ(fake_.request_count(KieEndpoint::kVeoGenerate), 1u);
  EXPECT_TRUE(submit(request).ok());
  EXPECT_EQ(fake_.request_count(KieEndpoint::kVeoGenerate), 2u);
  EXPECT_EQ(fake_.creates_with_callback_containing("/job-7?"), 1u);
  EXPECT_EQ(fake_.creates_with_prompt(request.generation.prompt), 1u);
}

TEST_F(KieClientTest, TheKeyNeverReachesTheLog) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("kie-test", sink));
  auto options = this->options();
  options.api_key = "kie-secret-that-must-not-leak";
  make_provider(options);
  auto result = submit(veo_request());
  auto read = status("veo3_fast", "veo_task_x");
  spdlog::set_default_logger(previous);

  EXPECT_EQ(result.error.code, 401);
  const auto log = captured.str();
  EXPECT_NE(log.find("job-7"), std::string::npos) << log;
  EXPECT_NE(log.find("401"), std::string::npos) << log;
  EXPECT_EQ(log.find("kie-secret-that-must-not-leak"), std::string::npos) << log;
  EXPECT_EQ(result.error.message.find("kie-secret"), std::string::npos);
  EXPECT_EQ(read.error.message.find("kie-secret"), std::string::npos);
}

// --- uploads and the balance ---

class KieUploadTest : public KieClientTest {
 protected:
  void SetUp() override {
    KieClientTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("nc-kie-upload-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    photo_ = (dir_ / "photo.jpg").string();
    std::ofstream(photo_, std::ios::binary) << photo_bytes_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string photo_;
  const std::string photo_bytes_ = std::string("\xff\xd8\xff\xe0", 4) + std::string(3000, 'j');
};

TEST_F(KieUploadTest, StreamUploadReturnsTheDownloadUrlForThreeDays) {
  const auto before = std::chrono::system_clock::now();
  auto result = run(io_, provider_->upload_image(photo_, "job-7-photo.jpg"));
  ASSERT_TRUE(result.error.ok()) << result.error.message;
  EXPECT_EQ(result.url, fake_.base_url() + "/files/neurocards/job-7-photo.jpg");
  EXPECT_GE(result.expires_at, before + 72h - 1s);
  EXPECT_LE(result.expires_at, std::chrono::system_clock::now() + 72h);

  auto uploads = fake_.requests(KieEndpoint::kUpload);
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].body["uploadPath"], "neurocards");
  EXPECT_EQ(uploads[0].body["fileName"], "job-7-photo.jpg");
  EXPECT_EQ(uploads[0].body["file"]["filename"], "job-7-photo.jpg");
  EXPECT_EQ(uploads[0].body["file"]["size"], photo_bytes_.size());
  EXPECT_EQ(uploads[0].body["file"]["content_type"], "image/jpeg");
  EXPECT_EQ(uploads[0].header("authorization"), "Bearer " + fake_.api_key());
  EXPECT_EQ(uploads[0].header("user-agent"), "NeuroCards/0.1");
  EXPECT_EQ(fakes::http_get(result.url).body, photo_bytes_);
}

TEST_F(KieUploadTest, FileUrlIsTheFallback) {
  fake_.set_upload_url_field("fileUrl");
  auto result = run(io_, provider_->upload_image(photo_, "job-8-photo.jpg"));
  ASSERT_TRUE(result.error.ok()) << result.error.message;
  EXPECT_EQ(result.url, fake_.base_url() + "/files/neurocards/job-8-photo.jpg");
}

TEST_F(KieUploadTest, MissingLocalFileIsPermanentAndSendsNothing) {
  auto result = run(io_, provider_->upload_image((dir_ / "gone.jpg").string(), "gone.jpg"));
  EXPECT_EQ(result.error.kind, ErrorClass::kPermanent);
  EXPECT_TRUE(result.url.empty());
  EXPECT_EQ(fake_.request_count(), 0u);
}

TEST_F(KieUploadTest, UploadErrorsAreClassified) {
  fake_.fail_next(KieEndpoint::kUpload, 1, body_code(500, "Server error"));
  EXPECT_EQ(run(io_, provider_->upload_image(photo_, "a.jpg")).error.kind, ErrorClass::kTransient);
  fake_.fail_next(KieEndpoint::kUpload, 1, body_code(401, "Unauthorized"));
  EXPECT_EQ(run(io_, provider_->upload_image(photo_, "b.jpg")).error.kind, ErrorClass::kOperator);
}

TEST_F(KieClientTest, BalanceIsTheCreditNumber) {
  fake_.set_credits(1234.5);
  EXPECT_EQ(run(io_, provider_->account_balance()), 1234.5);
  auto requests = fake_.requests(KieEndpoint::kCredit);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  fake_.fail_next(KieEndpoint::kCredit, 1, body_code(500, "Internal Error"));
  EXPECT_FALSE(run(io_, provider_->account_balance()).has_value());
}

TEST_F(KieClientTest, CreatesWaitForTheThrottle) {
  // A throttle of 2 per 300 ms: the third create goes out only when the first slot frees.
  CreateLimits limits;
  limits.max_creates = 2;
  limits.window = 300ms;
  LocalCreateThrottle tight(limits);
  KieProvider provider(http_, core::ModelRegistry::defaults(), tight, options());
  auto request = veo_request();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(run(io_, provider.submit(request)).ok());
  auto creates = fake_.requests(KieEndpoint::kVeoGenerate);
  ASSERT_EQ(creates.size(), 3u);
  EXPECT_GE(creates[2].at - start, 300ms);
  EXPECT_LT(creates[1].at - start, 300ms);
}

TEST_F(KieClientTest, EveryExchangeIsReportedWithItsEndpointAndClass) {
  std::vector<std::pair<std::string, std::string>> reported;
  provider_->on_exchange = [&](std::string_view call, std::string_view result) {
    reported.emplace_back(call, result);
  };
  auto created = submit(veo_request());
  ASSERT_TRUE(created.ok());
  status("veo3_fast", created.task_id);
  fake_.set_out_of_credits(true);
  submit(veo_request());
  run(io_, provider_->account_balance());
  EXPECT_EQ(reported,
            (std::vector<std::pair<std::string, std::string>>{
                {"create", "ok"}, {"status", "ok"}, {"create", "operator"}, {"balance", "ok"}}));
  // Checked before sending: nothing went out, nothing is reported.
  auto square = veo_request();
  square.generation.aspect_ratio = "1:1";
  submit(square);
  EXPECT_EQ(reported.size(), 4u);
}

}  // namespace
}  // namespace nc::providers::kie
