// /history and the 📜 button (src/bot/history.cpp) through the batched dispatcher on a real
// SQLite store: the latest jobs with their status, and a delivered video sent again.
#include <gtest/gtest.h>

#include "store/job_queue.hpp"
#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

class HistoryTest : public ::testing::Test, public nc::testing::BotHarness {
 protected:
  // A paid order of `count` videos; returns their jobs, newest first.
  std::vector<core::Job> order(const std::string& count) {
    grant(std::stoi(count));
    press(walk_to_confirmation(count)[0]);
    return jobs();
  }
};

TEST_F(HistoryTest, NoVideosYet) {
  auto calls = command("history");
  EXPECT_EQ(said(calls), "Видео пока нет. Нажми «🎬 Сделать Reels», чтобы сделать первое.");
  EXPECT_EQ(buttons(calls), menu_buttons());
}

TEST_F(HistoryTest, ListsEachJobWithItsStatusAndOffersTheDeliveredOnes) {
  auto ordered = order("3");
  ASSERT_EQ(ordered.size(), 3u);
  delivered(ordered[2].id, 777);
  db().execute("UPDATE jobs SET status = 'failed' WHERE id = $1", {ordered[1].id});

  auto calls = press("m:history");
  EXPECT_EQ(toast(calls), "");
  const auto list = said(calls);
  const auto title = catalog().find("unboxing")->title("ru");
  const auto date = ordered[0].created_at.substr(0, 16);
  EXPECT_EQ(list, "📜 Последние видео:\n1. ⏳ в очереди — " + title + ", " + date +
                      "\n2. 😔 ошибка — " + title + ", " + date + "\n3. ✅ готово — " + title + ", " +
                      date);
  EXPECT_EQ(buttons(calls), std::vector<std::string>{"h:" + ordered[2].id});
  EXPECT_EQ(labels(calls), std::vector<std::vector<std::string>>{{"📤 Прислать №3"}});
}

TEST_F(HistoryTest, WithoutADeliveredVideoTheMenuIsUnderTheList) {
  order("1");
  EXPECT_EQ(buttons(command("history")), menu_buttons());
}

TEST_F(HistoryTest, ResendCopiesTheDeliveredMessageWithTheResultButtons) {
  auto job = order("1").front();
  delivered(job.id, 777);
  auto calls = press("h:" + job.id);
  EXPECT_EQ(methods(calls), (std::vector<std::string>{"answerCallbackQuery", "copyMessage"}));
  EXPECT_EQ(toast(calls), "");
  const auto copy = payload(calls[1]);
  EXPECT_EQ(copy["chat_id"], kSeller);
  EXPECT_EQ(copy["from_chat_id"], kSeller);
  EXPECT_EQ(copy["message_id"], 777);
  EXPECT_EQ(copy["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "retry_same_product");
  EXPECT_EQ(copy["reply_markup"]["inline_keyboard"][1][0]["callback_data"], "back_to_menu");
}

TEST_F(HistoryTest, ResendOfWhatCannotBeSentIsAToast) {
  auto job = order("1").front();
  // Not delivered yet, someone else's, not a job id at all: a toast, nothing sent.
  const std::vector<std::string> presses{"h:" + job.id, "h:not-a-uuid",
                                         "h:00000000-0000-4000-8000-000000000000"};
  for (const auto& data : presses) {
    auto calls = press(data);
    EXPECT_EQ(methods(calls), std::vector<std::string>{"answerCallbackQuery"}) << data;
    EXPECT_EQ(toast(calls), "Это видео больше недоступно.") << data;
  }
  delivered(job.id, 777);
  auto in = base(IncomingKind::kCallback, 4242);
  in.callback_id = "someone-else";
  in.callback_data = "h:" + job.id;
  auto stranger = send(in);
  EXPECT_EQ(methods(stranger), std::vector<std::string>{"answerCallbackQuery"});
  EXPECT_EQ(toast(stranger), "Это видео больше недоступно.");
}

}  // namespace
}  // namespace nc::bot
