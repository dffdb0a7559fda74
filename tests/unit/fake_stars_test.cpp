// The fake Bot API's Telegram Stars, driven over HTTP as the bot drives it: sendInvoice rules
// for XTR, a payment's pre_checkout_query and its 10-second deadline, successful_payment,
// refundStarPayment (once) and getStarTransactions.
#include <gtest/gtest.h>

#include "fakes/fake_bot_api.hpp"
#include "fakes/http_client.hpp"

namespace nc::fakes {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::int64_t kUser = 42;

struct Answer {
  int status = 0;
  json body;
};

Answer call(const FakeBotApi& fake, std::string_view method, const json& params) {
  const auto http = http_post(fake.method_url(method), "application/json", params.dump());
  return {http.status, json::parse(http.body, nullptr, false)};
}

json invoice_params(json changes = json::object()) {
  json params = {{"chat_id", kUser},
                 {"title", "NeuroCards credits: 10"},
                 {"description", "A pack of 10 credits"},
                 {"payload", "payment-1"},
                 {"provider_token", ""},
                 {"currency", "XTR"},
                 {"prices", {{{"label", "10 cr."}, {"amount", 150}}}}};
  params.update(changes);
  return params;
}

class FakeStarsTest : public ::testing::Test {
 protected:
  explicit FakeStarsTest(std::chrono::milliseconds deadline = 10s)
      : fake_(FakeBotApiOptions{.pre_checkout_deadline = deadline}) {
    fake_.start();
  }

  // Sends an invoice and pays it: the pre_checkout_query's id.
  std::string pay_an_invoice() {
    const auto sent = call(fake_, "sendInvoice", invoice_params());
    EXPECT_EQ(sent.status, 200);
    return fake_.pay_invoice(kUser, sent.body["result"]["message_id"]).value_or("");
  }

  json pending_updates() { return call(fake_, "getUpdates", {{"timeout", 0}}).body["result"]; }

  FakeBotApi fake_;
};

TEST_F(FakeStarsTest, SendInvoiceTakesOnlyStarsWithOnePrice) {
  const auto sent = call(fake_, "sendInvoice", invoice_params());
  ASSERT_EQ(sent.status, 200);
  EXPECT_EQ(sent.body["result"]["invoice"]["currency"], "XTR");
  EXPECT_EQ(sent.body["result"]["invoice"]["total_amount"], 150);
  EXPECT_EQ(fake_.invoices(kUser).size(), 1u);

  const auto refused = [&](json changes) {
    const auto answer = call(fake_, "sendInvoice", invoice_params(std::move(changes)));
    EXPECT_EQ(answer.status, 400);
    return answer.body.value("description", "");
  };
  EXPECT_EQ(refused({{"currency", "USD"}}), "Bad Request: CURRENCY_INVALID");
  EXPECT_EQ(refused({{"provider_token", "284685063:TEST:abc"}}),
            "Bad Request: PROVIDER_TOKEN_INVALID");
  EXPECT_EQ(
      refused({{"prices", {{{"label", "a"}, {"amount", 1}}, {{"label", "b"}, {"amount", 2}}}}}),
      "Bad Request: STARS_INVOICE_INVALID");
  EXPECT_EQ(refused({{"prices", {{{"label", "a"}, {"amount", 0}}}}}),
            "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID");
  EXPECT_EQ(refused({{"title", std::string(33, 'x')}}), "Bad Request: TITLE_INVALID");
  EXPECT_EQ(refused({{"payload", ""}}), "Bad Request: PAYLOAD_INVALID");
  EXPECT_EQ(fake_.invoices(kUser).size(), 1u);
}

TEST_F(FakeStarsTest, AYesInTimeSendsSuccessfulPayment) {
  const auto query = pay_an_invoice();
  auto updates = pending_updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["pre_checkout_query"]["id"], query);
  EXPECT_EQ(updates[0]["pre_checkout_query"]["invoice_payload"], "payment-1");
  EXPECT_EQ(updates[0]["pre_checkout_query"]["total_amount"], 150);

  EXPECT_EQ(call(fake_, "answerPreCheckoutQuery", {{"pre_checkout_query_id", query}, {"ok", true}})
                .status,
            200);
  const auto payment = fake_.wait_for_payment(query, 1s);
  ASSERT_TRUE(payment);
  EXPECT_EQ(payment->state, FakePaymentState::kPaid);
  updates = call(fake_, "getUpdates", {{"offset", updates[0]["update_id"].get<std::int64_t>() + 1}})
                .body["result"];
  ASSERT_EQ(updates.size(), 1u);
  const auto paid = updates[0]["message"]["successful_payment"];
  EXPECT_EQ(paid["currency"], "XTR");
  EXPECT_EQ(paid["invoice_payload"], "payment-1");
  EXPECT_EQ(paid["telegram_payment_charge_id"], payment->charge_id);
  // An answered query cannot be answered again.
  EXPECT_EQ(call(fake_, "answerPreCheckoutQuery", {{"pre_checkout_query_id", query}, {"ok", true}})
                .status,
            400);
}

TEST_F(FakeStarsTest, ANoNeedsAMessageAndFailsThePayment) {
  const auto query = pay_an_invoice();
  EXPECT_EQ(call(fake_, "answerPreCheckoutQuery", {{"pre_checkout_query_id", query}, {"ok", false}})
                .body["description"],
            "Bad Request: ERROR_MESSAGE_EMPTY");
  EXPECT_EQ(call(fake_, "answerPreCheckoutQuery",
                 {{"pre_checkout_query_id", query}, {"ok", false}, {"error_message", "Stale"}})
                .status,
            200);
  const auto payment = fake_.wait_for_payment(query, 1s);
  EXPECT_EQ(payment->state, FakePaymentState::kDeclined);
  EXPECT_EQ(payment->error_message, "Stale");
  EXPECT_EQ(pending_updates().size(), 1u);  // only the query: no successful_payment
}

class ShortDeadlineTest : public FakeStarsTest {
 protected:
  ShortDeadlineTest() : FakeStarsTest(100ms) {}
};

TEST_F(ShortDeadlineTest, ALateYesFailsThePayment) {
  const auto query = pay_an_invoice();
  fake_.delay_next("answerPreCheckoutQuery", 1, 300ms);  // the bot is slower than the deadline
  const auto late =
      call(fake_, "answerPreCheckoutQuery", {{"pre_checkout_query_id", query}, {"ok", true}});
  EXPECT_EQ(late.status, 400);
  EXPECT_EQ(late.body["description"],
            "Bad Request: query is too old and response timeout expired or query ID is invalid");
  EXPECT_EQ(fake_.wait_for_payment(query, 1s)->state, FakePaymentState::kExpired);
  EXPECT_EQ(pending_updates().size(), 1u);
}

TEST_F(ShortDeadlineTest, AnUnansweredQueryExpires) {
  const auto query = pay_an_invoice();
  EXPECT_EQ(fake_.wait_for_payment(query, 2s)->state, FakePaymentState::kExpired);
}

TEST_F(FakeStarsTest, ARefundWorksOnceAndShowsInTheTransactions) {
  const auto query = pay_an_invoice();
  call(fake_, "answerPreCheckoutQuery", {{"pre_checkout_query_id", query}, {"ok", true}});
  const auto charge = fake_.wait_for_payment(query, 1s)->charge_id;
  const json refund = {{"user_id", kUser}, {"telegram_payment_charge_id", charge}};
  EXPECT_EQ(
      call(fake_, "refundStarPayment", {{"user_id", 7}, {"telegram_payment_charge_id", charge}})
          .body["description"],
      "Bad Request: USER_ID_INVALID");
  EXPECT_EQ(call(fake_, "refundStarPayment", refund).status, 200);
  EXPECT_EQ(call(fake_, "refundStarPayment", refund).body["description"],
            "Bad Request: CHARGE_ALREADY_REFUNDED");
  EXPECT_EQ(
      call(fake_, "refundStarPayment", {{"user_id", kUser}, {"telegram_payment_charge_id", "nope"}})
          .body["description"],
      "Bad Request: CHARGE_NOT_FOUND");

  const auto other = fake_.add_completed_payment(kUser, "payment-2", 400);
  const auto list =
      call(fake_, "getStarTransactions", json::object()).body["result"]["transactions"];
  ASSERT_EQ(list.size(), 3u);  // oldest first: the payment, its refund, the other payment
  EXPECT_EQ(list[0]["id"], charge);
  EXPECT_EQ(list[0]["amount"], 150);
  EXPECT_EQ(list[0]["source"]["user"]["id"], kUser);
  EXPECT_EQ(list[0]["source"]["invoice_payload"], "payment-1");
  EXPECT_EQ(list[1]["id"], charge);
  EXPECT_TRUE(list[1].contains("receiver"));
  EXPECT_EQ(list[2]["id"], other);
  EXPECT_EQ(call(fake_, "getStarTransactions", {{"offset", 2}, {"limit", 1}})
                .body["result"]["transactions"]
                .size(),
            1u);
  EXPECT_EQ(call(fake_, "getStarTransactions", {{"limit", 101}}).status, 400);
}

}  // namespace
}  // namespace nc::fakes
