// Each HTTP route on its own, called as the server calls it (the provider callback route, which
// needs a store, is exercised by the worker tests on both stores).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "http/files_route.hpp"
#include "http/health_route.hpp"
#include "http/metrics_route.hpp"
#include "http/ready_route.hpp"
#include "http/webhook_route.hpp"
#include "net/event.hpp"
#include "net/signed_link.hpp"
#include "unit/media_test_support.hpp"

namespace nc::http {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

net::HttpServerResponse call(Route& route, net::HttpServerRequest request) {
  asio::io_context io;
  auto handled = route.handle(std::move(request));
  auto result = asio::co_spawn(io, std::move(handled), asio::use_future);
  io.run();
  return result.get();
}

net::HttpServerRequest request_to(std::string path,
                                  std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::HttpServerRequest request;
  request.method = "GET";
  request.path = std::move(path);
  request.headers = std::move(headers);
  return request;
}

const BuildIdentity kBuild{"0.1.0", "abc123"};

TEST(HealthRoute, AnswersWithTheBuild) {
  HealthRoute route(kBuild);
  const auto response = call(route, request_to("/healthz"));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("abc123"), std::string::npos) << response.body;
}

TEST(ReadyRoute, SaysWhichPartIsNotReady) {
  bool store = true, intake = false;
  ReadyRoute route(Readiness{.mode = "polling",
                             .store_answers = [&] { return store; },
                             .intake_runs = [&] { return intake; }},
                   kBuild);
  auto response = call(route, request_to("/readyz"));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(json::parse(response.body)["intake"], false);
  intake = true;
  EXPECT_EQ(call(route, request_to("/readyz")).status, 200);
  store = false;
  response = call(route, request_to("/readyz"));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(json::parse(response.body)["store"], false);
}

TEST(MetricsRoute, OpenWithoutATokenAndClosedToWrongOnesWithOne) {
  obs::Registry registry;
  registry.counter("nc_things_total", "things").with({}).inc();
  MetricsRoute open(registry, "");
  auto response = call(open, request_to("/metrics"));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("nc_things_total 1"), std::string::npos) << response.body;

  MetricsRoute closed(registry, "t0ken");
  EXPECT_EQ(call(closed, request_to("/metrics")).status, 401);
  EXPECT_EQ(call(closed, request_to("/metrics", {{"authorization", "Bearer wrong"}})).status, 401);
  response = call(closed, request_to("/metrics", {{"authorization", "Bearer t0ken"}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("nc_things_total 1"), std::string::npos);
}

TEST(FilesRoute, ServesOnlySignedUnexpiredLinksToSafeNames) {
  media::testing::TempDir dir;
  std::ofstream(dir.file("in.jpg")) << "jpeg";
  const std::int64_t now = 1'800'000'000;
  FilesRoute route(dir.path(), "secret", [&] { return now; });
  auto signed_request = [&](std::string name, std::int64_t expires, std::string secret) {
    auto request = request_to("/files/" + name);
    const auto query = net::sign_link(name, expires, secret);
    request.query["exp"] = query.substr(4, query.find('&') - 4);
    request.query["sig"] = query.substr(query.find("sig=") + 4);
    return request;
  };
  const auto served = call(route, signed_request("in.jpg", now + 60, "secret"));
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(served.file_path, dir.file("in.jpg"));
  EXPECT_EQ(call(route, signed_request("in.jpg", now - 1, "secret")).status, 404);  // expired
  EXPECT_EQ(call(route, signed_request("in.jpg", now + 60, "other")).status, 404);  // forged
  EXPECT_EQ(call(route, signed_request("gone.jpg", now + 60, "secret")).status, 404);
  EXPECT_EQ(call(route, signed_request("../in.jpg", now + 60, "secret")).status, 404);
}

class RecordingSink final : public telegram::UpdateSink {
 public:
  asio::awaitable<void> deliver(telegram::Update update) override {
    delivered.push_back(update.update_id);
    co_return;
  }
  asio::awaitable<void> skip(std::int64_t update_id) override {
    skipped.push_back(update_id);
    co_return;
  }
  std::vector<std::int64_t> delivered, skipped;
};

TEST(WebhookRoute, TakesOnlyTelegramsUpdates) {
  RecordingSink sink;
  WebhookRoute route(sink, "s3cret");
  auto post = [&](std::string body, std::optional<std::string> secret) {
    auto request = request_to(std::string(WebhookRoute::kPath));
    request.method = "POST";
    request.body = std::move(body);
    if (secret) request.headers.emplace_back("x-telegram-bot-api-secret-token", *secret);
    return call(route, std::move(request));
  };
  const std::string update =
      R"({"update_id":7,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},)"
      R"("from":{"id":5,"is_bot":false,"first_name":"A"},"text":"hi"}})";
  EXPECT_EQ(post(update, std::nullopt).status, 401);
  EXPECT_EQ(post(update, "wrong").status, 401);
  EXPECT_EQ(post("{not json", "s3cret").status, 400);
  EXPECT_TRUE(sink.delivered.empty());
  EXPECT_EQ(post(update, "s3cret").status, 200);
  EXPECT_EQ(sink.delivered, std::vector<std::int64_t>{7});
}

// Holds every update until released, as a backed-up store would.
class StalledSink final : public telegram::UpdateSink {
 public:
  explicit StalledSink(asio::io_context& io) : released(io) {}
  asio::awaitable<void> deliver(telegram::Update) override { co_await released.wait(); }
  asio::awaitable<void> skip(std::int64_t) override { co_return; }
  net::Event released;
};

TEST(WebhookRoute, PastItsBoundItAsksTelegramToRetry) {
  asio::io_context io;
  StalledSink sink(io);
  WebhookRoute route(sink, "s", 2);
  std::vector<net::HttpServerResponse> answers;
  for (int id = 1; id <= 3; ++id) {
    auto request = request_to(std::string(WebhookRoute::kPath));
    request.headers.emplace_back("x-telegram-bot-api-secret-token", "s");
    request.body = R"({"update_id":)" + std::to_string(id) + "}";
    auto handled = route.handle(std::move(request));
    asio::co_spawn(io, std::move(handled), [&](std::exception_ptr, net::HttpServerResponse answer) {
      answers.push_back(std::move(answer));
    });
  }
  io.run_for(std::chrono::milliseconds(50));
  ASSERT_EQ(answers.size(), 1u);  // the third, at once
  EXPECT_EQ(answers[0].status, 503);
  EXPECT_EQ(answers[0].headers,
            (std::vector<std::pair<std::string, std::string>>{{"Retry-After", "1"}}));
  sink.released.set();
  io.run();
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[1].status, 200);
  EXPECT_EQ(answers[2].status, 200);
}

}  // namespace
}  // namespace nc::http
