// After a webhook benchmark run: checks that every handled update got exactly one reply, from
// three independent counts — the updates the bot recorded as handled (processed_updates), the
// replies it decided (outbox rows) and the calls the fast fake Bot API received (GET /stats).
// The expected replies follow from the update ids, as bench/webhook.lua builds them:
// the user is 1000000 + id % users, and id % 3 == 2 is a button press (one sendMessage and one
// answerCallbackQuery); otherwise a command (one sendMessage).
//
//   nc_reply_check --db URL --api http://127.0.0.1:PORT --users 10000 --drain-seconds 5 [--exact]
//                  [--watch]
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "net/http_client.hpp"
#include "store/database.hpp"

namespace {

using nlohmann::json;
constexpr std::int64_t kFirstUser = 1000000;

json fetch_stats(const std::string& api) {
  boost::asio::io_context io;
  nc::net::HttpClient client(io);
  nc::net::HttpRequest request;
  request.url = api + "/stats";
  request.timeout = std::chrono::seconds(10);
  auto future = boost::asio::co_spawn(io, client.send(std::move(request)), boost::asio::use_future);
  io.run();
  const auto response = future.get();
  if (!response.ok()) {
    throw std::runtime_error(
        fmt::format("GET {}/stats failed: {} {}", api, response.status, response.error));
  }
  return json::parse(response.body);
}

std::int64_t call_count(const json& stats, const char* method) {
  return stats["calls"].value(method, std::int64_t{0});
}

struct Delivered {
  std::int64_t sent_send = 0, sent_answer = 0;
  std::int64_t pending = 0;      // decided, not received yet
  std::int64_t dup_chats = 0;    // chats that received more messages than were decided
  std::int64_t extra_sends = 0;  // how many more
  std::int64_t answer_dupes = 0;
};

// What the fake received against what the bot decided, chat by chat.
Delivered compare(const json& stats, const std::map<std::int64_t, std::int64_t>& decided_per_chat,
                  std::int64_t decided_answer) {
  Delivered out;
  out.sent_send = call_count(stats, "sendMessage");
  out.sent_answer = call_count(stats, "answerCallbackQuery");
  out.answer_dupes = stats.value("answer_duplicates", std::int64_t{0});
  std::map<std::int64_t, std::int64_t> sent_per_chat;
  for (const auto& [chat, n] : stats["send_per_chat"].items()) {
    sent_per_chat[std::stoll(chat)] = n.get<std::int64_t>();
  }
  for (const auto& [chat, sent] : sent_per_chat) {
    const auto it = decided_per_chat.find(chat);
    const auto decided = it == decided_per_chat.end() ? 0 : it->second;
    if (sent > decided) {
      ++out.dup_chats;
      out.extra_sends += sent - decided;
    }
  }
  for (const auto& [chat, decided] : decided_per_chat) {
    const auto it = sent_per_chat.find(chat);
    out.pending +=
        std::max<std::int64_t>(0, decided - (it == sent_per_chat.end() ? 0 : it->second));
  }
  const auto answered = stats.value("answered_callbacks", std::int64_t{0});
  out.pending += std::max<std::int64_t>(0, decided_answer - answered);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Checks one reply per handled update after a webhook benchmark run"};
  std::string db_url, api;
  std::int64_t users = 10000;
  double drain_seconds = 5;
  bool exact = false, watch = false;
  app.add_option("--db", db_url, "The bot's DATABASE_URL")->required();
  app.add_option("--api", api, "Base URL of nc_fast_bot_api")->required();
  app.add_option("--users", users, "Distinct users the load used")->check(CLI::PositiveNumber);
  app.add_option("--drain-seconds", drain_seconds, "Longest wait for unsent replies to go out");
  app.add_flag("--exact", exact, "Fail unless every decided reply was received by the fake");
  app.add_flag("--watch", watch, "Watch for the whole --drain-seconds, even once all arrived");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  try {
    auto database = nc::store::open_database(db_url);
    std::map<std::int64_t, std::int64_t> expected_per_chat;
    std::int64_t handled = 0, callbacks = 0;
    for (const auto& row : database->execute("SELECT update_id FROM processed_updates")) {
      const auto id = row.integer("update_id");
      ++handled;
      ++expected_per_chat[kFirstUser + id % users];
      if (id % 3 == 2) ++callbacks;
    }
    std::map<std::int64_t, std::int64_t> decided_per_chat;
    std::int64_t decided_send = 0, decided_answer = 0, decided_other = 0;
    for (const auto& row : database->execute(
             "SELECT chat_id, method, COUNT(*) AS n FROM outbox GROUP BY chat_id, method")) {
      const auto method = row.text("method");
      const auto n = row.integer("n");
      if (method == "sendMessage") {
        decided_per_chat[row.integer("chat_id")] += n;
        decided_send += n;
      } else if (method == "answerCallbackQuery") {
        decided_answer += n;
      } else {
        decided_other += n;
      }
    }
    const bool decisions_ok =
        decided_per_chat == expected_per_chat && decided_answer == callbacks && decided_other == 0;

    // Replies still on their way are given until the deadline (or, with --watch, the whole
    // time, so that a late second reply is seen too).
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + std::chrono::duration<double>(drain_seconds);
    auto delivered = compare(fetch_stats(api), decided_per_chat, decided_answer);
    while (std::chrono::steady_clock::now() < deadline && (watch || delivered.pending > 0)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      delivered = compare(fetch_stats(api), decided_per_chat, decided_answer);
    }
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const bool no_dupes = delivered.extra_sends == 0 && delivered.answer_dupes == 0;
    const bool complete = no_dupes && delivered.pending == 0;
    std::cout << fmt::format(
                     "REPLIES handled={} callbacks={} decided_send={} decided_answer={} "
                     "sent_send={} sent_answer={} pending={} dup_chats={} extra_sends={} "
                     "answer_dupes={} decisions_ok={} no_dupes={} complete={} drain_s={:.1f}",
                     handled, callbacks, decided_send, decided_answer, delivered.sent_send,
                     delivered.sent_answer, delivered.pending, delivered.dup_chats,
                     delivered.extra_sends, delivered.answer_dupes, decisions_ok ? "yes" : "no",
                     no_dupes ? "yes" : "no", complete ? "yes" : "no", waited)
              << std::endl;
    return decisions_ok && no_dupes && (complete || !exact) ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "reply check: " << error.what() << '\n';
    return 2;
  }
}
