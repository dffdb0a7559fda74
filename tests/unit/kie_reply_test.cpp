// KIE answers into error classes (the contract's table, section 2 and 11.3), user reasons, and
// lenient reading of Veo and Market task records.
#include "providers/kie/kie_reply.hpp"

#include <gtest/gtest.h>

#include "providers/kie/kie_records.hpp"

namespace nc::providers::kie {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

struct Case {
  int code;
  const char* message;
  KieCall call;
  ErrorClass expected;
};

TEST(KieReply, EveryCodeOfTheTableHasItsClass) {
  const Case cases[] = {
      {400, "Only English prompts are supported", KieCall::kCreate, ErrorClass::kPermanent},
      {401, "You do not have access permissions", KieCall::kCreate, ErrorClass::kOperator},
      {402, "Credits insufficient", KieCall::kCreate, ErrorClass::kOperator},
      {403, "error code: 1010", KieCall::kStatus, ErrorClass::kOperator},
      {404, "Task not found", KieCall::kStatus, ErrorClass::kPermanent},
      {404, "model not found", KieCall::kCreate, ErrorClass::kOperator},
      {408, "timeout", KieCall::kStatus, ErrorClass::kTransient},
      {422, "Ratio error", KieCall::kCreate, ErrorClass::kPermanent},
      {422, "model name not supported", KieCall::kCreate, ErrorClass::kOperator},
      {422, "recordInfo is null", KieCall::kStatus, ErrorClass::kTransient},
      {422, "record is null", KieCall::kStatus, ErrorClass::kTransient},
      {422, "recordInfo is null", KieCall::kCreate, ErrorClass::kPermanent},
      {422, "Temporarily supports records within 14 days", KieCall::kStatus,
       ErrorClass::kPermanent},
      {429, "Too many requests", KieCall::kCreate, ErrorClass::kTransient},
      {433, "sub-key usage exceeds its cap", KieCall::kCreate, ErrorClass::kOperator},
      {451, "Failed to fetch the image", KieCall::kCreate, ErrorClass::kPermanent},
      {455, "Service maintenance", KieCall::kCreate, ErrorClass::kTransient},
      {500, "Internal Error", KieCall::kCreate, ErrorClass::kTransient},
      {500, "duration is not within the range of allowed options", KieCall::kCreate,
       ErrorClass::kPermanent},
      {500, "resolution is required", KieCall::kCreate, ErrorClass::kPermanent},
      {501, "Generation failed", KieCall::kStatus, ErrorClass::kPermanent},
      {502, "Bad Gateway", KieCall::kCreate, ErrorClass::kTransient},
      {503, "", KieCall::kBalance, ErrorClass::kTransient},
      {505, "Feature disabled", KieCall::kCreate, ErrorClass::kOperator},
      {405, "Method not allowed", KieCall::kUpload, ErrorClass::kPermanent},
  };
  for (const auto& c : cases) {
    auto error = classify_code(c.code, c.message, c.call);
    EXPECT_EQ(error.kind, c.expected) << c.code << " " << c.message;
    EXPECT_EQ(error.code, c.code);
    EXPECT_FALSE(error.user_reason.empty()) << c.code;
  }
  EXPECT_EQ(classify_code(455, "maintenance", KieCall::kCreate).retry_after, 120s);
  EXPECT_EQ(classify_code(400, "Only English prompts are supported", KieCall::kCreate).user_reason,
            kReasonEnglishOnly);
}

TEST(KieReply, UserReasonsArePlainSentences) {
  EXPECT_EQ(user_reason_for("Your content was flagged as violating content policies."),
            "the provider's content filter rejected the photo or text");
  EXPECT_EQ(user_reason_for("The request was rejected by Flow(public_error_minor_upload)."),
            kReasonContentFilter);
  EXPECT_EQ(user_reason_for("Image fetch failed, please check the URL"), kReasonImageFetch);
  EXPECT_EQ(user_reason_for("Video generation timed out.\n"), "video generation timed out");
  EXPECT_EQ(user_reason_for(""), kReasonGenerationFailed);
  EXPECT_EQ(user_reason_for("Error at https://internal.example/trace"), kReasonGenerationFailed);
  EXPECT_EQ(user_reason_for("{\"detail\": \"boom\"}"), kReasonGenerationFailed);
  EXPECT_EQ(user_reason_for("生成失败"), kReasonGenerationFailed);
  EXPECT_EQ(user_reason_for(std::string(200, 'a')), kReasonGenerationFailed);
}

TEST(KieReply, RetryAfterTakesSecondsOnly) {
  EXPECT_EQ(parse_retry_after("7"), 7s);
  EXPECT_EQ(parse_retry_after(" 30 "), 30s);
  EXPECT_EQ(parse_retry_after("999999"), 3600s);
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(parse_retry_after("-1").has_value());
  EXPECT_FALSE(parse_retry_after("").has_value());
}

net::HttpResponse http(long status, std::string body) {
  net::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(KieReply, EnvelopeAndStatusAreBothChecked) {
  auto ok = read_reply(http(200, R"({"code":200,"msg":"success","data":{"taskId":"t1"}})"),
                       KieCall::kCreate);
  EXPECT_TRUE(ok.error.ok());
  EXPECT_EQ(ok.data["taskId"], "t1");

  auto body_error =
      read_reply(http(200, R"({"code":402,"msg":"Credits insufficient"})"), KieCall::kCreate);
  EXPECT_EQ(body_error.error.kind, ErrorClass::kOperator);
  EXPECT_EQ(body_error.error.code, 402);

  auto string_code =
      read_reply(http(200, R"({"code":"455","message":"maintenance"})"), KieCall::kStatus);
  EXPECT_EQ(string_code.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(string_code.error.code, 455);

  // HTTP status wins when the body has nothing better to say.
  auto http_only = read_reply(http(503, "Service Unavailable"), KieCall::kStatus);
  EXPECT_EQ(http_only.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(http_only.error.code, 503);
  auto validation =
      read_reply(http(500, R"({"code":500,"msg":"resolution is required"})"), KieCall::kCreate);
  EXPECT_EQ(validation.error.kind, ErrorClass::kPermanent);

  auto no_code = read_reply(http(200, R"({"data":{"taskId":"t1"}})"), KieCall::kCreate);
  EXPECT_EQ(no_code.error.kind, ErrorClass::kTransient);
  auto not_json = read_reply(http(200, "<html>hello</html>"), KieCall::kCreate);
  EXPECT_EQ(not_json.error.kind, ErrorClass::kTransient);

  net::HttpResponse refused;
  refused.error = "Connection refused";
  auto network = read_reply(refused, KieCall::kCreate);
  EXPECT_EQ(network.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(network.error.code, 0);

  auto limited = http(429, R"({"code":429,"msg":"slow down"})");
  limited.headers.emplace_back("retry-after", "12");
  EXPECT_EQ(read_reply(limited, KieCall::kCreate).error.retry_after, 12s);
}

TEST(KieRecords, VeoFlagsAndBothUrlShapes) {
  EXPECT_EQ(read_veo_record(json::parse(R"({"successFlag":0})")).state, TaskState::kPending);

  auto done = read_veo_record(json::parse(
      R"({"successFlag":1,"response":{"resultUrls":["https://t.example/v/aa11.mp4"]}})"));
  EXPECT_EQ(done.state, TaskState::kSucceeded);
  EXPECT_EQ(done.result_urls, std::vector<std::string>{"https://t.example/v/aa11.mp4"});

  // One schema types info.resultUrls as a string holding an array.
  auto stringly = read_veo_record(json::parse(
      R"({"successFlag":1,"response":null,"info":{"resultUrls":"[\"https://t.example/b.mp4\"]"}})"));
  EXPECT_EQ(stringly.result_urls, std::vector<std::string>{"https://t.example/b.mp4"});

  auto failed = read_veo_record(json::parse(
      R"({"successFlag":3,"errorCode":501,"errorMessage":"Upstream generation failed"})"));
  EXPECT_EQ(failed.state, TaskState::kFailed);
  EXPECT_EQ(failed.error.kind, ErrorClass::kPermanent);
  EXPECT_EQ(failed.error.code, 501);
  EXPECT_EQ(failed.error.user_reason, "upstream generation failed");

  auto empty = read_veo_record(json::parse(R"({"successFlag":1,"response":{"resultUrls":[]}})"));
  EXPECT_EQ(empty.state, TaskState::kPending);
  EXPECT_EQ(empty.error.kind, ErrorClass::kTransient);
  EXPECT_EQ(read_veo_record(json::parse("{}")).error.kind, ErrorClass::kTransient);
  EXPECT_EQ(read_veo_record(json::parse(R"({"successFlag":9})")).error.kind,
            ErrorClass::kTransient);
}

TEST(KieRecords, MarketStatesAndResultJsonEitherWay) {
  for (const char* state : {"waiting", "queuing", "generating"}) {
    json data = {{"state", state}};
    auto status = read_market_record(data);
    EXPECT_EQ(status.state, TaskState::kPending) << state;
    EXPECT_TRUE(status.error.ok()) << state;
  }
  auto as_string = read_market_record(json::parse(
      R"({"state":"success","resultJson":"{\"resultUrls\":[\"https://t.example/k/bb22.mp4\"]}"})"));
  EXPECT_EQ(as_string.result_urls, std::vector<std::string>{"https://t.example/k/bb22.mp4"});
  auto as_object = read_market_record(json::parse(
      R"({"state":"success","resultJson":{"resultUrls":["https://t.example/k/cc33.mp4"]}})"));
  EXPECT_EQ(as_object.result_urls, std::vector<std::string>{"https://t.example/k/cc33.mp4"});

  auto failed = read_market_record(
      json::parse(R"({"state":"fail","failCode":"500","failMsg":"Internal error"})"));
  EXPECT_EQ(failed.state, TaskState::kFailed);
  EXPECT_EQ(failed.error.code, 500);
  EXPECT_EQ(failed.error.user_reason, "internal error");

  EXPECT_EQ(
      read_market_record(json::parse(R"({"state":"success","resultJson":"not json"})")).error.kind,
      ErrorClass::kTransient);
  EXPECT_EQ(read_market_record(json::parse(R"({"state":"exploded"})")).error.kind,
            ErrorClass::kTransient);
}

TEST(KieRecords, UrlListsAcceptOnlyHttpUrls) {
  EXPECT_EQ(read_url_list(json::parse(R"(["https://a/1.mp4", 3, "ftp://b", "http://c/2.mp4"])")),
            (std::vector<std::string>{"https://a/1.mp4", "http://c/2.mp4"}));
  EXPECT_EQ(read_url_list("https://a/1.mp4"), std::vector<std::string>{"https://a/1.mp4"});
  EXPECT_TRUE(read_url_list("javascript:alert(1)").empty());
  EXPECT_TRUE(read_url_list(json()).empty());
}

}  // namespace
}  // namespace nc::providers::kie
