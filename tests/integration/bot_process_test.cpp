// The real `neurocards bot` process against the fake Bot API over loopback HTTP: a seller's
// whole flow in polling and webhook mode, redelivery, a restart mid-flow, the webhook's
// 401/400/413 answers, one poller across instances, mode switches, 429 and blocked users.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "fakes/fake_bot_api.hpp"
#include "fakes/http_client.hpp"
#include "fakes/scripted_seller.hpp"
#include "fakes/self_signed_certificate.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "net/http_client.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "unit/media_test_support.hpp"

namespace nc::testing {
namespace {

using namespace std::chrono_literals;
using fakes::ScriptedSeller;
using nlohmann::json;
constexpr std::int64_t kSeller = 4242;

net::HttpResponse http_post(const std::string& url,
                            std::vector<std::pair<std::string, std::string>> headers,
                            std::string body) {
  boost::asio::io_context io;
  net::HttpClient client(io);
  net::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = std::move(headers);
  request.body = std::move(body);
  auto future = boost::asio::co_spawn(io, client.send(std::move(request)), boost::asio::use_future);
  io.run();
  return future.get();
}

class BotProcessTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  BotProcessTest() : db_(GetParam()) {
    fake_.start();
    port_ = free_port();
    photo_ = dir_.file("product.jpg");
    media::testing::gradient(900, 1200).write_to_file(photo_.c_str());
    fake_.add_file("photo-1", photo_);
  }

  std::map<std::string, std::string> env(const std::string& mode) {
    std::map<std::string, std::string> values{
        {"BOT_TOKEN", fake_.token()}, {"TELEGRAM_API_URL", fake_.base_url()},
        {"DATABASE_URL", db_.url()},  {"DATA_DIR", dir_.file("data")},
        {"HTTP_HOST", "127.0.0.1"},   {"HTTP_PORT", std::to_string(port_)},
        {"LOG_LEVEL", "debug"},       {"BOT_MODE", mode},
        {"START_CREDITS", "5"}};
    if (mode == "webhook") values["PUBLIC_BASE_URL"] = base_url();
    return values;
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<BackgroundProcess> start(const std::string& mode, int port = 0) {
    if (port) port_ = port;
    auto process = std::make_unique<BackgroundProcess>(std::vector<std::string>{"bot"}, env(mode),
                                                       dir_.file("bot.log"));
    // getUpdates is recorded only when its long poll ends; deleteWebhook starts polling.
    const auto ready_call = mode == "webhook" ? "setWebhook" : "deleteWebhook";
    const auto before = fake_.call_count(ready_call);
    EXPECT_TRUE(fake_.wait_for_calls(ready_call, before + 1, 15s)) << process->log();
    return process;
  }

  // Waits for the n-th sendMessage to the seller and returns its text.
  std::string reply(std::size_t n) {
    auto text = seller_.reply(n);
    EXPECT_GE(seller_.reply_count(), n) << log();
    return text;
  }
  json keyboard(std::size_t n) { return seller_.keyboard(n); }
  std::string button(std::size_t n, int row, int column = 0) {
    return seller_.button(n, row, column);
  }
  std::int64_t message_id(std::size_t n) { return seller_.message_id(n); }
  void press(const std::string& data, std::int64_t message) { seller_.press(data, message); }
  void say(const std::string& text) { seller_.say(text); }
  void send_photo() { seller_.send_photo("photo-1", 900, 1200); }
  static json russian(json update) { return ScriptedSeller::russian(std::move(update)); }
  std::string log() const {
    std::ifstream in(dir_.file("bot.log"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fakes::FakeBotApi fake_;
  ScriptedSeller seller_{fake_, kSeller};
  TestDatabase db_;
  media::testing::TempDir dir_;
  unsigned short port_ = 0;
  std::string photo_;
};

TEST_P(BotProcessTest, PollingSellerGoesFromStartToPaidJobs) {
  auto bot = start("polling");
  EXPECT_GE(fake_.call_count("deleteWebhook"), 1u);  // polling removes any webhook first
  say("/start");
  EXPECT_NE(reply(1).find("Привет"), std::string::npos);
  press(button(1, 0), message_id(1));
  EXPECT_EQ(reply(2), "Пришли фото товара 📸");
  EXPECT_TRUE(fake_.wait_for_calls("answerCallbackQuery", 1, 5s));
  send_photo();
  EXPECT_EQ(reply(3), "Опиши товар: название и 2–3 главных преимущества.");
  say("Термокружка 450 мл, держит тепло 6 часов");
  EXPECT_EQ(reply(4), "Выбери формат видео:");
  press(button(4, 0), message_id(4));  // studio 360
  EXPECT_EQ(reply(5), "Есть пожелания к видео? Напиши их или нажми «Пропустить».");
  press(button(5, 0), message_id(5));  // skip
  EXPECT_EQ(reply(6), "Сколько видео сделать?");
  press(button(6, 0, 1), message_id(6));  // 3
  EXPECT_NE(reply(7).find("Стоимость: 3 кр. Баланс: 5 кр."), std::string::npos);
  press(button(7, 0, 0), message_id(7));  // launch
  EXPECT_EQ(reply(8), "🚀 Запустил генерацию 3 видео… Пришлю каждое, как только будет готово.");
  // Every button press was answered.
  EXPECT_TRUE(fake_.wait_for_calls("answerCallbackQuery", 5, 5s));
  EXPECT_EQ(bot->terminate(), 0) << log();

  auto jobs = store::JobQueue(db_.db()).list({.tg_user_id = kSeller});
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].template_id, "studio_360");
  EXPECT_TRUE(std::filesystem::exists(jobs[0].input_photo_path)) << jobs[0].input_photo_path;
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 2);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
}

TEST_P(BotProcessTest, KilledMidFlowTheSellerContinues) {
  auto bot = start("polling");
  say("/start");
  reply(1);
  press(button(1, 0), message_id(1));
  reply(2);
  send_photo();
  reply(3);
  bot->kill_hard();
  say("Рюкзак городской, 25 л");  // arrives while the bot is down
  bot = start("polling");
  EXPECT_EQ(reply(4), "Выбери формат видео:");
  EXPECT_EQ(fake_.call_count("sendMessage"), 4u);  // nothing was answered twice
}

TEST_P(BotProcessTest, BadInputsDoubleTapAndShortBalanceOverHttp) {
  auto bot = start("polling");
  say("/start");
  reply(1);
  press(button(1, 0), message_id(1));
  reply(2);
  auto sticker = russian(fake_.make_text_message(kSeller, ""));
  sticker["message"].erase("text");
  sticker["message"]["sticker"] = {
      {"file_id", "CAAC"},    {"file_unique_id", "u"}, {"width", 512},     {"height", 512},
      {"is_animated", false}, {"is_video", false},     {"type", "regular"}};
  fake_.push_update(sticker);
  EXPECT_EQ(reply(3),
            "Нужна фотография товара: пришли фото (или картинку файлом: JPEG, PNG, WebP).");
  auto pdf = russian(fake_.make_document_message(kSeller, "doc-1", "price.pdf", "application/pdf"));
  fake_.push_update(pdf);
  EXPECT_EQ(reply(4),
            "Нужна фотография товара: пришли фото (или картинку файлом: JPEG, PNG, WebP).");
  const auto tiny = dir_.file("tiny.png");
  media::testing::gradient(300, 200).write_to_file(tiny.c_str());
  fake_.add_file("tiny-1", tiny);
  fake_.push_update(russian(fake_.make_photo_message(kSeller, "tiny-1", 300, 200)));
  EXPECT_EQ(reply(5),
            "Фото слишком маленькое: нужно не меньше 512 пикселей по короткой стороне. "
            "Пришли фото получше.");
  send_photo();
  reply(6);
  say("Чайник");
  reply(7);
  press(button(7, 0), message_id(7));
  reply(8);
  press(button(8, 0), message_id(8));
  reply(9);
  press(button(9, 0, 2), message_id(9));  // 5 videos, 5 credits: exactly enough
  reply(10);
  press(button(10, 0, 0), message_id(10));
  press(button(10, 0, 0), message_id(10));  // the double tap
  EXPECT_NE(reply(11).find("🚀 Запустил генерацию 5 видео"), std::string::npos);
  EXPECT_TRUE(fake_.wait_for_calls("answerCallbackQuery", 6, 10s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake_.call_count("sendMessage"), 11u);
  EXPECT_EQ(store::JobQueue(db_.db()).list({.tg_user_id = kSeller}).size(), 5u);
  // The balance is now 0: another order of 1 is refused with the numbers.
  press(button(1, 0), message_id(1));
  reply(12);
  send_photo();
  reply(13);
  say("Чайник");
  reply(14);
  press(button(14, 0), message_id(14));
  reply(15);
  press(button(15, 0), message_id(15));
  reply(16);
  press(button(16, 0, 0), message_id(16));
  reply(17);
  press(button(17, 0, 0), message_id(17));
  EXPECT_EQ(reply(18),
            "Не хватает кредитов: нужно 1, на балансе 0. Выбери меньше видео или "
            "пополни баланс.");
  EXPECT_EQ(store::JobQueue(db_.db()).list({.tg_user_id = kSeller}).size(), 5u);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
}

NC_BOTH_BACKENDS(BotProcessTest);

class BotWebhookTest : public BotProcessTest {};

TEST_P(BotWebhookTest, RedeliveredUpdateIsHandledOnce) {
  auto bot = start("webhook");
  auto hook = fake_.webhook();
  EXPECT_EQ(hook.url, base_url() + "/tg/webhook");
  EXPECT_FALSE(hook.secret_token.empty());
  fake_.redeliver_next();
  say("/start");
  EXPECT_TRUE(fake_.wait_for_deliveries(2, 10s));
  reply(1);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(fake_.call_count("sendMessage"), 1u);
}

TEST_P(BotWebhookTest, ForgedOversizedAndGarbageRequestsAreRefused) {
  auto bot = start("webhook");
  const auto url = base_url() + "/tg/webhook";
  const auto secret = fake_.webhook().secret_token;
  auto update = russian(fake_.make_text_message(kSeller, "/start"));
  update["update_id"] = 777;
  EXPECT_EQ(http_post(url, {{"Content-Type", "application/json"}}, update.dump()).status, 401);
  EXPECT_EQ(http_post(url, {{"X-Telegram-Bot-Api-Secret-Token", "wrong"}}, update.dump()).status,
            401);
  EXPECT_EQ(http_post(url, {{"X-Telegram-Bot-Api-Secret-Token", secret}}, "{not json").status, 400);
  EXPECT_EQ(http_post(url, {{"X-Telegram-Bot-Api-Secret-Token", secret}}, std::string(2 << 20, 'x'))
                .status,
            413);
  EXPECT_EQ(fake_.call_count("sendMessage"), 0u);  // none of that changed anything
  EXPECT_EQ(http_post(url, {{"X-Telegram-Bot-Api-Secret-Token", secret}}, update.dump()).status,
            200);
  reply(1);
  EXPECT_EQ(http_post(url, {{"X-Telegram-Bot-Api-Secret-Token", secret}}, update.dump()).status,
            200);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(fake_.call_count("sendMessage"), 1u);
}

TEST_P(BotWebhookTest, SwitchingModesWorksBothWays) {
  auto bot = start("webhook");
  say("/start");
  reply(1);
  EXPECT_EQ(bot->terminate(), 0);
  bot = start("polling");
  EXPECT_TRUE(fake_.webhook().url.empty());
  say("/balance");
  EXPECT_NE(reply(2).find("Баланс: 5 кр."), std::string::npos);
  EXPECT_EQ(bot->terminate(), 0);
  bot = start("webhook");
  EXPECT_FALSE(fake_.webhook().url.empty());
  say("/help");
  EXPECT_NE(reply(3).find("Как это работает"), std::string::npos);
}

TEST_P(BotWebhookTest, ServesHttpsItselfAndUploadsItsSelfSignedCertificate) {
  auto certificate = fakes::make_self_signed_certificate(dir_.path(), "127.0.0.1");
  auto values = env("webhook");
  values["PUBLIC_BASE_URL"] = "https://127.0.0.1:" + std::to_string(port_);
  values["TLS_CERT"] = certificate.certificate.string();
  values["TLS_KEY"] = certificate.key.string();
  BackgroundProcess bot({"bot"}, values, dir_.file("bot.log"));
  ASSERT_TRUE(fake_.wait_for_calls("setWebhook", 1, 15s)) << log();
  const auto hook = fake_.webhook();
  EXPECT_EQ(hook.url, "https://127.0.0.1:" + std::to_string(port_) + "/tg/webhook");
  EXPECT_EQ(hook.certificate, certificate.certificate_pem);
  say("/start");  // delivered over TLS, checked against the uploaded certificate
  EXPECT_NE(reply(1).find("Привет"), std::string::npos);
  EXPECT_EQ(bot.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, BotWebhookTest, ::testing::Values(store::Backend::kSqlite),
                         backend_name);

class BotPollingTest : public BotProcessTest {};

TEST_P(BotPollingTest, SecondInstanceWaitsInsteadOfFighting) {
  auto first = start("polling");
  auto second = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"bot"},
      [&] {
        auto values = env("polling");
        values["HTTP_PORT"] = std::to_string(free_port());
        return values;
      }(),
      dir_.file("second.log"));
  std::this_thread::sleep_for(3s);
  for (const auto& call : fake_.calls("getUpdates"))
    EXPECT_NE(call.status, 409);
  say("/start");
  reply(1);
  EXPECT_EQ(first->terminate(), 0);  // hands the lease over
  say("/balance");
  EXPECT_NE(reply(2).find("Баланс"), std::string::npos);
  // The stopped instance's open long poll is answered 409 once the successor polls, as on the
  // real server, but nobody is listening any more; the successor itself never meets a conflict.
  std::ifstream in(dir_.file("second.log"));
  std::stringstream second_log;
  second_log << in.rdbuf();
  EXPECT_NE(second_log.str().find("another instance"), std::string::npos) << second_log.str();
  EXPECT_EQ(second_log.str().find("Telegram says"), std::string::npos) << second_log.str();
}

TEST_P(BotPollingTest, RetryAfterIsHonouredAndBlockedUsersAreMarked) {
  auto bot = start("polling");
  fake_.rate_limit_next("sendMessage", 1, 2);
  say("/start");
  reply(2);  // the 429, then the retry
  auto calls = fake_.calls("sendMessage");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].status, 429);
  EXPECT_GE(calls[1].received_at - calls[0].received_at, 2s);

  fake_.block_chat(kSeller);
  say("/balance");
  EXPECT_TRUE(fake_.wait_for_calls("sendMessage", 3, 10s));
  EXPECT_EQ(fake_.calls("sendMessage")[2].status, 403);
  for (int i = 0; i < 100 && !store::Users(db_.db()).find(kSeller)->blocked; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(store::Users(db_.db()).find(kSeller)->blocked);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(fake_.call_count("sendMessage"), 3u);  // a 403 is not retried
}

INSTANTIATE_TEST_SUITE_P(Backends, BotPollingTest, ::testing::Values(store::Backend::kSqlite),
                         backend_name);

// GET /metrics of the running bot, and its JSON logs.
class BotMetricsTest : public BotProcessTest {
 protected:
  // Every sample of a scrape by "name{labels}"; a line that is not the text format fails.
  std::map<std::string, double> scrape() {
    const auto response = fakes::http_get(base_url() + "/metrics");
    EXPECT_EQ(response.status, 200) << response.error;
    EXPECT_TRUE(
        response.header("content-type").value_or("").starts_with("text/plain; version=0.0.4"));
    static const std::regex sample(
        R"re(([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})?) (NaN|[+-]Inf|-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?))re");
    static const std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
    std::map<std::string, double> samples;
    std::istringstream body(response.body);
    for (std::string line; std::getline(body, line);) {
      std::smatch match;
      if (std::regex_match(line, comment)) continue;
      EXPECT_TRUE(std::regex_match(line, match, sample)) << "not the text format: " << line;
      if (!match.empty()) samples[match[1]] = std::stod(match[6]);
    }
    return samples;
  }
  // Scrapes until the sample satisfies `done` (counters move just after a reply is sent);
  // returns its last value, -1 when it never appeared.
  double wait_until(const std::string& series, const std::function<bool(double)>& done,
                    std::chrono::seconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    double value = -1;
    while (std::chrono::steady_clock::now() < until) {
      auto samples = scrape();
      if (samples.count(series)) value = samples[series];
      if (value >= 0 && done(value)) break;
      std::this_thread::sleep_for(100ms);
    }
    return value;
  }
  double wait_for(const std::string& series, double at_least, std::chrono::seconds limit = 10s) {
    return wait_until(
        series, [at_least](double value) { return value >= at_least; }, limit);
  }
};

TEST_P(BotMetricsTest, MetricsCountTheSellersTurnsWithoutNamingThem) {
  auto bot = start("polling");
  EXPECT_NE(seller_.order("photo-1", "Термокружка", 1).find("🚀"), std::string::npos) << log();

  EXPECT_GE(wait_for(R"(nc_telegram_calls_total{method="sendMessage",result="ok"})", 8), 8);
  EXPECT_GE(wait_for(R"(nc_updates_handled_total{type="callback_query",outcome="handled"})", 5), 5);
  EXPECT_EQ(wait_until("nc_send_queue_depth", [](double depth) { return depth == 0; }), 0);
  // The queue's gauges are read in the background every 5 s, not on each scrape.
  EXPECT_EQ(wait_for(R"(nc_jobs{state="queued"})", 1), 1);
  const auto samples = scrape();
  EXPECT_EQ(samples.at(R"(nc_updates_handled_total{type="message",outcome="handled"})"), 3);
  EXPECT_EQ(samples.at(R"(nc_updates_received_total{type="message"})"), 3);
  EXPECT_EQ(samples.at(R"(nc_update_handling_seconds_count{type="message"})"), 3);
  EXPECT_EQ(samples.at(R"(nc_update_handling_seconds_bucket{type="message",le="+Inf"})"), 3);
  EXPECT_EQ(samples.at(R"(nc_jobs{state="queued"})"), 1);
  EXPECT_EQ(samples.at(R"(nc_jobs{state="done"})"), 0);  // every state, even when none
  EXPECT_EQ(samples.at("nc_credits_charged_total"), 1);
  EXPECT_GE(samples.at(R"(nc_telegram_calls_total{method="answerCallbackQuery",result="ok"})"), 5);
  EXPECT_EQ(samples.count("nc_jobs_in_flight"), 0u);  // a bot runs no worker
  bool build_info = false;
  for (const auto& [series, value] : samples) {
    build_info = build_info || (series.starts_with("nc_build_info{version=\"") && value == 1);
    EXPECT_EQ(series.find(std::to_string(kSeller)), std::string::npos) << series;
  }
  EXPECT_TRUE(build_info);
  EXPECT_EQ(bot->terminate(), 0) << log();
}

TEST_P(BotMetricsTest, TheWorkerReportsRendersDurationsAndRefunds) {
  store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
  store::Ledger(db_.db()).grant(kSeller, 2, "g", "");
  for (const auto& photo : {photo_, dir_.file("missing.jpg")}) {
    auto result = run_binary({"enqueue", "--user", std::to_string(kSeller), "--photo", photo,
                              "--text", "Кружка", "--charge"},
                             {{"DATABASE_URL", db_.url()}});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }
  BackgroundProcess run({"run"}, env("polling"), dir_.file("bot.log"));
  ASSERT_TRUE(fake_.wait_for_calls("deleteWebhook", 1, 15s)) << log();
  // A local render takes seconds, many more on a busy machine.
  EXPECT_EQ(wait_for(R"(nc_job_duration_seconds_count{state="done"})", 1, 90s), 1) << log();
  EXPECT_EQ(wait_for(R"(nc_job_duration_seconds_count{state="failed"})", 1), 1) << log();
  EXPECT_EQ(wait_for(R"(nc_jobs{state="failed"})", 1), 1);  // refreshed every 5 s
  const auto samples = scrape();
  EXPECT_EQ(samples.at(R"(nc_provider_calls_total{endpoint="render",result="ok"})"), 1);
  EXPECT_EQ(samples.at("nc_credits_refunded_total"), 1);
  EXPECT_EQ(samples.at("nc_credits_charged_total"), 0);  // charged by the enqueue command
  EXPECT_EQ(samples.at(R"(nc_jobs{state="failed"})"), 1);
  EXPECT_EQ(samples.count("nc_jobs_in_flight"), 1u);
  EXPECT_EQ(samples.at(R"(nc_telegram_calls_total{method="sendVideo",result="ok"})"), 1);
  EXPECT_EQ(run.terminate(), 0) << log();
}

TEST_P(BotMetricsTest, JsonLogsAreOneObjectPerLine) {
  auto values = env("polling");
  values["LOG_FORMAT"] = "json";
  const auto log_path = dir_.file("json.log");
  BackgroundProcess bot({"bot"}, values, log_path);
  ASSERT_TRUE(fake_.wait_for_calls("deleteWebhook", 1, 15s)) << bot.log();
  say("/start");
  reply(1);
  say("a \"quoted\" line\nand \\ more");
  reply(2);
  EXPECT_EQ(bot.terminate(), 0);
  std::istringstream text(bot.log());
  int lines = 0;
  for (std::string line; std::getline(text, line); ++lines) {
    ASSERT_TRUE(json::accept(line)) << line;
    const auto entry = json::parse(line);
    EXPECT_TRUE(entry["ts"].is_string() && entry["level"].is_string() && entry["msg"].is_string())
        << line;
    EXPECT_EQ(entry["logger"], "neurocards");
  }
  EXPECT_GE(lines, 5) << bot.log();
}

NC_BOTH_BACKENDS(BotMetricsTest);

}  // namespace
}  // namespace nc::testing

namespace nc::testing {
namespace {

class RunProcessTest : public BotProcessTest {
 protected:
  std::unique_ptr<BackgroundProcess> start_run() {
    auto process = std::make_unique<BackgroundProcess>(std::vector<std::string>{"run"},
                                                       env("polling"), dir_.file("bot.log"));
    EXPECT_TRUE(fake_.wait_for_calls("deleteWebhook", 1, 15s)) << process->log();
    return process;
  }
};

TEST_P(RunProcessTest, ABatchOfThreeIsRenderedAndDeliveredWithButtons) {
  auto bot = start_run();
  say("/start");
  reply(1);
  press(button(1, 0), message_id(1));
  reply(2);
  send_photo();
  reply(3);
  say("Термокружка 450 мл");
  reply(4);
  press(button(4, 1), message_id(4));  // unboxing
  reply(5);
  say("больше света");
  reply(6);
  press(button(6, 0, 1), message_id(6));  // 3
  reply(7);
  press(button(7, 0, 0), message_id(7));
  EXPECT_NE(reply(8).find("🚀"), std::string::npos);
  ASSERT_TRUE(fake_.wait_for_calls("sendVideo", 3, 120s)) << log();
  std::set<std::string> captions;
  for (const auto& call : fake_.calls("sendVideo")) {
    EXPECT_EQ(call.status, 200);
    captions.insert(call.params.value("caption", ""));
    ASSERT_EQ(call.files.size(), 1u);
    EXPECT_GT(call.files[0].size, 100'000u);
    auto markup = call.params["reply_markup"];
    if (markup.is_string()) markup = json::parse(markup.get<std::string>());
    EXPECT_EQ(markup["inline_keyboard"][0][0]["callback_data"], "retry_same_product");
    EXPECT_EQ(markup["inline_keyboard"][1][0]["callback_data"], "back_to_menu");
  }
  EXPECT_EQ(captions, (std::set<std::string>{"✅ Видео готово! (1/3)", "✅ Видео готово! (2/3)",
                                             "✅ Видео готово! (3/3)"}));
  // The worker records the delivery right after Telegram answers.
  auto all_done = [&] {
    for (const auto& job : store::JobQueue(db_.db()).list({.tg_user_id = kSeller})) {
      if (job.status != core::JobStatus::kDone) return false;
    }
    return true;
  };
  for (int i = 0; i < 100 && !all_done(); ++i)
    std::this_thread::sleep_for(100ms);
  for (const auto& job : store::JobQueue(db_.db()).list({.tg_user_id = kSeller})) {
    EXPECT_EQ(job.status, core::JobStatus::kDone);
    EXPECT_TRUE(job.tg_message_id.has_value());
  }
  // «Сделать ещё с этим товаром» under a delivered video, long after the flow ended.
  const auto video_message =
      fake_.calls("sendVideo")[0].response["result"]["message_id"].get<std::int64_t>();
  press("retry_same_product", video_message);
  EXPECT_EQ(reply(9), "Выбери формат видео:");
  EXPECT_EQ(bot->terminate(), 0) << log();
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 2);
}

TEST_P(RunProcessTest, AFailedJobIsRefundedOnceWithAPlainMessage) {
  store::Users(db_.db()).upsert(kSeller, "seller", "ru", 0);
  store::Ledger(db_.db()).grant(kSeller, 1, "g", "");
  auto result = run_binary({"enqueue", "--user", std::to_string(kSeller), "--photo",
                            dir_.file("missing.jpg"), "--text", "Кружка", "--charge"},
                           {{"DATABASE_URL", db_.url()}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 0);
  auto bot = start_run();
  const auto text = reply(1);
  EXPECT_EQ(
      text,
      "😔 Не получилось сделать видео: фото товара больше недоступно\nКредит возвращён на баланс.");
  EXPECT_EQ(button(1, 0), "retry_same_product");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(fake_.call_count("sendMessage"), 1u);
  EXPECT_EQ(store::Users(db_.db()).find(kSeller)->credits, 1);
  auto jobs = store::JobQueue(db_.db()).list({.tg_user_id = kSeller});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].status, core::JobStatus::kFailed);
  EXPECT_EQ(jobs[0].tg_message_id, message_id(1));  // the buttons under it find the job
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
}

NC_BOTH_BACKENDS(RunProcessTest);

}  // namespace
}  // namespace nc::testing
