// /start, /help and the main menu (src/bot/start.cpp, the menu branch of the router), through
// the batched dispatcher on a real SQLite store.
#include <gtest/gtest.h>

#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

class StartTest : public ::testing::Test, public nc::testing::BotHarness {};

const std::vector<std::vector<std::string>> kMenuLabels{
    {"🎬 Сделать Reels"}, {"💰 Баланс", "📜 Мои видео"}, {"❓ Помощь"}};

TEST_F(StartTest, StartGreetsWithTheMainMenuAndRecordsTheUser) {
  auto calls = command("start");
  EXPECT_EQ(methods(calls), std::vector<std::string>{"sendMessage"});
  EXPECT_EQ(said(calls),
            "👋 Привет! Я делаю короткие вертикальные видео (Reels) для карточек товаров на "
            "маркетплейсах: пришли фото товара — получишь готовые ролики.");
  EXPECT_EQ(buttons(calls), menu_buttons());
  EXPECT_EQ(labels(calls), kMenuLabels);
  EXPECT_EQ(payload(calls[0])["chat_id"], kSeller);
  EXPECT_EQ(state().step, Step::kMenu);
  EXPECT_EQ(balance(), 0);  // START_CREDITS is 0 here
}

TEST_F(StartTest, StartInTheMiddleOfTheFlowGoesBackToTheMenu) {
  press("m:reels");
  photo("/data/photos/abc.jpg");
  ASSERT_EQ(state().step, Step::kAwaitProduct);
  auto calls = command("start");
  EXPECT_EQ(buttons(calls), menu_buttons());
  const auto after = state();
  EXPECT_EQ(after.step, Step::kMenu);
  EXPECT_TRUE(after.photo_path.empty());
  EXPECT_TRUE(after.flow.empty());
}

TEST_F(StartTest, HelpExplainsAndKeepsTheStep) {
  press("m:reels");
  auto calls = command("help");
  EXPECT_EQ(said(calls).substr(0, said(calls).find('\n')), "Как это работает:");
  EXPECT_NE(said(calls).find("/cancel — отменить текущий шаг"), std::string::npos);
  EXPECT_EQ(buttons(calls), menu_buttons());
  EXPECT_EQ(state().step, Step::kAwaitPhoto);
}

TEST_F(StartTest, HelpButtonIsAnsweredAndExplains) {
  auto calls = press("m:help");
  EXPECT_EQ(methods(calls), (std::vector<std::string>{"answerCallbackQuery", "sendMessage"}));
  EXPECT_EQ(toast(calls), "");
  EXPECT_EQ(said(calls).substr(0, said(calls).find('\n')), "Как это работает:");
}

TEST_F(StartTest, TextInTheMenuGetsTheMenuHint) {
  command("start");
  auto calls = text("привет");
  EXPECT_EQ(said(calls), "Выбери действие в меню или нажми /start.");
  EXPECT_EQ(buttons(calls), menu_buttons());
  EXPECT_EQ(said(other(IncomingKind::kSticker)), "Выбери действие в меню или нажми /start.");
  EXPECT_EQ(said(other(IncomingKind::kVoice)), "Выбери действие в меню или нажми /start.");
  EXPECT_EQ(state().step, Step::kMenu);
}

TEST_F(StartTest, APhotoFromTheMenuStartsANewVideo) {
  command("start");
  auto calls = photo("/data/photos/menu.jpg");
  EXPECT_EQ(said(calls), "Опиши товар: название и 2–3 главных преимущества.");
  const auto after = state();
  EXPECT_EQ(after.step, Step::kAwaitProduct);
  EXPECT_EQ(after.photo_path, "/data/photos/menu.jpg");
  EXPECT_FALSE(after.flow.empty());
}

TEST_F(StartTest, UnknownCommandListsTheCommands) {
  EXPECT_EQ(said(command("frobnicate")),
            "Не знаю такой команды. Доступны: /start, /balance, /history, /cancel, /help.");
}

TEST_F(StartTest, EnglishForEnglishSpeakers) {
  auto in = base(IncomingKind::kCommand);
  in.command = "start";
  in.language_code = "en-GB";
  auto calls = send(in);
  EXPECT_EQ(said(calls),
            "👋 Hi! I make short vertical videos (Reels) for marketplace product cards: send a "
            "product photo and get ready-made clips.");
  EXPECT_EQ(labels(calls), (std::vector<std::vector<std::string>>{
                               {"🎬 Make Reels"}, {"💰 Balance", "📜 My videos"}, {"❓ Help"}}));
}

TEST_F(StartTest, ARedeliveredStartIsADuplicateWithNoReply) {
  auto in = base(IncomingKind::kCommand);
  in.command = "start";
  EXPECT_FALSE(deliver(in).duplicate);
  auto again = deliver(in);
  EXPECT_TRUE(again.duplicate);
  EXPECT_TRUE(again.calls.empty());
}

}  // namespace
}  // namespace nc::bot
