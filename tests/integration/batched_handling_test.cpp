// The bot front with the group commit, on both backends: many users at once, redeliveries
// among them; each update is handled once, every reply sent once and in order per user; an
// update whose handling fails leaves nothing behind and is handled when delivered again.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <thread>

#include "bot/bot_front.hpp"
#include "bot/dispatcher.hpp"
#include "integration/test_database.hpp"
#include "net/blocking_pool.hpp"
#include "telegram/json.hpp"
#include "telegram/outbox_sender.hpp"

namespace nc::bot {
namespace {

namespace asio = boost::asio;

class BatchedHandlingTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  BatchedHandlingTest()
      : test_db_(GetParam()),
        catalog_(core::TemplateCatalog::defaults()),
        models_(core::ModelRegistry::defaults()),
        router_(BotDeps{catalog_, models_, BotSettings{}}),
        dispatcher_(test_db_.db(), router_, "test-front") {}

  static Incoming start(std::int64_t update_id, std::int64_t user) {
    Incoming in;
    in.update_id = update_id;
    in.user_id = user;
    in.chat_id = user;
    in.language_code = "en";
    in.kind = IncomingKind::kCommand;
    in.command = "start";
    return in;
  }
  std::int64_t count(const char* sql) { return test_db_.db().execute(sql).front().integer("n"); }

  nc::testing::TestDatabase test_db_;
  core::TemplateCatalog catalog_;
  core::ModelRegistry models_;
  Router router_;
  Dispatcher dispatcher_;
};

// Answers every Bot API call at once and keeps them in the order they came.
class RecordingTransport final : public telegram::BotTransport {
 public:
  struct Call {
    std::string method;
    nlohmann::json params;
  };
  asio::awaitable<telegram::ApiResult> call(std::string method, nlohmann::json params) override {
    calls.push_back(Call{std::move(method), std::move(params)});
    telegram::ApiResult result;
    result.result = nlohmann::json{{"message_id", static_cast<std::int64_t>(calls.size())}};
    co_return result;
  }
  asio::awaitable<telegram::ApiResult> download_file(const std::string&, const std::string&,
                                                     std::size_t) override {
    telegram::ApiResult result;
    result.error = telegram::ApiError::kNotFound;
    co_return result;
  }
  asio::awaitable<telegram::ApiResult> send_video(std::int64_t, const std::string&,
                                                  const std::string&,
                                                  const nlohmann::json&) override {
    co_return telegram::ApiResult{};
  }

  std::vector<Call> calls;
};

// The texts of the replies to one user's script, as Telegram would show them, in order.
std::vector<std::string> texts_to(const std::vector<RecordingTransport::Call>& calls,
                                  std::int64_t chat_id) {
  std::vector<std::string> texts;
  for (const auto& call : calls) {
    if (call.method == "sendMessage" && call.params.value("chat_id", std::int64_t{0}) == chat_id) {
      texts.push_back(call.params.value("text", ""));
    }
  }
  return texts;
}

std::string command_update(std::int64_t update_id, std::int64_t user, const std::string& command) {
  return nlohmann::json{
      {"update_id", update_id},
      {"message",
       {{"message_id", update_id},
        {"from", {{"id", user}, {"is_bot", false}, {"first_name", "A"}, {"language_code", "en"}}},
        {"chat", {{"id", user}, {"type", "private"}}},
        {"date", 1735689600},
        {"text", command},
        {"entities", {{{"offset", 0}, {"length", command.size()}, {"type", "bot_command"}}}}}}}
      .dump();
}

std::string button_update(std::int64_t update_id, std::int64_t user, const std::string& data) {
  return nlohmann::json{
      {"update_id", update_id},
      {"callback_query",
       {{"id", "cb" + std::to_string(update_id)},
        {"from", {{"id", user}, {"is_bot", false}, {"first_name", "A"}, {"language_code", "en"}}},
        {"message",
         {{"message_id", 1},
          {"chat", {{"id", user}, {"type", "private"}}},
          {"date", 1735689600},
          {"text", "menu"}}},
        {"chat_instance", "1"},
        {"data", data}}}}
      .dump();
}

TEST_P(BatchedHandlingTest, ManyUsersAtOnceEachUpdateOnceRepliesInOrder) {
  constexpr int kUsers = 40;
  constexpr std::int64_t kFirstUser = 700000;
  asio::io_context io;
  net::BlockingPool pool(2);
  RecordingTransport transport;
  telegram::OutboxSender sender(io, transport, test_db_.db(), pool, "test-front");
  const auto data_dir = std::filesystem::temp_directory_path().string();
  store::Retention retention(test_db_.db(), data_dir, store::RetentionPolicy{});
  const media::Imaging imaging;
  BotFront front(transport, dispatcher_, sender, pool, imaging, data_dir, retention);

  // Every user's script, all users at once: /start, /balance, the balance button; every
  // update of the first ten users is delivered twice (a redelivery while the first copy is
  // still being handled).
  std::vector<std::string> bodies;
  for (int step = 0; step < 3; ++step) {
    for (int u = 0; u < kUsers; ++u) {
      const std::int64_t update_id = 10000 + step * kUsers + u;
      const std::int64_t user = kFirstUser + u;
      bodies.push_back(step == 0   ? command_update(update_id, user, "/start")
                       : step == 1 ? command_update(update_id, user, "/balance")
                                   : button_update(update_id, user, "m:balance"));
      if (u < 10) bodies.push_back(bodies.back());
    }
  }
  int failures = 0;
  for (const auto& body : bodies) {
    auto update = telegram::parse_update(body);
    ASSERT_TRUE(update.ok());
    asio::co_spawn(io, front.deliver(std::move(update.value())), [&](std::exception_ptr error) {
      if (error) ++failures;
    });
  }
  io.run();  // returns once every update is handled and every reply sent
  EXPECT_EQ(failures, 0);

  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM processed_updates"), 3 * kUsers);
  // One reply per update plus one answer per button press, all sent, each once.
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM outbox"), 4 * kUsers);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"), 0);
  EXPECT_EQ(transport.calls.size(), static_cast<std::size_t>(4 * kUsers));

  // Every user saw the same three replies in the order of their updates.
  const auto first = texts_to(transport.calls, kFirstUser);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_NE(first[0], first[1]);
  EXPECT_EQ(first[1], first[2]);
  for (int u = 1; u < kUsers; ++u)
    EXPECT_EQ(texts_to(transport.calls, kFirstUser + u), first) << u;
}

TEST_P(BatchedHandlingTest, AFailedUpdateIsNotRecordedAndIsHandledWhenDeliveredAgain) {
  asio::io_context io;
  // The conversations table is gone for a moment: handling fails (the webhook answers 500).
  test_db_.db().execute("ALTER TABLE conversations RENAME TO conversations_away");
  bool failed = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto in = start(6000, 800000);
        const Prepared nothing;  // named: no temporaries inside co_await (g++ 12)
        co_await dispatcher_.handle_in_batch(in, nothing);
      },
      [&](std::exception_ptr error) { failed = error != nullptr; });
  io.run();
  EXPECT_TRUE(failed);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM processed_updates"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM outbox"), 0);

  test_db_.db().execute("ALTER TABLE conversations_away RENAME TO conversations");
  io.restart();
  Handled again;
  std::thread::id resumed_on;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto in = start(6000, 800000);
        const Prepared nothing;
        again = co_await dispatcher_.handle_in_batch(in, nothing);
        resumed_on = std::this_thread::get_id();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(resumed_on, std::this_thread::get_id());  // not the writer's thread
  EXPECT_FALSE(again.duplicate);
  EXPECT_FALSE(again.calls.empty());
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM processed_updates"), 1);
}

NC_BOTH_BACKENDS(BatchedHandlingTest);

}  // namespace
}  // namespace nc::bot
