// The real `neurocards bot` process selling a pack through the fake Bot API, in polling and in
// webhook mode: the pre_checkout_query is answered on the intake path within Telegram's
// deadline even while the outbox is held back by a 429, and successful_payment credits the
// pack once with a receipt.
#include <gtest/gtest.h>

#include "fakes/fake_bot_api.hpp"
#include "fakes/scripted_seller.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "unit/media_test_support.hpp"

namespace nc::testing {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kSeller = 5151;

class PaymentsProcessTest
    : public ::testing::TestWithParam<std::tuple<store::Backend, std::string>> {
 protected:
  PaymentsProcessTest() : db_(std::get<0>(GetParam())) { fake_.start(); }

  std::unique_ptr<BackgroundProcess> start() {
    const auto mode = std::get<1>(GetParam());
    const auto port = free_port();
    std::map<std::string, std::string> env{
        {"BOT_TOKEN", fake_.token()}, {"TELEGRAM_API_URL", fake_.base_url()},
        {"DATABASE_URL", db_.url()},  {"DATA_DIR", dir_.file("data")},
        {"HTTP_HOST", "127.0.0.1"},   {"HTTP_PORT", std::to_string(port)},
        {"BOT_MODE", mode},           {"CREDIT_PACKS", "10:150,30:400"},
        {"LOG_LEVEL", "debug"}};
    if (mode == "webhook") env["PUBLIC_BASE_URL"] = "http://127.0.0.1:" + std::to_string(port);
    auto process = std::make_unique<BackgroundProcess>(std::vector<std::string>{"bot"}, env,
                                                       dir_.file("bot.log"));
    const auto ready = mode == "webhook" ? "setWebhook" : "deleteWebhook";
    EXPECT_TRUE(fake_.wait_for_calls(ready, 1, 15s)) << process->log();
    return process;
  }

  std::int64_t balance() { return store::Users(db_.db()).find(kSeller)->credits; }

  // A short deadline makes "answered in time" mean "not behind the outbox".
  fakes::FakeBotApi fake_{fakes::FakeBotApiOptions{.pre_checkout_deadline = 2s}};
  fakes::ScriptedSeller seller_{fake_, kSeller};
  TestDatabase db_;
  media::testing::TempDir dir_;
};

TEST_P(PaymentsProcessTest, APackIsPaidWhileTheOutboxIsHeldBackAndCreditedOnce) {
  auto bot = start();
  seller_.say("/start");
  EXPECT_NE(seller_.reply(1).find("Привет"), std::string::npos) << bot->log();
  seller_.say("/topup");
  EXPECT_EQ(seller_.reply(2), "💳 Выбери пакет кредитов. Оплата — звёздами Telegram ⭐");
  seller_.press(seller_.button(2, 1), seller_.message_id(2));  // 30 credits for 400 Stars
  ASSERT_TRUE(fake_.wait_for_calls("sendInvoice", 1, 15s)) << bot->log();
  const auto invoices = fake_.invoices(kSeller);
  ASSERT_EQ(invoices.size(), 1u);
  EXPECT_EQ(invoices[0].amount, 400);

  // Replies wait out a 429 for 3 s, longer than the 2 s Telegram gives the pre-checkout answer.
  fake_.rate_limit_next("sendMessage", 1, 3);
  seller_.say("/balance");
  const auto paid = seller_.pay_latest_invoice();
  ASSERT_TRUE(paid) << bot->log();
  EXPECT_EQ(paid->state, fakes::FakePaymentState::kPaid) << bot->log();

  // Replies 3 and 4: the /balance answer refused with 429, then sent; the receipt follows it.
  EXPECT_EQ(seller_.reply(5), "✅ Оплата получена: +30 кр. за 400 ⭐. Баланс: 30 кр.") << bot->log();
  EXPECT_EQ(balance(), 30);
  EXPECT_TRUE(store::Ledger(db_.db()).audit().ok());
}

TEST_P(PaymentsProcessTest, AForgedInvoiceIsRefusedWithAMessage) {
  auto bot = start();
  seller_.say("/start");
  seller_.reply(1);
  const auto query = fake_.pay(kSeller, "forged", 150);
  const auto payment = fake_.wait_for_payment(query, 15s);
  ASSERT_TRUE(payment);
  EXPECT_EQ(payment->state, fakes::FakePaymentState::kDeclined) << bot->log();
  // The fake's users speak English.
  EXPECT_EQ(payment->error_message,
            "This invoice is out of date. Open «💳 Top up» and choose a pack again.");
  EXPECT_EQ(balance(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, PaymentsProcessTest,
    ::testing::Combine(::testing::Values(store::Backend::kSqlite, store::Backend::kPostgres),
                       ::testing::Values(std::string("polling"), std::string("webhook"))),
    [](const auto& case_info) {
      return std::string(std::get<0>(case_info.param) == store::Backend::kPostgres ? "Postgres"
                                                                                   : "Sqlite") +
             (std::get<1>(case_info.param) == "webhook" ? "Webhook" : "Polling");
    });

}  // namespace
}  // namespace nc::testing
