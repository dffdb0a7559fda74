// /cancel (src/bot/start.cpp) at every step of the flow, and the confirmation's «Отмена»,
// through the batched dispatcher on a real SQLite store: back to the menu, nothing charged,
// the flow's buttons stale afterwards.
#include <gtest/gtest.h>

#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

using nc::testing::Calls;

class CancelTest : public ::testing::Test, public nc::testing::BotHarness {
 protected:
  void expect_cancelled(const Calls& calls) {
    EXPECT_EQ(all_said(calls), (std::vector<std::string>{"Отменено. Возвращаю в меню.",
                                                         "Главное меню. Что делаем?"}));
    EXPECT_EQ(buttons(calls), menu_buttons());
    const auto after = state();
    EXPECT_EQ(after.step, Step::kMenu);
    EXPECT_TRUE(after.flow.empty());
    EXPECT_TRUE(after.photo_path.empty());
    EXPECT_TRUE(after.product.empty());
  }
};

TEST_F(CancelTest, AtEveryStepGoesBackToTheMenu) {
  grant(5);
  // Walk one more step each round, then cancel.
  const std::vector<Step> steps{Step::kMenu,          Step::kAwaitPhoto,  Step::kAwaitProduct,
                                Step::kAwaitTemplate, Step::kAwaitWishes, Step::kAwaitCount,
                                Step::kAwaitConfirm};
  for (std::size_t depth = 0; depth < steps.size(); ++depth) {
    std::vector<std::string> offered;
    if (depth >= 1) press("m:reels");
    if (depth >= 2) photo("/data/photos/abc.jpg");
    if (depth >= 3) offered = buttons(text("Кружка"));
    if (depth >= 4) offered = buttons(press(offered[0]));
    if (depth >= 5) offered = buttons(press(offered[0]));
    if (depth >= 6) offered = buttons(press(offered[0]));
    ASSERT_EQ(state().step, steps[depth]);
    expect_cancelled(command("cancel"));
    if (!offered.empty()) {
      EXPECT_EQ(toast(press(offered[0])), "Эта кнопка уже неактуальна.");
    }
  }
  EXPECT_TRUE(jobs().empty());
  EXPECT_EQ(balance(), 5);
}

TEST_F(CancelTest, TheCancelButtonAtTheConfirmation) {
  grant(5);
  auto confirm = walk_to_confirmation("3");
  auto calls = press(confirm[1], 44);
  EXPECT_EQ(methods(calls),
            (std::vector<std::string>{"answerCallbackQuery", "editMessageReplyMarkup",
                                      "sendMessage", "sendMessage"}));
  EXPECT_EQ(payload(calls[1])["message_id"], 44);
  expect_cancelled(calls);
  EXPECT_EQ(toast(press(confirm[0])), "Эта кнопка уже неактуальна.");
  EXPECT_TRUE(jobs().empty());
  EXPECT_EQ(balance(), 5);
}

}  // namespace
}  // namespace nc::bot
