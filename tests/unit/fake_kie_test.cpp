// Tests of the fake KIE itself, driven with plain HTTP: KIE's checks and answers, task state
// sequences, the create limit, expiring result URLs, callbacks and the fault knobs.
#include "fakes/fake_kie.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "fakes/http_client.hpp"
#include "fakes/server_thread.hpp"
#include "kie_test_support.hpp"
#include "providers/kie/callback.hpp"

namespace nc::fakes {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

class KieFakeTest : public ::testing::Test {
 protected:
  explicit KieFakeTest(FakeKieOptions options = {}) : fake_(std::move(options)) {}
  void SetUp() override { fake_.start(); }

  HttpResult call(const std::string& method, const std::string& target, const json& body = nullptr,
                  std::string key = {}) {
    HttpCall request;
    request.method = method;
    request.url = fake_.base_url() + target;
    request.headers.emplace_back("Authorization",
                                 "Bearer " + (key.empty() ? fake_.api_key() : key));
    if (!body.is_null()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body.dump();
    }
    return http_call_sync(std::move(request));
  }
  json envelope(const HttpResult& result) { return json::parse(result.body, nullptr, false); }

  json create_veo(json body) { return envelope(call("POST", "/api/v1/veo/generate", body)); }
  json create_market(json body) { return envelope(call("POST", "/api/v1/jobs/createTask", body)); }
  json veo_record(const std::string& id) {
    return envelope(call("GET", "/api/v1/veo/record-info?taskId=" + id));
  }
  json market_record(const std::string& id) {
    return envelope(call("GET", "/api/v1/jobs/recordInfo?taskId=" + id));
  }

  static json veo_body() {
    return {{"prompt", "Slow orbit around a bottle"},
            {"model", "veo3_fast"},
            {"imageUrls", json::array({"https://files.example/p.jpg"})},
            {"aspect_ratio", "9:16"}};
  }
  static json kling_body() {
    json input = {{"prompt", "Push in on the sneaker"},
                  {"image_urls", json::array({"https://files.example/p.jpg"})},
                  {"sound", false},
                  {"duration", "5"}};
    return {{"model", "kling-2.6/image-to-video"}, {"input", input}};
  }

  FakeKie fake_;
};

TEST_F(KieFakeTest, MarketTaskRunsWaitingQueuingGeneratingThenSuccess) {
  TaskScript script;
  script.pending_polls = 3;
  fake_.script_next_task(script);
  auto created = create_market(kling_body());
  ASSERT_EQ(created["code"], 200);
  const auto id = created["data"]["taskId"].get<std::string>();
  EXPECT_TRUE(id.starts_with("task_kling-2.6_"));

  std::vector<std::string> states;
  json last;
  for (int poll = 0; poll < 4; ++poll) {
    last = market_record(id);
    ASSERT_EQ(last["code"], 200);
    states.push_back(last["data"]["state"]);
  }
  EXPECT_EQ(states, (std::vector<std::string>{"waiting", "queuing", "generating", "success"}));
  const auto& data = last["data"];
  EXPECT_EQ(data["model"], "kling-2.6/image-to-video");
  EXPECT_EQ(data["failCode"], "");
  ASSERT_TRUE(data["resultJson"].is_string());  // a string holding JSON, as KIE sends it
  auto result = json::parse(data["resultJson"].get<std::string>());
  ASSERT_EQ(result["resultUrls"].size(), 1u);
  EXPECT_EQ(json::parse(data["param"].get<std::string>()), kling_body());

  auto video = http_get(result["resultUrls"][0]);
  EXPECT_EQ(video.status, 200);
  EXPECT_EQ(video.header("content-type"), "video/mp4");
  EXPECT_EQ(video.body.substr(4, 8), "ftypisom");
}

TEST_F(KieFakeTest, VeoTaskFlagsZeroThenOneOrFailure) {
  TaskScript script;
  script.pending_polls = 1;
  fake_.script_next_task(script);
  TaskScript failing;
  failing.end = TaskEnd::kFail;
  failing.veo_fail_flag = 3;
  failing.fail_code = 501;
  failing.fail_message = "Generation failed";
  fake_.script_next_task(failing);

  const auto good = create_veo(veo_body())["data"]["taskId"].get<std::string>();
  const auto bad = create_veo(veo_body())["data"]["taskId"].get<std::string>();
  EXPECT_TRUE(good.starts_with("veo_task_"));
  EXPECT_NE(good, bad);

  EXPECT_EQ(veo_record(good)["data"]["successFlag"], 0);
  auto done = veo_record(good)["data"];
  EXPECT_EQ(done["successFlag"], 1);
  EXPECT_EQ(done["response"]["resultUrls"].size(), 1u);
  EXPECT_EQ(done["response"]["resolution"], "720p");
  EXPECT_TRUE(done["errorCode"].is_null());

  auto failed = veo_record(bad)["data"];
  EXPECT_EQ(failed["successFlag"], 3);
  EXPECT_EQ(failed["errorCode"], 501);
  EXPECT_EQ(failed["errorMessage"], "Generation failed");
  EXPECT_TRUE(failed["response"].is_null());

  // Each family's record endpoint knows only its own tasks.
  EXPECT_EQ(market_record(good)["code"], 422);
  EXPECT_EQ(market_record(good)["msg"], "recordInfo is null");
  EXPECT_EQ(veo_record("veo_task_unknown")["msg"], "record is null");
}

TEST_F(KieFakeTest, TaskThatNeverFinishesStaysPending) {
  TaskScript never;
  never.end = TaskEnd::kNever;
  fake_.set_default_script(never);
  const auto id = create_market(kling_body())["data"]["taskId"].get<std::string>();
  for (int poll = 0; poll < 6; ++poll)
    EXPECT_NE(market_record(id)["data"]["state"], "success");
  EXPECT_EQ(market_record(id)["data"]["state"], "generating");
}

TEST_F(KieFakeTest, TaskFinishesByTimeWhenScriptedSo) {
  TaskScript timed;
  timed.finish_after = 400ms;
  fake_.script_next_task(timed);
  const auto created = std::chrono::steady_clock::now();
  const auto id = create_veo(veo_body())["data"]["taskId"].get<std::string>();
  EXPECT_EQ(veo_record(id)["data"]["successFlag"], 0);  // reads do not move a timed task
  EXPECT_EQ(veo_record(id)["data"]["successFlag"], 0);
  std::this_thread::sleep_until(created + 450ms);
  EXPECT_EQ(veo_record(id)["data"]["successFlag"], 1);
}

TEST_F(KieFakeTest, MoreThanTwentyCreatesInTenSecondsGet429AndAreNotQueued) {
  for (int i = 0; i < 20; ++i) {
    auto body = i % 2 ? veo_body() : kling_body();
    auto answer = i % 2 ? create_veo(body) : create_market(body);
    ASSERT_EQ(answer["code"], 200) << i;
  }
  auto over = call("POST", "/api/v1/veo/generate", veo_body());
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(envelope(over)["code"], 429);
  ASSERT_TRUE(over.header("retry-after").has_value());
  const int retry_after = std::stoi(*over.header("retry-after"));
  EXPECT_GE(retry_after, 9);
  EXPECT_LE(retry_after, 10);
  EXPECT_EQ(fake_.create_count(), 20u);
  EXPECT_EQ(fake_.credits(), 10'000 - 20 * 10);
  // Reading is not limited.
  EXPECT_EQ(call("GET", "/api/v1/chat/credit").status, 200);
}

class KieFakeShortWindowTest : public KieFakeTest {
 protected:
  static FakeKieOptions short_window() {
    FakeKieOptions options;
    options.create_limit = 2;
    options.create_window = 400ms;
    return options;
  }
  KieFakeShortWindowTest() : KieFakeTest(short_window()) {}
};

TEST_F(KieFakeShortWindowTest, TheWindowSlides) {
  EXPECT_EQ(create_veo(veo_body())["code"], 200);
  EXPECT_EQ(create_veo(veo_body())["code"], 200);
  EXPECT_EQ(create_veo(veo_body())["code"], 429);
  std::this_thread::sleep_for(450ms);
  EXPECT_EQ(create_veo(veo_body())["code"], 200);
  EXPECT_EQ(fake_.create_count(), 3u);
}

class KieFakeExpiringTest : public KieFakeTest {
 protected:
  static FakeKieOptions expiring() {
    FakeKieOptions options;
    options.result_ttl = 300ms;
    return options;
  }
  KieFakeExpiringTest() : KieFakeTest(expiring()) {}
};

TEST_F(KieFakeExpiringTest, ResultUrlsExpire) {
  const auto id = create_veo(veo_body())["data"]["taskId"].get<std::string>();
  const auto url = veo_record(id)["data"]["response"]["resultUrls"][0].get<std::string>();
  EXPECT_EQ(http_get(url).status, 200);
  std::this_thread::sleep_for(350ms);
  auto stale = http_get(url);
  EXPECT_EQ(stale.status, 403);
  EXPECT_NE(stale.body.find("AccessDenied"), std::string::npos);
  EXPECT_EQ(http_get(fake_.base_url() + "/results/" + id + "/7.mp4").status, 404);
}

TEST_F(KieFakeTest, ResultServesTheScriptedFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("nc-fake-kie-video-" + std::to_string(::getpid()) + ".mp4");
  std::ofstream(path, std::ios::binary) << "a real video would be here";
  TaskScript script;
  script.video = path;
  script.result_count = 2;
  fake_.script_next_task(script);
  const auto id = create_veo(veo_body())["data"]["taskId"].get<std::string>();
  auto urls = veo_record(id)["data"]["response"]["resultUrls"];
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(http_get(urls[0]).body, "a real video would be here");
  EXPECT_EQ(http_get(urls[1]).body, "a real video would be here");
  std::filesystem::remove(path);
}

TEST_F(KieFakeTest, ExpireFlagTurnsEveryResultUrlAway) {
  const auto id = create_veo(veo_body())["data"]["taskId"].get<std::string>();
  const auto url = veo_record(id)["data"]["response"]["resultUrls"][0].get<std::string>();
  fake_.expire_results();
  EXPECT_EQ(http_get(url).status, 403);
  fake_.expire_results(false);
  EXPECT_EQ(http_get(url).status, 200);
}

TEST_F(KieFakeTest, CloudflareAndKeyChecks) {
  const auto port = kie_testing::port_of(fake_.base_url());
  auto bare = kie_testing::raw_http(
      port, "GET /api/v1/chat/credit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                fake_.api_key() + "\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(bare.starts_with("HTTP/1.1 403")) << bare;
  EXPECT_TRUE(bare.ends_with("\r\n\r\nerror code: 1010")) << bare;

  auto curl = kie_testing::raw_http(
      port,
      "GET /api/v1/chat/credit HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/7.88.1\r\n"
      "Authorization: Bearer " +
          fake_.api_key() + "\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(curl.starts_with("HTTP/1.1 403")) << curl;
  EXPECT_TRUE(curl.ends_with("\r\n\r\nerror code: 1010")) << curl;

  auto wrong_key = call("GET", "/api/v1/chat/credit", nullptr, "kie-wrong");
  EXPECT_EQ(wrong_key.status, 200);
  EXPECT_EQ(envelope(wrong_key)["code"], 401);
  EXPECT_EQ(envelope(wrong_key)["msg"], "You do not have access permissions");

  auto credit = envelope(call("GET", "/api/v1/chat/credit"));
  EXPECT_EQ(credit["code"], 200);
  EXPECT_EQ(credit["data"], 10'000.0);
}

TEST_F(KieFakeTest, VeoRatioChecks) {
  auto square = veo_body();
  square["aspect_ratio"] = "1:1";
  auto refused = create_veo(square);
  EXPECT_EQ(refused["code"], 422);
  EXPECT_EQ(refused["msg"], "Ratio error");
  auto lower_auto = veo_body();
  lower_auto["aspect_ratio"] = "auto";  // case-sensitive: only "Auto"
  EXPECT_EQ(create_veo(lower_auto)["msg"], "Ratio error");

  auto missing = veo_body();
  missing.erase("aspect_ratio");
  EXPECT_EQ(create_veo(missing)["code"], 200);
  auto camel = veo_body();
  camel.erase("aspect_ratio");
  camel["aspectRatio"] = "9:16";
  EXPECT_EQ(create_veo(camel)["code"], 200);

  auto tasks = fake_.created_tasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].aspect_field, "");  // recorded: Veo renders its default
  EXPECT_EQ(tasks[0].aspect_ratio, "16:9");
  EXPECT_EQ(tasks[1].aspect_field, "aspectRatio");
  EXPECT_EQ(tasks[1].aspect_ratio, "9:16");
}

TEST_F(KieFakeTest, MarketValidationAnswersLikeKie) {
  json seedance = {{"model", "bytedance/seedance-1.5-pro"},
                   {"input", {{"prompt", "p"}, {"aspect_ratio", "2:1"}}}};
  auto ratio = create_market(seedance);
  EXPECT_EQ(ratio["code"], 500);
  EXPECT_EQ(ratio["msg"], "This aspect_ratio is not within the range of allowed options");
  seedance["input"]["aspect_ratio"] = "9:16";
  EXPECT_EQ(create_market(seedance)["code"], 200);
  EXPECT_EQ(fake_.created_tasks().back().aspect_ratio, "9:16");

  json flux = {{"model", "flux-2/pro-image-to-image"},
               {"input",
                {{"prompt", "p"},
                 {"input_urls", json::array({"https://f/p.jpg"})},
                 {"aspect_ratio", "9:16"}}}};
  EXPECT_EQ(create_market(flux)["msg"], "resolution is required");

  auto number = kling_body();
  number["input"]["duration"] = 5;  // documented as a string
  EXPECT_EQ(create_market(number)["msg"],
            "This duration is not within the range of allowed options");
  auto extra = kling_body();
  extra["input"]["aspect_ratio"] = "9:16";
  auto unknown_key = create_market(extra);
  EXPECT_EQ(unknown_key["code"], 422);
  EXPECT_EQ(unknown_key["msg"], "Unsupported parameter: aspect_ratio");
  auto model = kling_body();
  model["model"] = "kling-9/video";
  EXPECT_EQ(create_market(model)["msg"], "model name not supported");
  auto local_image = kling_body();
  local_image["input"]["image_urls"] = json::array({"file:///etc/passwd"});
  EXPECT_EQ(create_market(local_image)["code"], 451);
  EXPECT_EQ(fake_.create_count(), 1u);
}

TEST_F(KieFakeTest, FaultKnobsApplyToTheNextCalls) {
  KieFault fault;
  fault.code = 500;
  fault.msg = "Internal Error";
  fake_.fail_next(KieEndpoint::kVeoGenerate, 2, fault);
  EXPECT_EQ(create_veo(veo_body())["code"], 500);
  EXPECT_EQ(create_market(kling_body())["code"], 200);  // another endpoint
  EXPECT_EQ(create_veo(veo_body())["code"], 500);
  EXPECT_EQ(create_veo(veo_body())["code"], 200);

  KieFault limited;
  limited.http_status = 429;
  limited.code = 429;
  limited.msg = "slow down";
  limited.message_key = true;
  limited.retry_after = 3;
  fake_.fail_next(KieEndpoint::kAny, 1, limited);
  auto answer = call("GET", "/api/v1/chat/credit");
  EXPECT_EQ(answer.status, 429);
  EXPECT_EQ(answer.header("retry-after"), "3");
  EXPECT_EQ(envelope(answer)["message"], "slow down");

  fake_.delay_next(KieEndpoint::kCredit, 1, 150ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(call("GET", "/api/v1/chat/credit").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);

  fake_.drop_next(KieEndpoint::kCredit, 1);
  auto dropped = call("GET", "/api/v1/chat/credit");
  EXPECT_EQ(dropped.status, 0);
  EXPECT_FALSE(dropped.error.empty());
  EXPECT_EQ(call("GET", "/api/v1/chat/credit").status, 200);
}

TEST_F(KieFakeTest, OutOfCreditsAndTheBalance) {
  EXPECT_EQ(create_veo(veo_body())["code"], 200);
  EXPECT_EQ(envelope(call("GET", "/api/v1/chat/credit"))["data"], 9'990.0);
  fake_.set_out_of_credits(true);
  EXPECT_EQ(create_veo(veo_body())["code"], 402);
  fake_.set_out_of_credits(false);
  fake_.set_credits(5);
  EXPECT_EQ(create_market(kling_body())["code"], 402);
  EXPECT_EQ(fake_.create_count(), 1u);
}

TEST_F(KieFakeTest, RecordsEveryRequestWithItsAnswer) {
  auto body = veo_body();
  body["callBackUrl"] = "https://bot.example.com/kie/callback/job-9?sig=s";
  create_veo(body);
  call("GET", "/api/v1/nothing-here");
  auto recorded = fake_.requests();
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].endpoint, KieEndpoint::kVeoGenerate);
  EXPECT_EQ(recorded[0].body, body);
  EXPECT_EQ(recorded[0].code, 200);
  EXPECT_EQ(recorded[0].header("Authorization"), "Bearer " + fake_.api_key());
  EXPECT_EQ(recorded[1].endpoint, KieEndpoint::kOther);
  EXPECT_EQ(recorded[1].http_status, 404);
  EXPECT_EQ(fake_.creates_with_callback_containing("/job-9?"), 1u);
  EXPECT_EQ(fake_.creates_with_prompt("Slow orbit around a bottle"), 1u);
  EXPECT_EQ(fake_.creates_with_prompt("something else"), 0u);
}

TEST_F(KieFakeTest, UploadNeedsFileAndPath) {
  HttpCall upload;
  upload.method = "POST";
  upload.url = fake_.base_url() + "/api/file-stream-upload";
  upload.headers.emplace_back("Authorization", "Bearer " + fake_.api_key());
  upload.headers.emplace_back("Content-Type", "multipart/form-data; boundary=XyZ");
  upload.body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\nJPEGDATA\r\n--XyZ--\r\n";
  auto missing_path = json::parse(http_call_sync(upload).body);
  EXPECT_EQ(missing_path["code"], 400);
  EXPECT_EQ(missing_path["msg"], "Missing required parameter: uploadPath");

  upload.body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\nJPEGDATA\r\n"
      "--XyZ\r\nContent-Disposition: form-data; "
      "name=\"uploadPath\"\r\n\r\nneurocards\r\n--XyZ--\r\n";
  auto stored = json::parse(http_call_sync(upload).body);
  EXPECT_EQ(stored["code"], 200);
  EXPECT_EQ(stored["success"], true);
  EXPECT_EQ(stored["data"]["fileSize"], 8);
  EXPECT_EQ(stored["data"]["downloadUrl"], fake_.base_url() + "/files/neurocards/a.jpg");
  EXPECT_EQ(http_get(stored["data"]["downloadUrl"]).body, "JPEGDATA");
  EXPECT_EQ(fake_.uploaded_files(), std::vector<std::string>{"neurocards/a.jpg"});
}

// A callback receiver on its own thread, answering with a chosen status.
class Receiver {
 public:
  explicit Receiver(int status = 200) : status_(status) {
    server_.server().route(
        "POST", "/kie/callback/",
        [this](net::HttpServerRequest request) -> asio::awaitable<net::HttpServerResponse> {
          {
            std::lock_guard lock(mutex_);
            bodies_.push_back(json::parse(request.body, nullptr, false));
          }
          net::HttpServerResponse response;
          response.status = status_;
          co_return response;
        });
    server_.start();
  }
  std::string url(const std::string& job) const { return server_.url() + "/kie/callback/" + job; }
  std::vector<json> bodies() const {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  int status_;
  mutable std::mutex mutex_;
  std::vector<json> bodies_;
  ServerThread server_;
};

TEST_F(KieFakeTest, FinishNowEndsARunningTaskAndCallsBack) {
  Receiver receiver;
  TaskScript never;
  never.end = TaskEnd::kNever;
  fake_.set_default_script(never);
  auto body = veo_body();
  body["callBackUrl"] = receiver.url("job-now");
  const auto id = create_veo(body)["data"]["taskId"].get<std::string>();
  EXPECT_EQ(veo_record(id)["data"]["successFlag"], 0);
  EXPECT_FALSE(fake_.finished_at(id));
  const auto before = std::chrono::steady_clock::now();
  fake_.finish_now(id);
  ASSERT_TRUE(fake_.wait_for_callbacks(1, 3s));
  EXPECT_EQ(veo_record(id)["data"]["successFlag"], 1);
  const auto finished = fake_.finished_at(id);
  ASSERT_TRUE(finished);
  EXPECT_GE(*finished, before);
  EXPECT_EQ(fake_.callback_deliveries().front().task_id, id);
  fake_.finish_now(id);  // already finished: nothing more happens
  fake_.finish_now("veo_task_unknown");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(fake_.callback_deliveries().size(), 1u);
}

TEST_F(KieFakeTest, CallbacksGoOutOnceTwiceOrNever) {
  Receiver receiver;
  TaskScript once;
  once.finish_after = 20ms;
  TaskScript twice = once;
  twice.callback = CallbackMode::kTwice;
  TaskScript dropped = once;
  dropped.callback = CallbackMode::kDrop;
  fake_.script_next_task(once);
  fake_.script_next_task(twice);
  fake_.script_next_task(dropped);

  auto body = veo_body();
  body["callBackUrl"] = receiver.url("job-1");
  const auto first = create_veo(body)["data"]["taskId"].get<std::string>();
  auto market = kling_body();
  market["callBackUrl"] = receiver.url("job-2");
  const auto second = create_market(market)["data"]["taskId"].get<std::string>();
  body["callBackUrl"] = receiver.url("job-3");
  create_veo(body);

  ASSERT_TRUE(fake_.wait_for_callbacks(3, 3s));
  std::this_thread::sleep_for(100ms);  // nothing more is coming
  auto deliveries = fake_.callback_deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  std::map<std::string, int> per_task;
  for (const auto& delivered : bodies) {
    auto hint = providers::kie::parse_callback(delivered.dump());
    ASSERT_TRUE(hint.ok());
    EXPECT_TRUE(hint->looks_done);
    ++per_task[hint->task_id];
  }
  EXPECT_EQ(per_task[first], 1);
  EXPECT_EQ(per_task[second], 2);
  EXPECT_EQ(per_task.size(), 2u);

  for (const auto& delivered : bodies) {
    if (delivered["data"]["taskId"] == first) {
      EXPECT_EQ(delivered["code"], 200);
      EXPECT_EQ(delivered["data"]["info"]["resultUrls"].size(), 1u);
    } else {
      EXPECT_EQ(delivered["msg"], "Playground task completed successfully.");
      EXPECT_EQ(delivered["data"]["state"], "success");
      EXPECT_TRUE(delivered["data"]["resultJson"].is_string());
    }
  }
}

TEST_F(KieFakeTest, FailedDeliveriesAreTriedThreeTimes) {
  Receiver broken(500);
  TaskScript failing;
  failing.end = TaskEnd::kFail;
  failing.fail_code = 400;
  failing.fail_message = "flagged";
  fake_.script_next_task(failing);
  auto body = veo_body();
  body["callBackUrl"] = broken.url("job-4");
  const auto id = create_veo(body)["data"]["taskId"].get<std::string>();
  EXPECT_EQ(veo_record(id)["data"]["successFlag"], 2);  // the read that ends it sends it
  ASSERT_TRUE(fake_.wait_for_callbacks(3, 3s));
  std::this_thread::sleep_for(150ms);
  auto deliveries = fake_.callback_deliveries();
  ASSERT_EQ(deliveries.size(), 3u);
  EXPECT_EQ(deliveries[2].attempt, 3);
  EXPECT_EQ(deliveries[2].status, 500);
  EXPECT_EQ(deliveries[0].body["code"], 400);
  EXPECT_EQ(deliveries[0].body["msg"], "flagged");
  EXPECT_FALSE(deliveries[0].body["data"].contains("info"));
}

class KieFakeSignedTest : public KieFakeTest {
 protected:
  static FakeKieOptions signed_options() {
    FakeKieOptions options;
    options.webhook_hmac_key = "whk-secret";
    return options;
  }
  KieFakeSignedTest() : KieFakeTest(signed_options()) {}
};

TEST_F(KieFakeSignedTest, DelayedCallbackIsSigned) {
  Receiver receiver;
  TaskScript script;
  script.callback_delay = 150ms;
  fake_.script_next_task(script);
  auto body = veo_body();
  body["callBackUrl"] = receiver.url("job-5");
  const auto id = create_veo(body)["data"]["taskId"].get<std::string>();
  const auto finished = std::chrono::steady_clock::now();
  veo_record(id);
  ASSERT_TRUE(fake_.wait_for_callbacks(1, 3s));
  EXPECT_GE(std::chrono::steady_clock::now() - finished, 150ms);
  auto delivery = fake_.callback_deliveries().at(0);
  std::string timestamp;
  std::string signature;
  for (const auto& [name, value] : delivery.headers) {
    if (name == "X-Webhook-Timestamp") timestamp = value;
    if (name == "X-Webhook-Signature") signature = value;
  }
  EXPECT_TRUE(providers::kie::verify_kie_signature(id, timestamp, signature, "whk-secret",
                                                   std::chrono::system_clock::now()));
  EXPECT_FALSE(providers::kie::verify_kie_signature(id, timestamp, signature, "other",
                                                    std::chrono::system_clock::now()));
}

}  // namespace
}  // namespace nc::fakes
