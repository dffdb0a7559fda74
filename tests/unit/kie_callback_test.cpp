// KIE callback bodies (Veo, Market, Runway-style and top-level task ids) and the signatures
// on our callback URLs and on KIE's signed webhooks.
#include <gtest/gtest.h>

#include "providers/kie/callback.hpp"

namespace nc::providers::kie {
namespace {

using namespace std::chrono_literals;

TEST(KieCallback, VeoSuccessAndFailure) {
  auto success = parse_callback(R"({"code":200,"msg":"Veo3 video generated successfully.",
      "data":{"taskId":"veo_task_abcdef123456","info":{"resultUrls":["https://x/a.mp4"]},
      "fallbackFlag":false}})");
  ASSERT_TRUE(success.ok());
  EXPECT_EQ(success->task_id, "veo_task_abcdef123456");
  EXPECT_TRUE(success->looks_done);

  auto failure = parse_callback(
      R"({"code":400,"msg":"Your prompt was flagged","data":{"taskId":"veo_task_2"}})");
  ASSERT_TRUE(failure.ok());
  EXPECT_EQ(failure->task_id, "veo_task_2");
  EXPECT_TRUE(failure->looks_done);
}

TEST(KieCallback, MarketStates) {
  auto success = parse_callback(R"({"code":200,"msg":"Playground task completed successfully.",
      "data":{"taskId":"task_kling-2.6_1765182405025","state":"success",
      "resultJson":"{\"resultUrls\":[\"https://x/b.mp4\"]}","consumeCredits":55}})");
  ASSERT_TRUE(success.ok());
  EXPECT_EQ(success->task_id, "task_kling-2.6_1765182405025");
  EXPECT_TRUE(success->looks_done);

  auto failed = parse_callback(
      R"({"code":501,"msg":"Playground task failed.","data":{"taskId":"t3","state":"fail"}})");
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->looks_done);

  auto progress =
      parse_callback(R"({"code":200,"data":{"taskId":"t4","state":"generating","progress":40}})");
  ASSERT_TRUE(progress.ok());
  EXPECT_FALSE(progress->looks_done);
}

TEST(KieCallback, TaskIdFallbacks) {
  auto snake = parse_callback(R"({"code":200,"data":{"task_id":"runway_1","video_url":"x"}})");
  ASSERT_TRUE(snake.ok());
  EXPECT_EQ(snake->task_id, "runway_1");

  auto top = parse_callback(R"({"taskId":"top_1","code":200})");
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->task_id, "top_1");

  // data.taskId wins over the others.
  auto both = parse_callback(R"({"taskId":"top","data":{"task_id":"snake","taskId":"camel"}})");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->task_id, "camel");
}

TEST(KieCallback, JunkIsRefusedWithAReason) {
  EXPECT_EQ(parse_callback("").error().code, "invalid_json");
  EXPECT_EQ(parse_callback("[1,2]").error().code, "invalid_json");
  EXPECT_EQ(parse_callback(R"({"code":200,"data":{}})").error().code, "no_task_id");
  EXPECT_EQ(parse_callback(R"({"data":{"taskId":""}})").error().code, "no_task_id");
  EXPECT_EQ(parse_callback(std::string(2000, '[')).error().code, "invalid_json");
}

TEST(KieCallback, SignaturesBindTheJobAndTheSecret) {
  const auto sig = sign_callback("job-42", "s3cret");
  EXPECT_EQ(sig, "558135e7ca9c14d063ab350c6b6dcccf2234000fb90e23bb45aa51f222aca06a");
  EXPECT_TRUE(verify_callback("job-42", sig, "s3cret"));

  auto forged = sig;
  forged[10] = forged[10] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(verify_callback("job-42", forged, "s3cret"));
  EXPECT_FALSE(verify_callback("job-43", sig, "s3cret"));  // another job's sig
  EXPECT_FALSE(verify_callback("job-42", sign_callback("job-43", "s3cret"), "s3cret"));
  EXPECT_FALSE(verify_callback("job-42", sig, "other-secret"));
  EXPECT_FALSE(verify_callback("job-42", sig.substr(0, 32), "s3cret"));
  EXPECT_FALSE(verify_callback("job-42", "", "s3cret"));
  EXPECT_FALSE(verify_callback("job-42", sign_callback("job-42", ""), ""));
}

TEST(KieCallback, UrlCarriesTheEncodedJobAndItsSignature) {
  EXPECT_EQ(callback_url("https://bot.example.com/", "job 1", "cb-secret"),
            "https://bot.example.com/kie/callback/job%201"
            "?sig=9d1060a09123a0a1e0be1aedda6334bdbdc1a680d71d56d2dbe5e076a70413a7");
}

TEST(KieCallback, KieWebhookSignatureWithinItsWindow) {
  const auto sent = std::chrono::system_clock::time_point(1700000000s);
  const std::string signature = "cOrguEE2tm//DyxNWyzvLriqvPcJbxVzDWQGXpAMPgQ=";
  EXPECT_TRUE(verify_kie_signature("veo_task_1", "1700000000", signature, "whk", sent + 10s));
  EXPECT_FALSE(verify_kie_signature("veo_task_1", "1700000000", signature, "whk", sent + 6min));
  EXPECT_FALSE(verify_kie_signature("veo_task_2", "1700000000", signature, "whk", sent));
  EXPECT_FALSE(verify_kie_signature("veo_task_1", "1700000001", signature, "whk", sent));
  EXPECT_FALSE(verify_kie_signature("veo_task_1", "1700000000", signature, "other", sent));
  EXPECT_FALSE(verify_kie_signature("veo_task_1", "17e8", signature, "whk", sent));
}

}  // namespace
}  // namespace nc::providers::kie
