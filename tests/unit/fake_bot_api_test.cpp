// Tests of the fake Bot API, driven over plain HTTP as a bot would: wire format, validation,
// fault knobs, getUpdates semantics and webhook delivery.
#include "fakes/fake_bot_api.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "fakes/http_client.hpp"
#include "fakes/server_thread.hpp"

namespace nc::fakes {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct ApiResult {
  int status = 0;
  json body;
  std::optional<std::string> retry_after;
  std::string error;
};

ApiResult to_api_result(const HttpResult& http) {
  ApiResult result{http.status, json::parse(http.body, nullptr, false), http.header("retry-after"),
                   http.error};
  return result;
}

ApiResult call(const FakeBotApi& fake, std::string_view method,
               const json& params = json::object()) {
  return to_api_result(http_post(fake.method_url(method), "application/json", params.dump()));
}

ApiResult call_form(const FakeBotApi& fake, std::string_view method, std::string form) {
  return to_api_result(
      http_post(fake.method_url(method), "application/x-www-form-urlencoded", std::move(form)));
}

struct Part {
  std::string name;
  std::string data;
  std::string filename;  // non-empty: a file part
  std::string content_type;
};

ApiResult call_multipart(const FakeBotApi& fake, std::string_view method,
                         const std::vector<Part>& parts) {
  std::string body;
  for (const auto& part : parts) {
    body += "--b0undary\r\nContent-Disposition: form-data; name=\"" + part.name + "\"";
    if (!part.filename.empty()) body += "; filename=\"" + part.filename + "\"";
    body += "\r\n";
    if (!part.content_type.empty()) body += "Content-Type: " + part.content_type + "\r\n";
    body += "\r\n" + part.data + "\r\n";
  }
  body += "--b0undary--\r\n";
  return to_api_result(http_post(fake.method_url(method), "multipart/form-data; boundary=b0undary",
                                 std::move(body)));
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i)
    out += piece;
  return out;
}

json keyboard(std::string callback_data) {
  return {{"inline_keyboard", {{{{"text", "Go"}, {"callback_data", std::move(callback_data)}}}}}};
}

// A bot's webhook endpoint: records every delivery and answers as told.
class WebhookReceiver {
 public:
  struct Received {
    std::int64_t update_id = 0;
    std::optional<std::string> secret;
    std::string content_type;
    std::chrono::steady_clock::time_point at;
  };
  struct Answer {
    int status = 200;
    std::string retry_after;
    std::string body;
  };

  WebhookReceiver() {
    server_.server().route(
        "POST", "/hook",
        [this](net::HttpServerRequest request) -> asio::awaitable<net::HttpServerResponse> {
          auto update = json::parse(request.body, nullptr, false);
          auto id = update.is_object() ? update.value("update_id", std::int64_t{0}) : 0;
          Answer answer;
          std::chrono::milliseconds hold{0};
          {
            std::lock_guard lock(mutex_);
            received_.push_back({id, request.header("x-telegram-bot-api-secret-token"),
                                 request.header("content-type").value_or(""),
                                 std::chrono::steady_clock::now()});
            if (!answers_.empty()) {
              answer = answers_.front();
              answers_.pop_front();
            }
            if (id == hold_update_id_) hold = hold_;
          }
          if (hold.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor, hold);
            co_await timer.async_wait(asio::use_awaitable);
          }
          net::HttpServerResponse response;
          response.status = answer.status;
          if (!answer.retry_after.empty())
            response.headers.emplace_back("Retry-After", answer.retry_after);
          if (!answer.body.empty()) {
            response.content_type = "application/json";
            response.body = answer.body;
          }
          co_return response;
        });
    server_.start();
  }

  std::string url() const { return server_.url() + "/hook"; }
  void answer_next(Answer answer) {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
  }
  void hold(std::int64_t update_id, std::chrono::milliseconds how_long) {
    std::lock_guard lock(mutex_);
    hold_update_id_ = update_id;
    hold_ = how_long;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<std::int64_t> received_ids() const {
    std::vector<std::int64_t> ids;
    for (const auto& item : received())
      ids.push_back(item.update_id);
    return ids;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::deque<Answer> answers_;
  std::int64_t hold_update_id_ = -1;
  std::chrono::milliseconds hold_{0};
  ServerThread server_;  // last: stopped before the state above goes
};

class FakeBotApiTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_.start(); }
  FakeBotApi fake_;
};

TEST_F(FakeBotApiTest, AnswersGetMeAndRefusesWrongTokens) {
  auto me = call(fake_, "getMe");
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.body["ok"], true);
  EXPECT_EQ(me.body["result"]["id"], 123456789);
  EXPECT_EQ(me.body["result"]["is_bot"], true);
  EXPECT_EQ(me.body["result"]["username"], "neurocards_test_bot");

  auto wrong = to_api_result(http_get(fake_.base_url() + "/bot123456789:WRONG/getMe"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body,
            json::parse(R"({"ok":false,"error_code":401,"description":"Unauthorized"})"));
  auto malformed = to_api_result(http_get(fake_.base_url() + "/botnonsense/getMe"));
  EXPECT_EQ(malformed.body["description"], "Unauthorized: invalid token specified");
}

TEST_F(FakeBotApiTest, MethodNamesAreCaseInsensitiveAndUnknownOnesAre404) {
  EXPECT_EQ(call(fake_, "GETME").status, 200);
  EXPECT_EQ(call(fake_, "getme").status, 200);
  auto unknown = call(fake_, "sendTelepathy");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["description"], "Not Found: method not found");
  ASSERT_EQ(fake_.calls("getMe").size(), 2u);
  EXPECT_EQ(fake_.calls("getMe")[0].method, "getMe");
}

TEST_F(FakeBotApiTest, SendMessageValidatesTextInUtf16Units) {
  auto empty = call(fake_, "sendMessage", {{"chat_id", 42}, {"text", ""}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.body["description"], "Bad Request: message text is empty");
  EXPECT_EQ(empty.body["error_code"], 400);
  EXPECT_EQ(empty.body["ok"], false);

  EXPECT_EQ(call(fake_, "sendMessage", {{"chat_id", 42}, {"text", std::string(4096, 'a')}}).status,
            200);
  auto too_long = call(fake_, "sendMessage", {{"chat_id", 42}, {"text", std::string(4097, 'a')}});
  EXPECT_EQ(too_long.body["description"], "Bad Request: message is too long");

  // U+1F3AC is two UTF-16 units: 2048 of them fit, 2049 do not; Cyrillic counts one each.
  const std::string clapper = "\xF0\x9F\x8E\xAC";
  EXPECT_EQ(call(fake_, "sendMessage", {{"chat_id", 42}, {"text", repeat(clapper, 2048)}}).status,
            200);
  EXPECT_EQ(call(fake_, "sendMessage", {{"chat_id", 42}, {"text", repeat(clapper, 2049)}})
                .body["description"],
            "Bad Request: message is too long");
  EXPECT_EQ(
      call(fake_, "sendMessage", {{"chat_id", 42}, {"text", repeat("\xD0\xAF", 4096)}}).status,
      200);

  auto missing_chat = call(fake_, "sendMessage", {{"text", "hi"}});
  EXPECT_EQ(missing_chat.body["description"], "Bad Request: chat_id is empty");
  auto unknown_tag =
      call(fake_, "sendMessage", {{"chat_id", 42}, {"text", "a <x>b</x>"}, {"parse_mode", "HTML"}});
  EXPECT_EQ(unknown_tag.status, 400);
  EXPECT_EQ(unknown_tag.body["description"],
            "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 2");
  auto unclosed =
      call(fake_, "sendMessage", {{"chat_id", 42}, {"text", "<b>bold"}, {"parse_mode", "HTML"}});
  EXPECT_EQ(unclosed.body["description"],
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            "\"b\"");
}

TEST_F(FakeBotApiTest, SendMessageAcceptsFormBodiesAndReturnsTheMessage) {
  auto sent = call_form(fake_, "sendMessage",
                        "chat_id=42&text=%3Cb%3EHi%3C%2Fb%3E+%26amp%3B+bye&parse_mode=html&"
                        "reply_markup=" +
                            std::string("%7B%22inline_keyboard%22%3A%5B%5B%7B%22text%22%3A%22A%22%"
                                        "2C%22callback_data%22%3A%22a%3A1%22%7D%5D%5D%7D"));
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  const auto& message = sent.body["result"];
  EXPECT_EQ(message["chat"]["id"], 42);
  EXPECT_EQ(message["chat"]["type"], "private");
  EXPECT_EQ(message["text"], "Hi & bye");
  EXPECT_EQ(message["from"]["is_bot"], true);
  EXPECT_EQ(message["reply_markup"],
            json::parse(R"({"inline_keyboard":[[{"text":"A","callback_data":"a:1"}]]})"));
  auto recorded = fake_.calls("sendMessage");
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].chat_id, 42);
  EXPECT_EQ(recorded[0].params["text"], "<b>Hi</b> &amp; bye");
  EXPECT_EQ(recorded[0].status, 200);
}

TEST_F(FakeBotApiTest, CopyMessageAnswersAMessageIdAndKeepsTheContent) {
  auto sent = call(fake_, "sendMessage", {{"chat_id", 42}, {"text", "original"}});
  ASSERT_EQ(sent.status, 200);
  const auto source_id = sent.body["result"]["message_id"].get<std::int64_t>();
  const json keyboard = {{"inline_keyboard", {{{{"text", "A"}, {"callback_data", "a"}}}}}};
  auto copied = call(fake_, "copyMessage",
                     {{"chat_id", 42},
                      {"from_chat_id", 42},
                      {"message_id", source_id},
                      {"reply_markup", keyboard}});
  ASSERT_EQ(copied.status, 200) << copied.body.dump();
  const auto copy_id = copied.body["result"]["message_id"].get<std::int64_t>();
  EXPECT_EQ(copied.body["result"].size(), 1u);  // a MessageId, not a whole Message
  EXPECT_NE(copy_id, source_id);
  auto copy = fake_.message(42, copy_id);
  ASSERT_TRUE(copy);
  EXPECT_EQ((*copy)["text"], "original");
  EXPECT_EQ((*copy)["reply_markup"], keyboard);

  auto missing =
      call(fake_, "copyMessage", {{"chat_id", 42}, {"from_chat_id", 42}, {"message_id", 999999}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body["description"], "Bad Request: message to copy not found");
}

TEST_F(FakeBotApiTest, InlineKeyboardCallbackDataIsOneTo64Bytes) {
  EXPECT_EQ(
      call(fake_, "sendMessage",
           {{"chat_id", 7}, {"text", "pick"}, {"reply_markup", keyboard(std::string(64, 'x'))}})
          .status,
      200);
  for (const auto& data : {std::string(65, 'x'), std::string()}) {
    auto refused = call(fake_, "sendMessage",
                        {{"chat_id", 7}, {"text", "pick"}, {"reply_markup", keyboard(data)}});
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.body["description"], "Bad Request: BUTTON_DATA_INVALID");
  }
  // A reply_markup sent as a JSON-encoded string is read the same way.
  auto as_string = call(
      fake_, "sendMessage",
      {{"chat_id", 7}, {"text", "pick"}, {"reply_markup", keyboard(std::string(65, 'x')).dump()}});
  EXPECT_EQ(as_string.body["description"], "Bad Request: BUTTON_DATA_INVALID");
}

TEST_F(FakeBotApiTest, RateLimitKnobAnswers429ForTheNextCalls) {
  fake_.rate_limit_next("sendMessage", 2, 7);
  for (int i = 0; i < 2; ++i) {
    auto limited = call(fake_, "sendMessage", {{"chat_id", 42}, {"text", "hi"}});
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.body, json::parse(R"({"ok":false,"error_code":429,
        "description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})"));
    EXPECT_EQ(limited.retry_after, "7");
  }
  EXPECT_EQ(call(fake_, "getMe").status, 200) << "other methods are not limited";
  EXPECT_EQ(call(fake_, "sendMessage", {{"chat_id", 42}, {"text", "hi"}}).status, 200);
  auto recorded = fake_.calls("sendMessage");
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(recorded[0].status, 429);
  EXPECT_EQ(recorded[2].status, 200);
}

TEST_F(FakeBotApiTest, ServerErrorBlockedChatAndDroppedConnectionKnobs) {
  fake_.fail_next("*", 1);
  auto failed = call(fake_, "getMe");
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body["description"], "Internal Server Error: restart");

  fake_.block_chat(99);
  auto blocked = call(fake_, "sendMessage", {{"chat_id", 99}, {"text", "hi"}});
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.body["description"], "Forbidden: bot was blocked by the user");
  EXPECT_EQ(call(fake_, "sendMessage", {{"chat_id", 98}, {"text", "hi"}}).status, 200);
  fake_.block_chat(99, false);
  EXPECT_EQ(call(fake_, "sendMessage", {{"chat_id", 99}, {"text", "hi"}}).status, 200);

  fake_.drop_next("sendChatAction", 1);
  auto dropped = call(fake_, "sendChatAction", {{"chat_id", 99}, {"action", "upload_video"}});
  EXPECT_EQ(dropped.status, 0);
  EXPECT_FALSE(dropped.error.empty());
  EXPECT_EQ(call(fake_, "sendChatAction", {{"chat_id", 99}, {"action", "upload_video"}}).status,
            200);
  EXPECT_EQ(
      call(fake_, "sendChatAction", {{"chat_id", 99}, {"action", "dancing"}}).body["description"],
      "Bad Request: wrong parameter action in request");

  fake_.delay_next("getMe", 1, 300ms);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(call(fake_, "getMe").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
}

TEST_F(FakeBotApiTest, GetUpdatesConfirmsWithOffset) {
  auto first = fake_.push_update(fake_.make_text_message(42, "/start"));
  fake_.push_update(fake_.make_text_message(42, "hello"));
  fake_.push_update(fake_.make_callback(42, "fmt:reels", 1));
  EXPECT_EQ(first, 100000001);

  auto all = call(fake_, "getUpdates");
  ASSERT_EQ(all.body["result"].size(), 3u);
  EXPECT_EQ(all.body["result"][0]["update_id"], first);
  EXPECT_EQ(all.body["result"][0]["message"]["text"], "/start");
  EXPECT_EQ(all.body["result"][0]["message"]["entities"][0]["type"], "bot_command");
  EXPECT_EQ(all.body["result"][2]["callback_query"]["data"], "fmt:reels");
  EXPECT_EQ(call(fake_, "getUpdates").body["result"].size(), 3u) << "nothing confirmed yet";

  auto limited = call(fake_, "getUpdates", {{"limit", 1}});
  ASSERT_EQ(limited.body["result"].size(), 1u);

  auto rest = call(fake_, "getUpdates", {{"offset", first + 2}});
  ASSERT_EQ(rest.body["result"].size(), 1u);
  EXPECT_EQ(rest.body["result"][0]["update_id"], first + 2);
  EXPECT_EQ(fake_.pending_update_count(), 1u);
  EXPECT_EQ(call(fake_, "getUpdates", {{"offset", first + 3}}).body["result"], json::array());
  EXPECT_EQ(fake_.pending_update_count(), 0u);
}

TEST_F(FakeBotApiTest, LongPollReturnsWhenAnUpdateArrives) {
  auto poll = std::async(std::launch::async, [&] {
    return call(fake_, "getUpdates", {{"timeout", 10}});
  });
  std::this_thread::sleep_for(200ms);
  auto pushed_at = std::chrono::steady_clock::now();
  auto id = fake_.push_update(fake_.make_text_message(5, "wake up"));
  auto result = poll.get();
  EXPECT_LT(std::chrono::steady_clock::now() - pushed_at, 2s);
  ASSERT_EQ(result.body["result"].size(), 1u);
  EXPECT_EQ(result.body["result"][0]["update_id"], id);

  auto started = std::chrono::steady_clock::now();
  auto empty = call(fake_, "getUpdates", {{"offset", id + 1}, {"timeout", 1}});
  EXPECT_EQ(empty.body["result"], json::array());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
}

TEST_F(FakeBotApiTest, NewerPollTerminatesTheOlderOneWith409) {
  auto older = std::async(std::launch::async, [&] {
    return call(fake_, "getUpdates", {{"timeout", 10}});
  });
  // Poll until the older request is cut off; it may reach the fake after one of ours.
  for (int i = 0; i < 50 && older.wait_for(100ms) != std::future_status::ready; ++i) {
    EXPECT_EQ(call(fake_, "getUpdates").status, 200);
  }
  auto ended = older.get();
  EXPECT_EQ(ended.status, 409);
  EXPECT_EQ(ended.body["description"],
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running");
}

TEST_F(FakeBotApiTest, GetUpdatesIsRefusedWhileAWebhookIsSet) {
  WebhookReceiver receiver;
  auto set = call(fake_, "setWebhook", {{"url", receiver.url()}});
  EXPECT_EQ(set.body, json::parse(R"({"ok":true,"result":true,"description":"Webhook was set"})"));
  EXPECT_EQ(call(fake_, "setWebhook", {{"url", receiver.url()}}).body["description"],
            "Webhook is already set");

  auto refused = call(fake_, "getUpdates");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["description"],
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
            "delete the webhook first");

  EXPECT_EQ(call(fake_, "deleteWebhook").body["description"], "Webhook was deleted");
  EXPECT_EQ(call(fake_, "deleteWebhook").body["description"], "Webhook is already deleted");
  EXPECT_EQ(call(fake_, "getUpdates").status, 200);
}

TEST_F(FakeBotApiTest, SetWebhookValidatesItsParameters) {
  WebhookReceiver receiver;
  EXPECT_EQ(call(fake_, "setWebhook", {{"url", receiver.url()}, {"secret_token", "bad token!"}})
                .body["description"],
            "Bad Request: secret token contains unallowed characters");
  EXPECT_EQ(
      call(fake_, "setWebhook", {{"url", receiver.url()}, {"secret_token", std::string(257, 'a')}})
          .body["description"],
      "Bad Request: secret token is too long");
  EXPECT_EQ(call(fake_, "setWebhook", {{"url", "not a url"}}).body["description"],
            "Bad Request: invalid webhook URL specified");

  // A port that was just released has no listener.
  unsigned short closed_port = 0;
  {
    ServerThread gone;
    gone.start();
    closed_port = gone.server().port();
  }
  auto unreachable = call(fake_, "setWebhook",
                          {{"url", "http://127.0.0.1:" + std::to_string(closed_port) + "/hook"}});
  EXPECT_EQ(unreachable.status, 400);
  EXPECT_EQ(
      unreachable.body["description"].get<std::string>().rfind("Bad Request: bad webhook: ", 0), 0u)
      << unreachable.body.dump();
  EXPECT_EQ(fake_.webhook().url, "");

  auto set = call_multipart(fake_, "setWebhook",
                            {{"url", receiver.url()},
                             {"secret_token", "Abc_123-xyz"},
                             {"max_connections", "500"},
                             {"allowed_updates", R"(["message","callback_query"])"},
                             {"certificate", "-----BEGIN CERTIFICATE-----\n...", "cert.pem"}});
  ASSERT_EQ(set.status, 200) << set.body.dump();
  auto info = call(fake_, "getWebhookInfo").body["result"];
  EXPECT_EQ(info["url"], receiver.url());
  EXPECT_EQ(info["has_custom_certificate"], true);
  EXPECT_EQ(info["max_connections"], 100) << "clamped, not refused";
  EXPECT_EQ(info["allowed_updates"], json::parse(R"(["message","callback_query"])"));
  EXPECT_EQ(fake_.webhook().secret_token, "Abc_123-xyz");
  auto recorded = fake_.calls("setWebhook").back();
  ASSERT_EQ(recorded.files.size(), 1u);
  EXPECT_EQ(recorded.files[0].field, "certificate");
  EXPECT_EQ(recorded.files[0].size, 31u);
}

TEST_F(FakeBotApiTest, WebhookDeliveryCarriesTheSecretAndRetriesAfterA500) {
  WebhookReceiver receiver;
  receiver.answer_next({.status = 500});
  ASSERT_EQ(
      call(fake_, "setWebhook", {{"url", receiver.url()}, {"secret_token", "s3cr3t_-"}}).status,
      200);
  auto id = fake_.push_update(fake_.make_text_message(42, "hello"));

  ASSERT_TRUE(fake_.wait_for_deliveries(1, 5s));
  auto received = receiver.received();
  ASSERT_EQ(received.size(), 2u);
  for (const auto& item : received) {
    EXPECT_EQ(item.update_id, id);
    EXPECT_EQ(item.secret, "s3cr3t_-");
    EXPECT_EQ(item.content_type, "application/json");
  }
  auto log = fake_.deliveries();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].status, 500);
  EXPECT_EQ(log[1].status, 200);
  EXPECT_EQ(fake_.pending_update_count(), 0u);
  auto info = call(fake_, "getWebhookInfo").body["result"];
  EXPECT_EQ(info["pending_update_count"], 0);
  EXPECT_EQ(info["last_error_message"],
            "Wrong response from the webhook: 500 Internal Server Error");
}

TEST_F(FakeBotApiTest, WebhookHonoursRetryAfterAndRedeliversOnRequest) {
  WebhookReceiver receiver;
  receiver.answer_next({.status = 429, .retry_after = "1"});
  ASSERT_EQ(call(fake_, "setWebhook", {{"url", receiver.url()}}).status, 200);
  fake_.redeliver_next();
  auto id = fake_.push_update(fake_.make_text_message(42, "again"));

  ASSERT_TRUE(fake_.wait_for_deliveries(2, 5s));
  auto received = receiver.received();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_GE(received[1].at - received[0].at, 950ms) << "Retry-After: 1 was not honoured";
  EXPECT_EQ(receiver.received_ids(), (std::vector<std::int64_t>{id, id, id}));
  EXPECT_EQ(fake_.pending_update_count(), 0u);
}

TEST_F(FakeBotApiTest, WebhookSendsOneUpdateAtATimePerChat) {
  WebhookReceiver receiver;
  ASSERT_EQ(call(fake_, "setWebhook", {{"url", receiver.url()}}).status, 200);
  auto first = fake_.make_text_message(1, "a1");
  first["update_id"] = 500;
  receiver.hold(500, 1500ms);
  auto a1 = fake_.push_update(first);
  auto a2 = fake_.push_update(fake_.make_text_message(1, "a2"));
  auto b1 = fake_.push_update(fake_.make_text_message(2, "b1"));

  ASSERT_TRUE(fake_.wait_for_deliveries(3, 5s));
  EXPECT_EQ(receiver.received_ids(), (std::vector<std::int64_t>{a1, b1, a2}));
}

TEST_F(FakeBotApiTest, WebhookAnswerMayCarryAMethodCall) {
  WebhookReceiver receiver;
  receiver.answer_next(
      {.status = 200, .body = R"({"method":"sendMessage","chat_id":42,"text":"from reply"})"});
  ASSERT_EQ(call(fake_, "setWebhook", {{"url", receiver.url()}}).status, 200);
  fake_.push_update(fake_.make_text_message(42, "hi"));
  ASSERT_TRUE(fake_.wait_for_calls("sendMessage", 1, 5s));
  auto sent = fake_.calls("sendMessage")[0];
  EXPECT_TRUE(sent.from_webhook_reply);
  EXPECT_EQ(sent.params["text"], "from reply");
  EXPECT_EQ(sent.status, 200);
}

TEST_F(FakeBotApiTest, SendVideoTakesMultipartUploadsAndFileIds) {
  auto uploaded = call_multipart(fake_, "sendVideo",
                                 {{"chat_id", "42"},
                                  {"caption", "Your video"},
                                  {"supports_streaming", "true"},
                                  {"video", std::string(1000, 'v'), "clip.mp4", "video/mp4"}});
  ASSERT_EQ(uploaded.status, 200) << uploaded.body.dump();
  const auto& video = uploaded.body["result"]["video"];
  EXPECT_EQ(video["file_size"], 1000);
  EXPECT_EQ(video["file_name"], "clip.mp4");
  EXPECT_EQ(video["mime_type"], "video/mp4");
  EXPECT_EQ(uploaded.body["result"]["caption"], "Your video");
  auto recorded = fake_.calls("sendVideo").back();
  ASSERT_EQ(recorded.files.size(), 1u);
  EXPECT_EQ(recorded.files[0].field, "video");
  EXPECT_EQ(recorded.files[0].filename, "clip.mp4");
  EXPECT_EQ(recorded.files[0].size, 1000u);
  EXPECT_EQ(recorded.params["supports_streaming"], "true");

  auto attached = call_multipart(
      fake_, "sendVideo",
      {{"chat_id", "42"}, {"video", "attach://file0"}, {"file0", "abc", "x.mp4", "video/mp4"}});
  EXPECT_EQ(attached.body["result"]["video"]["file_size"], 3);

  auto resent = call(fake_, "sendVideo", {{"chat_id", 42}, {"video", video["file_id"]}});
  EXPECT_EQ(resent.body["result"]["video"]["file_id"], video["file_id"]);
  auto missing = call(fake_, "sendVideo", {{"chat_id", 42}});
  EXPECT_EQ(missing.body["description"], "Bad Request: there is no video in the request");
  auto long_caption =
      call(fake_, "sendPhoto",
           {{"chat_id", 42}, {"photo", "AgACid"}, {"caption", std::string(1025, 'c')}});
  EXPECT_EQ(long_caption.body["description"], "Bad Request: message caption is too long");
  auto document = call_multipart(
      fake_, "sendDocument", {{"chat_id", "42"}, {"document", "%PDF", "a.pdf", "application/pdf"}});
  EXPECT_EQ(document.body["result"]["document"]["mime_type"], "application/pdf");
}

TEST_F(FakeBotApiTest, EditsReportNotModifiedAndUpdateTheMessage) {
  auto sent = call(fake_, "sendMessage",
                   {{"chat_id", 42}, {"text", "Pick"}, {"reply_markup", keyboard("a")}});
  auto message_id = sent.body["result"]["message_id"].get<std::int64_t>();

  auto same = call(fake_, "editMessageText",
                   {{"chat_id", 42},
                    {"message_id", message_id},
                    {"text", "Pick"},
                    {"reply_markup", keyboard("a")}});
  EXPECT_EQ(same.status, 400);
  EXPECT_EQ(same.body["description"],
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message");

  auto changed = call(fake_, "editMessageText",
                      {{"chat_id", 42}, {"message_id", message_id}, {"text", "Picked"}});
  EXPECT_EQ(changed.status, 200);
  auto now = fake_.message(42, message_id);
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ((*now)["text"], "Picked");
  EXPECT_FALSE(now->contains("reply_markup")) << "an edit without reply_markup drops the keyboard";

  EXPECT_EQ(call(fake_, "editMessageReplyMarkup", {{"chat_id", 42}, {"message_id", message_id}})
                .body["description"]
                .get<std::string>()
                .rfind("Bad Request: message is not modified", 0),
            0u);
  EXPECT_EQ(call(fake_, "editMessageReplyMarkup",
                 {{"chat_id", 42}, {"message_id", message_id}, {"reply_markup", keyboard("b")}})
                .status,
            200);
  EXPECT_EQ(call(fake_, "editMessageText", {{"chat_id", 42}, {"message_id", 999}, {"text", "x"}})
                .body["description"],
            "Bad Request: message to edit not found");
  EXPECT_EQ(call(fake_, "editMessageCaption",
                 {{"chat_id", 42}, {"message_id", message_id}, {"caption", "c"}})
                .body["description"],
            "Bad Request: there is no caption in the message to edit");
}

TEST_F(FakeBotApiTest, CallbackQueriesCanBeAnsweredOnce) {
  auto update = fake_.make_callback(42, "buy:1", 3);
  auto id = update["callback_query"]["id"].get<std::string>();
  EXPECT_EQ(call(fake_, "answerCallbackQuery", {{"callback_query_id", id}}).status, 200);
  auto again = call(fake_, "answerCallbackQuery", {{"callback_query_id", id}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.body["description"],
            "Bad Request: query is too old and response timeout expired or query ID is invalid");
}

TEST(FakeBotApiOptionsTest, KeepsAcceptedUploadsInAFolder) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("nc-fake-uploads-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  FakeBotApi fake(FakeBotApiOptions{.keep_uploads_in = dir});
  fake.start();
  auto sent = call_multipart(fake, "sendVideo",
                             {{"chat_id", "42"}, {"video", "mp4 bytes", "video.mp4", "video/mp4"}});
  ASSERT_EQ(sent.status, 200) << sent.body.dump();
  call_multipart(fake, "sendVideo", {{"video", "refused: no chat", "video.mp4", "video/mp4"}});
  const auto calls = fake.calls("sendVideo");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].files.at(0).saved_path, (dir / "video-1.mp4").string());
  std::ifstream saved(calls[0].files.at(0).saved_path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(saved), {}), "mp4 bytes");
  EXPECT_EQ(calls[1].files.at(0).saved_path, "");  // refused uploads are not kept
  fake.stop();
  std::filesystem::remove_all(dir);
}

TEST(FakeBotApiOptionsTest, LeanModeCountsInsteadOfRecording) {
  FakeBotApi fake(FakeBotApiOptions{.lean = true});
  fake.start();
  EXPECT_EQ(call(fake, "sendMessage", {{"chat_id", 7}, {"text", "a"}}).status, 200);
  EXPECT_EQ(call(fake, "sendMessage", {{"chat_id", 7}, {"text", "b"}}).status, 200);
  EXPECT_EQ(call(fake, "sendMessage", {{"chat_id", 8}, {"text", ""}}).status, 400);
  // Any callback id may be answered once (a load generator makes them up).
  EXPECT_EQ(call(fake, "answerCallbackQuery", {{"callback_query_id", "cb1"}}).status, 200);
  EXPECT_EQ(call(fake, "answerCallbackQuery", {{"callback_query_id", "cb1"}}).status, 400);
  EXPECT_TRUE(fake.calls().empty());
  const json expected = {{"calls", {{"sendMessage", 3}, {"answerCallbackQuery", 2}}},
                         {"send_per_chat", {{"7", 2}, {"8", 1}}},
                         {"answered_callbacks", 1},
                         {"answer_duplicates", 1}};
  EXPECT_EQ(fake.stats(), expected);
  EXPECT_EQ(json::parse(http_get(fake.base_url() + "/stats").body), expected);
}

TEST_F(FakeBotApiTest, GetFileServesRegisteredFiles) {
  auto dir =
      std::filesystem::temp_directory_path() / ("nc_fake_file_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string bytes = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(5000, 'j');
  std::ofstream(dir / "product.jpg", std::ios::binary) << bytes;
  fake_.add_file("AgACphoto1", dir / "product.jpg");

  auto photo = fake_.make_photo_message(42, "AgACphoto1", 1280, 960);
  EXPECT_EQ(photo["message"]["photo"][1]["file_size"], bytes.size());
  EXPECT_EQ(photo["message"]["photo"][0]["width"], 90);

  auto file = call(fake_, "getFile", {{"file_id", "AgACphoto1"}});
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body["result"]["file_size"], bytes.size());
  auto path = file.body["result"]["file_path"].get<std::string>();
  EXPECT_EQ(path, "photos/file_1.jpg");
  auto download = http_get(fake_.base_url() + "/file/bot" + fake_.token() + "/" + path);
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, bytes);

  EXPECT_EQ(http_get(fake_.base_url() + "/file/bot" + fake_.token() + "/photos/nope.jpg").status,
            404);
  EXPECT_EQ(call(fake_, "getFile", {{"file_id", "unknown"}}).body["description"],
            "Bad Request: wrong file identifier/HTTP URL specified");
  std::filesystem::remove_all(dir);
}

TEST_F(FakeBotApiTest, WaitForCallsSeesCallsFromOtherThreads) {
  EXPECT_FALSE(fake_.wait_for_calls("sendMessage", 1, 50ms));
  auto sender = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(100ms);
    call(fake_, "sendMessage", {{"chat_id", 1}, {"text", "a"}});
    call(fake_, "SENDMESSAGE", {{"chat_id", 2}, {"text", "b"}});
  });
  EXPECT_TRUE(fake_.wait_for_calls("sendmessage", 2, 5s));
  sender.get();
  EXPECT_EQ(fake_.call_count("sendMessage"), 2u);
  EXPECT_EQ(fake_.calls("sendMessage")[1].chat_id, 2);
}

}  // namespace
}  // namespace nc::fakes
