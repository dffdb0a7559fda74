// The buttons under a delivered video or a failure message (src/bot/results.cpp), through the
// batched dispatcher on a real SQLite store: «Сделать ещё с этим товаром» and «В меню» work
// long after the conversation moved on.
#include <gtest/gtest.h>

#include "store/ledger.hpp"
#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

using nlohmann::json;

class ResultsTest : public ::testing::Test, public nc::testing::BotHarness {
 protected:
  // One paid video, delivered as `message_id`; the conversation then moves on.
  core::Job delivered_video(std::int64_t message_id) {
    grant(1);
    press(walk_to_confirmation("1")[0]);
    auto job = jobs().front();
    delivered(job.id, message_id);
    command("start");
    return job;
  }
};

TEST_F(ResultsTest, RetryStartsANewFlowAtTheFormatsWithTheSamePhotoAndProduct) {
  delivered_video(555);
  auto calls = press("retry_same_product", 555);
  EXPECT_EQ(methods(calls), (std::vector<std::string>{"answerCallbackQuery", "sendMessage"}));
  EXPECT_EQ(toast(calls), "");
  EXPECT_EQ(said(calls), "Выбери формат видео:");
  const auto after = state();
  EXPECT_EQ(after.step, Step::kAwaitTemplate);
  EXPECT_EQ(after.photo_path, "/data/photos/abc.jpg");
  EXPECT_EQ(after.product, "Кружка керамическая, 350 мл, держит тепло");
  EXPECT_EQ(buttons(calls).front(), "t:" + after.flow + ":" + catalog().all().front().id);
}

TEST_F(ResultsTest, RetryFromAnUntrackedMessageUsesTheLatestJob) {
  delivered_video(555);
  EXPECT_EQ(said(press("retry_same_product", 999)), "Выбери формат видео:");
  EXPECT_EQ(state().photo_path, "/data/photos/abc.jpg");
}

TEST_F(ResultsTest, RetryWithoutAnyJobGoesToTheMenu) {
  auto calls = press("retry_same_product", 555);
  EXPECT_EQ(toast(calls), "Эта кнопка уже неактуальна.");
  EXPECT_EQ(said(calls), "Главное меню. Что делаем?");
  EXPECT_EQ(state().step, Step::kMenu);
}

TEST_F(ResultsTest, RetryOfAJobWithoutAPhotoGoesToTheMenu) {
  grant(1);
  db().execute(
      "INSERT INTO jobs (user_id, tg_user_id, idempotency_key, kind, template_id, "
      "input_photo_path, product_info, status) VALUES ((SELECT id FROM users WHERE tg_user_id = "
      "$1), $2, 'by-hand', 'reels', 'self', '', '{}', 'done')",
      {kSeller, kSeller});
  auto calls = press("retry_same_product", 555);
  EXPECT_EQ(toast(calls), "Эта кнопка уже неактуальна.");
  EXPECT_EQ(state().step, Step::kMenu);
}

TEST_F(ResultsTest, TheRetriedOrderIsANewPaidOrder) {
  delivered_video(555);
  grant(1);  // the same grant key: nothing more
  store::Ledger(db()).grant(kSeller, 1, "test:again", "");
  auto retry = press("retry_same_product", 555);
  auto skip = buttons(press(buttons(retry)[0]));
  auto counts = buttons(press(skip[0]));
  press(buttons(press(counts[0]))[0]);
  const auto all = jobs();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].template_id, catalog().all().front().id);
  EXPECT_EQ(json::parse(all[0].product_info)["text"], "Кружка керамическая, 350 мл, держит тепло");
  EXPECT_EQ(balance(), 0);
}

TEST_F(ResultsTest, BackToMenuShowsTheMenuAndLeavesTheFlow) {
  delivered_video(555);
  press("m:reels");
  auto calls = press("back_to_menu", 555);
  EXPECT_EQ(toast(calls), "");
  EXPECT_EQ(said(calls), "Главное меню. Что делаем?");
  EXPECT_EQ(buttons(calls), menu_buttons());
  EXPECT_EQ(state().step, Step::kMenu);
}

}  // namespace
}  // namespace nc::bot
