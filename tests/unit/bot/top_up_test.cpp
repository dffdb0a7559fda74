// Top-ups in the conversation (src/bot/payments.cpp) on SQLite: what a seller sees with top-ups
// off and on, in both languages; the whole purchase on both stores is in
// tests/integration/payments_test.cpp.
#include <gtest/gtest.h>

#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

class TopUpTest : public ::testing::Test, public nc::testing::BotHarness {
 protected:
  Incoming english(IncomingKind kind) {
    auto in = base(kind);
    in.language_code = "en";
    return in;
  }
};

TEST_F(TopUpTest, WithoutPacksThereIsNoTopUpButtonAndTheCommandSaysSo) {
  EXPECT_EQ(buttons(command("start")), menu_buttons());
  EXPECT_EQ(said(command("topup")), "Пополнение пока недоступно. Вопросы по оплате — /paysupport.");
  const auto refused = press(walk_to_confirmation("1")[0]);
  for (const auto& data : buttons(refused))
    EXPECT_FALSE(data.starts_with("b:")) << data;
}

TEST_F(TopUpTest, PacksAreOfferedInEnglishToo) {
  sell({{.credits = 10, .stars = 150}});
  auto in = english(IncomingKind::kCommand);
  in.command = "topup";
  const auto calls = send(in);
  EXPECT_EQ(said(calls), "💳 Choose a credit pack. Paid with Telegram Stars ⭐");
  EXPECT_EQ(labels(calls), (std::vector<std::vector<std::string>>{{"10 cr. — 150 ⭐"}}));
  auto buy = english(IncomingKind::kCallback);
  buy.callback_id = "cb-buy";
  buy.callback_data = "b:-:10";
  const auto sent = BotHarness::invoice(send(buy));
  EXPECT_EQ(sent["title"], "NeuroCards credits: 10");
  EXPECT_EQ(sent["prices"][0]["label"], "10 cr.");
  EXPECT_EQ(sent["prices"][0]["amount"], 150);
}

TEST_F(TopUpTest, AnInvoiceButtonFromAnEarlierOrderComesBackToTheMenu) {
  sell({{.credits = 10, .stars = 150}});
  const auto payload = BotHarness::invoice(press("b:oldflow:10")).value("payload", "");
  const auto receipt = send(payment(payload, 150, "stxUnit1"));
  EXPECT_EQ(said(receipt), "✅ Оплата получена: +10 кр. за 150 ⭐. Баланс: 10 кр.");
  EXPECT_EQ(buttons(receipt),
            (std::vector<std::string>{"m:reels", "m:balance", "m:history", "m:topup", "m:help"}));
}

TEST_F(TopUpTest, AButtonForAPackNoLongerSoldIsStale) {
  sell({{.credits = 10, .stars = 150}});
  EXPECT_EQ(toast(press("b:-:999")), "Этот пакет больше не продаётся.");
  EXPECT_EQ(toast(press("b:-:ten")), "Этот пакет больше не продаётся.");
}

}  // namespace
}  // namespace nc::bot
