// A minimal, fast fake Telegram Bot API for benchmarks: answers every /bot<token>/<method> at
// once and counts what it was asked, so a benchmark can check that each update got exactly one
// reply. Unlike tests/fakes/fake_bot_api it keeps no call bodies and enforces no Telegram rules.
//
//   nc_fast_bot_api --port 18001
//   GET /stats -> {"calls": {"sendMessage": 3, ...}, "send_per_chat": {"1000001": 2, ...},
//                  "answered_callbacks": 1, "answer_duplicates": 0}
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "loopback_server.hpp"
#include "net/http_server.hpp"

namespace {

namespace asio = boost::asio;
using nlohmann::json;

// What the benchmark checks afterwards. Only the one event-loop thread touches it.
struct Counts {
  std::map<std::string, std::int64_t> calls;                     // per method
  std::unordered_map<std::int64_t, std::int64_t> send_per_chat;  // sendMessage per chat_id
  std::unordered_map<std::string, int> answers;                  // answerCallbackQuery per id
  std::int64_t answer_duplicates = 0;
  std::int64_t next_message_id = 1;
};

nc::net::HttpServerResponse json_response(int status, const json& body) {
  nc::net::HttpServerResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

std::optional<std::int64_t> chat_id_of(const json& params) {
  const auto it = params.find("chat_id");
  if (it == params.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// "/bot<token>/<method>" -> method; "" when the path is not a Bot API method.
std::string method_of(const std::string& path) {
  if (!path.starts_with("/bot")) return {};
  const auto slash = path.find('/', 4);
  if (slash == std::string::npos || slash + 1 >= path.size()) return {};
  return path.substr(slash + 1);
}

json answer(Counts& counts, const std::string& method, const std::string& body) {
  ++counts.calls[method];
  // Multipart calls (setWebhook, sendVideo) are counted but not read.
  const auto params = json::parse(body, nullptr, false);
  const auto chat_id = params.is_object() ? chat_id_of(params) : std::nullopt;
  if (method == "answerCallbackQuery" && params.is_object()) {
    const auto id = params.value("callback_query_id", std::string());
    if (++counts.answers[id] > 1) ++counts.answer_duplicates;
  }
  const bool sends =
      method.starts_with("send") || method.starts_with("edit") || method == "copyMessage";
  if (!sends) return {{"ok", true}, {"result", true}};
  if (method == "sendMessage" && chat_id) ++counts.send_per_chat[*chat_id];
  return {{"ok", true},
          {"result",
           {{"message_id", counts.next_message_id++},
            {"date", static_cast<std::int64_t>(std::time(nullptr))},
            {"chat", {{"id", chat_id.value_or(0)}, {"type", "private"}}}}}};
}

json stats(const Counts& counts) {
  json per_chat = json::object();
  for (const auto& [chat, n] : counts.send_per_chat)
    per_chat[std::to_string(chat)] = n;
  return {{"calls", counts.calls},
          {"send_per_chat", std::move(per_chat)},
          {"answered_callbacks", counts.answers.size()},
          {"answer_duplicates", counts.answer_duplicates}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fast fake Telegram Bot API for benchmarks (counts replies, GET /stats)"};
  nc::bench::ListenAddress address;
  address.add_options(app);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  asio::io_context io(1);
  Counts counts;
  nc::net::HttpServer server(io, address.server_options());
  server.route(
      "*", "/bot",
      [&](nc::net::HttpServerRequest request) -> asio::awaitable<nc::net::HttpServerResponse> {
        const auto method = method_of(request.path);
        if (method.empty()) {
          co_return json_response(
              404, {{"ok", false}, {"error_code", 404}, {"description", "Not Found"}});
        }
        co_return json_response(200, answer(counts, method, request.body));
      });
  server.route("GET", "/stats",
               [&](nc::net::HttpServerRequest) -> asio::awaitable<nc::net::HttpServerResponse> {
                 co_return json_response(200, stats(counts));
               });
  nc::bench::serve_until_signal(io, server, "fast Bot API", address);
  return 0;
}
