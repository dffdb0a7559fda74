// Top-ups with Telegram Stars on both stores, through the production path (handle_in_batch):
// a seller with no credits buys a pack at the summary and orders; every payment is credited
// once under redelivery, concurrent fronts and a crash before commit; stale or forged invoices
// are refused at pre-checkout. The ledger audit holds after each test.
#include "store/payments.hpp"

#include <gtest/gtest.h>

#include "integration/test_database.hpp"
#include "store/ledger.hpp"
#include "store/promo_codes.hpp"
#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

using nlohmann::json;

const std::vector<core::CreditPack> kPacks{{.credits = 10, .stars = 150},
                                           {.credits = 30, .stars = 400}};

class PaymentsTest : public ::testing::TestWithParam<store::Backend>,
                     public nc::testing::BotHarness {
 protected:
  PaymentsTest() : BotHarness(GetParam()) { sell(kPacks); }
  void TearDown() override { EXPECT_TRUE(store::Ledger(db()).audit().ok()); }

  // An invoice for the pack of `credits` from the top-up screen; returns its payload.
  std::string buy(std::int64_t credits) {
    const auto calls = press("b:-:" + std::to_string(credits));
    return invoice(calls).value("payload", "");
  }

  std::int64_t purchase_rows() {
    return db()
        .execute("SELECT COUNT(*) AS n FROM credit_ledger WHERE reason = 'purchase'")
        .front()
        .integer("n");
  }

  std::string payment_status(const std::string& payload) {
    auto connection = db().acquire();
    return store::Payments::by_payload(*connection, payload)->status;
  }
};

TEST_P(PaymentsTest, ASellerWithNoCreditsBuysAPackAtTheSummaryAndOrders) {
  const auto go = walk_to_confirmation("3")[0];
  const auto refused = press(go);
  const auto offer =
      buttons_of(refused,
                 "Не хватает кредитов: нужно 3, на балансе 0. Выбери меньше видео или "
                 "пополни баланс.");
  ASSERT_EQ(offer.size(), 2u);
  EXPECT_EQ(labels(refused).size(), 1u);  // the count buttons come last
  const auto flow = state().flow;
  EXPECT_EQ(offer[0], "b:" + flow + ":10");

  const auto invoiced = press(offer[0]);
  const auto sent = invoice(invoiced);
  EXPECT_EQ(sent["currency"], "XTR");
  EXPECT_EQ(sent["provider_token"], "");
  EXPECT_EQ(sent["title"], "Кредиты NeuroCards: 10");
  EXPECT_EQ(sent["prices"], json::parse(R"([{"label":"10 кр.","amount":150}])"));
  const std::string payload = sent["payload"];
  EXPECT_EQ(payment_status(payload), "created");

  EXPECT_TRUE(pre_checkout(payload, 150).ok);
  EXPECT_EQ(balance(), 0);  // nothing is credited before successful_payment

  const auto receipt = send(payment(payload, 150, "stxCharge1"));
  const auto texts = all_said(receipt);
  ASSERT_EQ(texts.size(), 2u);
  EXPECT_EQ(texts[0], "✅ Оплата получена: +10 кр. за 150 ⭐. Баланс: 10 кр.");
  EXPECT_NE(texts[1].find("Стоимость: 3 кр. Баланс: 10 кр."), std::string::npos);
  EXPECT_EQ(state().step, Step::kAwaitConfirm);
  EXPECT_EQ(payment_status(payload), "paid");

  const auto launched = press(buttons(receipt)[0]);
  EXPECT_EQ(said(launched),
            "🚀 Запустил генерацию 3 видео… Пришлю каждое, как только будет готово.");
  EXPECT_EQ(balance(), 7);
  EXPECT_EQ(jobs().size(), 3u);
}

TEST_P(PaymentsTest, TheMenuAndTheBalanceOfferThePacks) {
  EXPECT_EQ(buttons(command("start")),
            (std::vector<std::string>{"m:reels", "m:balance", "m:history", "m:topup", "m:help"}));
  const auto top_up = press("m:topup");
  EXPECT_EQ(said(top_up), "💳 Выбери пакет кредитов. Оплата — звёздами Telegram ⭐");
  EXPECT_EQ(labels(top_up),
            (std::vector<std::vector<std::string>>{{"10 кр. — 150 ⭐"}, {"30 кр. — 400 ⭐"}}));
  const auto shown = buttons(command("balance"));
  ASSERT_GE(shown.size(), 2u);
  EXPECT_EQ(shown[0], "b:-:10");
  EXPECT_EQ(shown[1], "b:-:30");
}

TEST_P(PaymentsTest, AReceiptFromTheMenuLandsBackInTheMenu) {
  const auto payload = buy(30);
  const auto receipt = send(payment(payload, 400, "stxCharge2"));
  EXPECT_EQ(said(receipt), "✅ Оплата получена: +30 кр. за 400 ⭐. Баланс: 30 кр.");
  EXPECT_EQ(buttons(receipt),
            (std::vector<std::string>{"m:reels", "m:balance", "m:history", "m:topup", "m:help"}));
  EXPECT_EQ(balance(), 30);
}

TEST_P(PaymentsTest, ARedeliveredOrRepeatedPaymentCreditsOnce) {
  const auto payload = buy(10);
  const auto paid = payment(payload, 150, "stxCharge3");
  EXPECT_FALSE(deliver(paid).duplicate);
  EXPECT_TRUE(deliver(paid).duplicate);  // the same update again
  // The same charge in another update (a second bot front, a replay): no credit, no receipt.
  const auto again = deliver(payment(payload, 150, "stxCharge3"));
  EXPECT_FALSE(again.duplicate);
  EXPECT_TRUE(all_said(again.calls).empty());
  restart();
  EXPECT_TRUE(deliver(paid).duplicate);
  EXPECT_EQ(balance(), 10);
  EXPECT_EQ(purchase_rows(), 1);
}

TEST_P(PaymentsTest, ConcurrentFrontsCreditOnce) {
  const auto payload = buy(10);
  const auto paid = payment(payload, 150, "stxCharge4");
  auto same_charge = payment(payload, 150, "stxCharge4");
  const auto results = deliver_concurrently({paid, paid, same_charge, same_charge});
  int receipts = 0;
  for (const auto& handled : results) {
    for (const auto& text : all_said(handled.calls))
      receipts += text.starts_with("✅") ? 1 : 0;
  }
  EXPECT_EQ(receipts, 1);
  EXPECT_EQ(balance(), 10);
  EXPECT_EQ(purchase_rows(), 1);
}

TEST_P(PaymentsTest, ACrashBeforeCommitKeepsNothingAndTheRedeliveryCreditsOnce) {
  const auto payload = buy(10);
  const auto paid = payment(payload, 150, "stxCharge5");
  // The receipt is the last write of the transaction: failing it stands for a process killed
  // between successful_payment and the commit.
  if (GetParam() == store::Backend::kPostgres) {
    db().execute(
        "CREATE FUNCTION crash() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'killed'; END $$ "
        "LANGUAGE plpgsql");
    db().execute(
        "CREATE TRIGGER crash BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION crash()");
  } else {
    db().execute(
        "CREATE TRIGGER crash BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'killed'); END");
  }
  EXPECT_ANY_THROW(deliver(paid));
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(purchase_rows(), 0);
  EXPECT_EQ(payment_status(payload), "created");

  db().execute("DROP TRIGGER crash" +
               std::string(GetParam() == store::Backend::kPostgres ? " ON outbox" : ""));
  restart();
  const auto receipt = deliver(paid);
  EXPECT_FALSE(receipt.duplicate);
  EXPECT_EQ(said(receipt.calls), "✅ Оплата получена: +10 кр. за 150 ⭐. Баланс: 10 кр.");
  EXPECT_TRUE(deliver(paid).duplicate);
  EXPECT_EQ(balance(), 10);
  EXPECT_EQ(purchase_rows(), 1);
}

TEST_P(PaymentsTest, StaleOrForgedInvoicesAreRefusedAtPreCheckout) {
  const auto payload = buy(10);
  const std::string stale = "Этот счёт устарел. Открой «💳 Пополнить» и выбери пакет заново.";
  EXPECT_EQ(pre_checkout("forged-payload", 150).error_message, stale);
  EXPECT_EQ(pre_checkout(payload, 1).error_message, stale);         // another price
  EXPECT_EQ(pre_checkout(payload, 150, 777).error_message, stale);  // another user's invoice
  EXPECT_EQ(pre_checkout(payload, 150, 777, "en").error_message,
            "This invoice is out of date. Open «💳 Top up» and choose a pack again.");
  EXPECT_TRUE(pre_checkout(payload, 150).ok);

  send(payment(payload, 150, "stxCharge6"));
  EXPECT_FALSE(pre_checkout(payload, 150).ok);  // paid already

  const auto other = buy(30);
  sell({{.credits = 10, .stars = 150}});  // the 30-credit pack is no longer sold
  const auto refused = pre_checkout(other, 400);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.error_message,
            "Этот пакет больше не продаётся. Открой «💳 Пополнить» и выбери другой.");
  EXPECT_EQ(toast(press("b:-:30")), "Этот пакет больше не продаётся.");
  EXPECT_EQ(balance(), 10);
}

TEST_P(PaymentsTest, APaymentForNoOpenInvoiceIsNotCreditedAndSendsToSupport) {
  const auto calls = send(payment("no-such-payload", 150, "stxCharge7"));
  EXPECT_EQ(said(calls),
            "Оплата получена, но я не нашёл этот счёт. Напиши /paysupport — оператор проверит "
            "платёж и начислит кредиты.");
  EXPECT_EQ(balance(), 0);
}

TEST_P(PaymentsTest, RefundTakesTheCreditsBackOnceAndRefusesSpentCredits) {
  store::Payments payments(db());
  send(payment(buy(10), 150, "stxCharge8"));
  EXPECT_EQ(payments.plan_refund("stxCharge8", false).outcome, store::RefundOutcome::kRefundable);
  const auto refunded = payments.record_refund("stxCharge8", false);
  EXPECT_EQ(refunded.outcome, store::RefundOutcome::kRefunded);
  EXPECT_EQ(refunded.take_back, 10);
  EXPECT_EQ(balance(), 0);
  EXPECT_EQ(payments.record_refund("stxCharge8", false).outcome,
            store::RefundOutcome::kAlreadyRefunded);
  EXPECT_EQ(payments.plan_refund("no-such-charge", false).outcome,
            store::RefundOutcome::kNoSuchCharge);

  send(payment(buy(10), 150, "stxCharge9"));
  press(walk_to_confirmation("3")[0]);  // spends 3 of the 10
  EXPECT_EQ(payments.record_refund("stxCharge9", false).outcome, store::RefundOutcome::kSpent);
  EXPECT_EQ(balance(), 7);
  const auto to_zero = payments.record_refund("stxCharge9", true);
  EXPECT_EQ(to_zero.outcome, store::RefundOutcome::kRefunded);
  EXPECT_EQ(to_zero.take_back, 7);
  EXPECT_EQ(balance(), 0);
  const auto listed = payments.list({.tg_user_id = kSeller});
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].status, "refunded");
  EXPECT_EQ(listed[1].refunded_credits, 7);
}

TEST_P(PaymentsTest, PaySupportAndTermsAnswer) {
  EXPECT_NE(said(command("paysupport")).find("Поддержка по оплатам"), std::string::npos);
  EXPECT_NE(said(command("terms")).find("Условия"), std::string::npos);
}

TEST_P(PaymentsTest, PromoCodesGiveCreditsOncePerSellerWithinUsesAndDate) {
  store::PromoCodes promos(db());
  ASSERT_TRUE(promos.create("Welcome", 5, 2, ""));
  EXPECT_FALSE(promos.create("WELCOME", 9, 9, ""));  // codes ignore case
  ASSERT_TRUE(promos.create("OLD", 5, 10, "2020-01-31"));
  ASSERT_TRUE(promos.create("LATER", 3, 10, "2999-12-31"));

  EXPECT_EQ(said(command("promo")), "Пришли промокод так: /promo КОД");
  EXPECT_EQ(said(command("promo", "welcome")), "🎁 Промокод принят: +5 кр. Баланс: 5 кр.");
  EXPECT_EQ(said(command("promo", "WELCOME")), "Ты уже использовал этот промокод.");
  EXPECT_EQ(said(command("promo", "WELCOME", 777)), "🎁 Промокод принят: +5 кр. Баланс: 5 кр.");
  EXPECT_EQ(said(command("promo", "WELCOME", 778)), "Этот промокод уже закончился.");
  EXPECT_EQ(said(command("promo", "WELCOME")), "Ты уже использовал этот промокод.");
  EXPECT_EQ(said(command("promo", "OLD")), "Срок действия этого промокода истёк.");
  EXPECT_EQ(said(command("promo", "NOPE")), "Такого промокода нет. Проверь, как он написан.");
  EXPECT_EQ(said(command("promo", "later")), "🎁 Промокод принят: +3 кр. Баланс: 8 кр.");
  EXPECT_EQ(balance(), 8);
  EXPECT_EQ(balance(777), 5);
  const auto listed = promos.list();
  ASSERT_EQ(listed.size(), 3u);
  for (const auto& promo : listed) {
    if (promo.code == "WELCOME") {
      EXPECT_EQ(promo.used, 2);
    }
  }
}

TEST_P(PaymentsTest, ConcurrentRedemptionsStayWithinTheUses) {
  store::PromoCodes(db()).create("RUSH", 1, 2, "");
  std::vector<Incoming> updates;
  for (std::int64_t user = 900; user < 904; ++user) {
    auto in = base(IncomingKind::kCommand, user);
    in.command = "promo";
    in.command_args = "RUSH";
    updates.push_back(in);
  }
  int accepted = 0;
  for (const auto& handled : deliver_concurrently(updates)) {
    accepted += said(handled.calls).starts_with("🎁") ? 1 : 0;
  }
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(store::PromoCodes(db()).list()[0].used, 2);
}

NC_BOTH_BACKENDS(PaymentsTest);

}  // namespace
}  // namespace nc::bot
