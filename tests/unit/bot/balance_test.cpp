// /balance and the 💰 button (src/bot/balance.cpp) through the batched dispatcher on a real
// SQLite store: the balance the ledger holds, with the menu under it.
#include <gtest/gtest.h>

#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

class BalanceTest : public ::testing::Test, public nc::testing::BotHarness {};

TEST_F(BalanceTest, ANewSellerHasNothing) {
  auto calls = command("balance");
  EXPECT_EQ(said(calls), "💰 Баланс: 0 кр. Одно видео — 1 кредит.");
  EXPECT_EQ(buttons(calls), menu_buttons());
}

TEST_F(BalanceTest, ShowsWhatWasGrantedAndWhatOrdersCost) {
  grant(7);
  EXPECT_EQ(said(command("balance")), "💰 Баланс: 7 кр. Одно видео — 1 кредит.");
  press(walk_to_confirmation("5")[0]);
  EXPECT_EQ(said(command("balance")), "💰 Баланс: 2 кр. Одно видео — 1 кредит.");
  EXPECT_EQ(balance(), 2);
}

TEST_F(BalanceTest, TheButtonIsAnsweredAndKeepsTheStep) {
  grant(3);
  press("m:reels");
  auto calls = press("m:balance");
  EXPECT_EQ(methods(calls), (std::vector<std::string>{"answerCallbackQuery", "sendMessage"}));
  EXPECT_EQ(toast(calls), "");
  EXPECT_EQ(said(calls), "💰 Баланс: 3 кр. Одно видео — 1 кредит.");
  EXPECT_EQ(state().step, Step::kAwaitPhoto);  // the flow goes on
}

TEST_F(BalanceTest, EnglishForEnglishSpeakers) {
  auto in = base(IncomingKind::kCommand);
  in.command = "balance";
  in.language_code = "en";
  EXPECT_EQ(said(send(in)), "💰 Balance: 0 cr. One video costs 1 credit.");
}

}  // namespace
}  // namespace nc::bot
