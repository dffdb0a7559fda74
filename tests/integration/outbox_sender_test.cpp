// The outbox sender with a long line of replies (Telegram's pace is far below the bot's): every
// call goes out once, a chat's messages in order, only a bounded window at a time, and calls
// kept only as ids are read back from the outbox; on both backends.
#include "telegram/outbox_sender.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "integration/test_database.hpp"
#include "net/blocking_pool.hpp"

namespace nc::telegram {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Answers each call after a short wait, like a Bot API client waiting for its send slot.
class SlowTransport final : public BotTransport {
 public:
  explicit SlowTransport(asio::io_context& io) : io_(io) {}

  asio::awaitable<ApiResult> call(std::string method, nlohmann::json params) override {
    const bool answer = method == "answerCallbackQuery";
    auto& busy = answer ? answers_busy : messages_busy;
    auto& most = answer ? most_answers_busy : most_messages_busy;
    most = std::max(most, ++busy);
    asio::steady_timer wait(io_, 2ms);
    co_await wait.async_wait(asio::use_awaitable);
    --busy;
    calls.push_back({std::move(method), std::move(params)});
    ApiResult result;
    result.result = nlohmann::json{{"message_id", static_cast<std::int64_t>(calls.size())}};
    co_return result;
  }
  asio::awaitable<ApiResult> download_file(const std::string&, const std::string&,
                                           std::size_t) override {
    co_return ApiResult{};
  }
  asio::awaitable<ApiResult> send_video(std::int64_t, const std::string&, const std::string&,
                                        const nlohmann::json&) override {
    co_return ApiResult{};
  }

  std::vector<std::pair<std::string, nlohmann::json>> calls;
  int messages_busy = 0;
  int answers_busy = 0;
  int most_messages_busy = 0;
  int most_answers_busy = 0;

 private:
  asio::io_context& io_;
};

class OutboxSenderTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  OutboxSenderTest() : test_db_(GetParam()) {}
  store::Database& db() { return test_db_.db(); }
  nc::testing::TestDatabase test_db_;
};

TEST_P(OutboxSenderTest, ALongLineGoesOutOnceInOrderAFewAtATime) {
  constexpr int kChats = 40;
  constexpr int kPerChat = 15;
  // As the dispatcher writes them: per chat a message and a button answer, over and over.
  auto calls = db().transaction([&](store::Connection& c) {
    std::vector<store::PendingCall> added;
    for (int n = 0; n < kPerChat; ++n) {
      for (int chat = 1; chat <= kChats; ++chat) {
        const auto text = fmt::format("message {}", n);
        added.push_back(store::Outbox::add(
            c,
            {.chat_id = chat,
             .method = "sendMessage",
             .payload = nlohmann::json{{"chat_id", chat}, {"text", text}}.dump()},
            "front", 60s));
        added.push_back(store::Outbox::add(
            c,
            {.chat_id = chat,
             .method = "answerCallbackQuery",
             .payload = nlohmann::json{{"callback_query_id", fmt::format("{}-{}", chat, n)}}.dump(),
             .priority = 1},
            "front", 60s));
      }
    }
    return added;
  });

  asio::io_context io;
  net::BlockingPool pool(2);
  SlowTransport transport(io);
  OutboxSender sender(io, transport, db(), pool, "front");
  sender.enqueue(calls);
  sender.enqueue(calls);  // given twice (as a sweep might): still sent once
  EXPECT_EQ(sender.queued(), calls.size());
  io.run();
  EXPECT_EQ(sender.queued(), 0u);

  ASSERT_EQ(transport.calls.size(), calls.size());
  std::map<std::int64_t, std::vector<std::string>> texts;
  std::set<std::string> answered;
  for (const auto& [method, params] : transport.calls) {
    if (method == "sendMessage") {
      texts[params["chat_id"].get<std::int64_t>()].push_back(params["text"]);
    } else {
      answered.insert(params["callback_query_id"].get<std::string>());
    }
  }
  ASSERT_EQ(texts.size(), static_cast<std::size_t>(kChats));
  for (const auto& [chat, said] : texts) {
    ASSERT_EQ(said.size(), static_cast<std::size_t>(kPerChat)) << chat;
    for (int n = 0; n < kPerChat; ++n)
      EXPECT_EQ(said[n], fmt::format("message {}", n)) << chat;
  }
  EXPECT_EQ(answered.size(), static_cast<std::size_t>(kChats * kPerChat));
  // A window of 64 per lane (OutboxSender::kMaxSending), and it was used.
  EXPECT_LE(transport.most_messages_busy, 40);  // one message per chat at a time
  EXPECT_GE(transport.most_messages_busy, 20);
  EXPECT_LE(transport.most_answers_busy, 64);
  EXPECT_GE(transport.most_answers_busy, 32);
  EXPECT_EQ(store::Outbox(db()).pending_count(), 0);
}

NC_BOTH_BACKENDS(OutboxSenderTest);

}  // namespace
}  // namespace nc::telegram
