// The Reels flow (src/bot/reels_flow.cpp) step by step through the batched dispatcher on a real
// SQLite store: what each step asks, where the stored conversation stands after it, and the
// hint for every unexpected input at every step (which then changes nothing).
#include <gtest/gtest.h>

#include "store/ledger.hpp"
#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

using nc::testing::Calls;

using nlohmann::json;

const std::string kHintPhoto =
    "Нужна фотография товара: пришли фото (или картинку файлом: JPEG, PNG, WebP).";
const std::string kHintProduct = "Напиши текстом: название товара и 2–3 главных преимущества.";
const std::string kHintTemplate = "Выбери формат кнопкой под сообщением «Выбери формат видео:».";
const std::string kHintWishes = "Напиши пожелания текстом или нажми «Пропустить».";
const std::string kHintCount = "Выбери количество кнопкой: 1, 3 или 5.";
const std::string kHintConfirm =
    "Нажми «✅ Запустить» или «✖️ Отмена».";
const std::string kStale = "Эта кнопка уже неактуальна.";

class ReelsFlowTest : public ::testing::Test, public nc::testing::BotHarness {
 protected:
  // Each step reached the way a seller does; returns the buttons the step offers.
  void to_photo() { press("m:reels"); }
  void to_product() {
    to_photo();
    photo("/data/photos/abc.jpg");
  }
  std::vector<std::string> to_template() {
    to_product();
    return buttons(text("Кружка керамическая, 350 мл"));
  }
  std::vector<std::string> to_wishes() { return buttons(press(to_template()[1])); }
  std::vector<std::string> to_count() { return buttons(press(to_wishes()[0])); }
  std::vector<std::string> to_confirm() { return buttons(press(to_count()[1])); }

  // `hint` is the only message the update got; the step and its data are unchanged.
  void expect_hint(const Calls& calls, const std::string& hint, const FlowState& before) {
    EXPECT_EQ(all_said(calls), std::vector<std::string>{hint});
    const auto after = state();
    EXPECT_EQ(after.step, before.step);
    EXPECT_EQ(after.flow, before.flow);
    EXPECT_EQ(after.photo_path, before.photo_path);
    EXPECT_EQ(after.product, before.product);
    EXPECT_EQ(after.template_id, before.template_id);
    EXPECT_EQ(after.wishes, before.wishes);
    EXPECT_EQ(after.count, before.count);
  }
  // A step that wants text: a photo, any other kind of message, blank text and text over 500
  // characters each get `hint` (the last one the length limit).
  void expect_text_wanted(const std::string& hint, const std::string& blank) {
    const auto before = state();
    expect_hint(photo("/data/photos/other.jpg"), hint, before);
    expect_hint_for_others(hint, before);
    expect_hint(text(blank), hint, before);
    expect_hint(text(std::string(501, 'x')),
                "Слишком длинно: максимум 500 символов. Сократи, пожалуйста.", before);
  }
  // Each kind of message that is not text and not a photo gets `hint`.
  void expect_hint_for_others(const std::string& hint, const FlowState& before) {
    for (auto kind : {IncomingKind::kSticker, IncomingKind::kVoice, IncomingKind::kVideo,
                      IncomingKind::kFile, IncomingKind::kOther}) {
      expect_hint(other(kind), hint, before);
    }
  }
};

TEST_F(ReelsFlowTest, EveryStepAsksTheNextAndStoresTheAnswer) {
  auto ask_photo = press("m:reels");
  EXPECT_EQ(methods(ask_photo), (std::vector<std::string>{"answerCallbackQuery", "sendMessage"}));
  EXPECT_EQ(said(ask_photo), "Пришли фото товара 📸");
  const auto flow = state().flow;
  EXPECT_EQ(state().step, Step::kAwaitPhoto);
  EXPECT_FALSE(flow.empty());

  EXPECT_EQ(said(photo("/data/photos/abc.jpg")),
            "Опиши товар: название и 2–3 главных преимущества.");
  EXPECT_EQ(state().step, Step::kAwaitProduct);
  EXPECT_EQ(state().photo_path, "/data/photos/abc.jpg");

  auto formats = text("  Кружка керамическая, 350 мл \n");
  EXPECT_EQ(said(formats), "Выбери формат видео:");
  EXPECT_EQ(state().step, Step::kAwaitTemplate);
  EXPECT_EQ(state().product, "Кружка керамическая, 350 мл");
  ASSERT_EQ(buttons(formats).size(), catalog().all().size());
  for (std::size_t i = 0; i < catalog().all().size(); ++i) {
    EXPECT_EQ(buttons(formats)[i], "t:" + flow + ":" + catalog().all()[i].id);
    EXPECT_EQ(labels(formats)[i], std::vector<std::string>{catalog().all()[i].title("ru")});
  }

  auto wishes = press("t:" + flow + ":unboxing", 21);
  EXPECT_EQ(methods(wishes), (std::vector<std::string>{"answerCallbackQuery",
                                                       "editMessageReplyMarkup", "sendMessage"}));
  EXPECT_EQ(payload(wishes[1])["message_id"], 21);  // the formats can't be pressed again
  EXPECT_EQ(said(wishes), "Есть пожелания к видео? Напиши их или нажми «Пропустить».");
  EXPECT_EQ(buttons(wishes), std::vector<std::string>{"w:" + flow + ":skip"});
  EXPECT_EQ(labels(wishes), std::vector<std::vector<std::string>>{{"Пропустить"}});
  EXPECT_EQ(state().step, Step::kAwaitWishes);
  EXPECT_EQ(state().template_id, "unboxing");

  auto counts = text("Больше света");
  EXPECT_EQ(said(counts), "Сколько видео сделать?");
  EXPECT_EQ(buttons(counts),
            (std::vector<std::string>{"n:" + flow + ":1", "n:" + flow + ":3", "n:" + flow + ":5"}));
  EXPECT_EQ(labels(counts), (std::vector<std::vector<std::string>>{{"1", "3", "5"}}));
  EXPECT_EQ(state().step, Step::kAwaitCount);
  EXPECT_EQ(state().wishes, "Больше света");

  grant(4);
  auto confirm = press("n:" + flow + ":3");
  EXPECT_EQ(said(confirm),
            "Проверим заказ:\n📦 Товар: Кружка керамическая, 350 "
            "мл\n🎞 "
            "Формат: " +
                catalog().find("unboxing")->title("ru") +
                "\n💬 Пожелания: Больше света\n🔢 Видео: 3\n\nСтоимость: 3 кр. Баланс: 4 кр.");
  EXPECT_EQ(buttons(confirm), (std::vector<std::string>{"c:" + flow + ":go", "c:" + flow + ":no"}));
  EXPECT_EQ(labels(confirm),
            (std::vector<std::vector<std::string>>{{"✅ Запустить", "✖️ Отмена"}}));
  EXPECT_EQ(state().step, Step::kAwaitConfirm);
  EXPECT_EQ(state().count, 3);

  auto launched = press("c:" + flow + ":go");
  EXPECT_EQ(said(launched),
            "🚀 Запустил генерацию 3 видео… Пришлю каждое, как только будет готово.");
  EXPECT_EQ(state().step, Step::kMenu);
  EXPECT_EQ(balance(), 1);
  const auto created = jobs();
  ASSERT_EQ(created.size(), 3u);
  for (const auto& job : created) {
    EXPECT_EQ(job.status, core::JobStatus::kQueued);
    EXPECT_EQ(job.template_id, "unboxing");
    EXPECT_EQ(job.input_photo_path, "/data/photos/abc.jpg");
    EXPECT_EQ(json::parse(job.product_info)["user_prompt"], "Больше света");
  }
  const auto ledger = store::Ledger(db()).recent(store::Users(db()).find(kSeller)->id, 10);
  int charges = 0;
  for (const auto& row : ledger)
    charges += row.reason == "charge" ? 1 : 0;
  EXPECT_EQ(charges, 3);  // one charge row per job
  EXPECT_TRUE(store::Ledger(db()).audit().ok());
}

TEST_F(ReelsFlowTest, SkippingWishesLeavesThemEmptyAndTheSummarySaysSo) {
  auto counts = to_count();
  EXPECT_TRUE(state().wishes.empty());
  EXPECT_EQ(state().step, Step::kAwaitCount);
  auto confirm = press(counts[0]);
  EXPECT_NE(said(confirm).find("💬 Пожелания: нет"), std::string::npos);
  EXPECT_NE(said(confirm).find("Стоимость: 1 кр. Баланс: 0 кр."), std::string::npos);
}

TEST_F(ReelsFlowTest, OwnIdeaAsksForTheScene) {
  to_template();
  auto wishes = press("t:" + state().flow + ":self");
  EXPECT_EQ(said(wishes),
            "Опиши сцену, которую хочешь увидеть в видео (или нажми «Пропустить» — тогда сделаю "
            "эффектную демонстрацию товара).");
  EXPECT_EQ(state().template_id, "self");
}

TEST_F(ReelsFlowTest, BadInputAtThePhotoStep) {
  to_photo();
  const auto before = state();
  expect_hint(text("вот мой товар"), kHintPhoto, before);
  expect_hint_for_others(kHintPhoto, before);
  expect_hint(bad_photo(PhotoProblem::kTooSmall),
              "Фото слишком маленькое: нужно не меньше 512 пикселей по короткой стороне. Пришли "
              "фото получше.",
              before);
  expect_hint(bad_photo(PhotoProblem::kTooLarge),
              "Файл больше 20 МБ — такой Telegram не даёт скачать. Пришли фото поменьше.", before);
  expect_hint(bad_photo(PhotoProblem::kFormat),
              "Этот формат не подходит: пришли фото в JPEG, PNG или WebP.", before);
  expect_hint(bad_photo(PhotoProblem::kBroken),
              "Не получается открыть это изображение — похоже, файл повреждён. Пришли другое фото.",
              before);
  expect_hint(bad_photo(PhotoProblem::kDownload),
              "Не удалось скачать фото из Telegram. Пришли его ещё раз.", before);
}

TEST_F(ReelsFlowTest, BadInputAtTheProductStep) {
  to_product();
  expect_text_wanted(kHintProduct, " \t\n ");
  // 500 characters (not bytes) is still fine.
  std::string cyrillic;
  for (int i = 0; i < 500; ++i)
    cyrillic += "я";
  EXPECT_EQ(said(text(cyrillic)), "Выбери формат видео:");
  EXPECT_EQ(state().product, cyrillic);
}

TEST_F(ReelsFlowTest, BadInputAtTheTemplateStep) {
  auto formats = to_template();
  const auto before = state();
  auto hinted = text("unboxing");
  expect_hint(hinted, kHintTemplate, before);
  EXPECT_EQ(buttons(hinted), formats);  // the formats again, under the hint
  expect_hint(photo("/data/photos/other.jpg"), kHintTemplate, before);
  expect_hint_for_others(kHintTemplate, before);
  // Buttons that are not this step's: an unknown format, a format of an earlier flow, a count.
  EXPECT_EQ(toast(press("t:" + before.flow + ":no_such_format")), kStale);
  EXPECT_EQ(toast(press("t:deadbeef:unboxing")), kStale);
  EXPECT_EQ(toast(press("n:" + before.flow + ":3")), kStale);
  EXPECT_EQ(toast(press("garbage")), kStale);
  EXPECT_EQ(state().step, Step::kAwaitTemplate);
  EXPECT_TRUE(state().template_id.empty());
}

TEST_F(ReelsFlowTest, BadInputAtTheWishesStep) {
  to_wishes();
  const auto before = state();
  expect_text_wanted(kHintWishes, "   ");
  EXPECT_EQ(toast(press("w:" + before.flow + ":later")), kStale);
  EXPECT_EQ(toast(press("t:" + before.flow + ":studio_360")), kStale);  // the format is chosen
  EXPECT_EQ(state().template_id, before.template_id);
}

TEST_F(ReelsFlowTest, BadInputAtTheCountStep) {
  to_count();
  const auto before = state();
  auto hinted = text("3");
  expect_hint(hinted, kHintCount, before);
  EXPECT_EQ(buttons(hinted).size(), 3u);
  expect_hint(photo("/data/photos/other.jpg"), kHintCount, before);
  expect_hint_for_others(kHintCount, before);
  EXPECT_EQ(toast(press("n:" + before.flow + ":2")), kStale);
  EXPECT_EQ(toast(press("n:" + before.flow + ":100")), kStale);
  EXPECT_EQ(toast(press("c:" + before.flow + ":go")), kStale);
  EXPECT_EQ(state().step, Step::kAwaitCount);
  EXPECT_TRUE(jobs().empty());
}

TEST_F(ReelsFlowTest, BadInputAtTheConfirmationStep) {
  auto confirm = to_confirm();
  const auto before = state();
  auto hinted = text("да");
  expect_hint(hinted, kHintConfirm, before);
  EXPECT_EQ(buttons(hinted), confirm);
  expect_hint(photo("/data/photos/other.jpg"), kHintConfirm, before);
  expect_hint_for_others(kHintConfirm, before);
  EXPECT_EQ(toast(press("n:" + before.flow + ":5")), kStale);
  EXPECT_EQ(toast(press("c:deadbeef:go")), kStale);
  EXPECT_TRUE(jobs().empty());
}

TEST_F(ReelsFlowTest, NotEnoughCreditsSaysHowManyAndGoesBackToTheCount) {
  grant(2);
  auto confirm = to_confirm();  // 3 videos
  auto result = press(confirm[0]);
  EXPECT_EQ(said(result),
            "Не хватает кредитов: нужно 3, на балансе 2. Выбери меньше видео или пополни баланс.");
  EXPECT_EQ(all_said(result).back(), "Сколько видео сделать?");
  EXPECT_EQ(state().step, Step::kAwaitCount);
  EXPECT_EQ(balance(), 2);
  EXPECT_TRUE(jobs().empty());
}

TEST_F(ReelsFlowTest, ADoubleTapOnLaunchCreatesNothingMore) {
  grant(5);
  auto confirm = to_confirm();
  press(confirm[0]);
  auto again = press(confirm[0]);
  EXPECT_EQ(methods(again), std::vector<std::string>{"answerCallbackQuery"});
  EXPECT_EQ(toast(again), kStale);
  EXPECT_EQ(jobs().size(), 3u);
  EXPECT_EQ(balance(), 2);
}

TEST_F(ReelsFlowTest, TheConversationSurvivesARestart) {
  to_product();
  restart();
  EXPECT_EQ(said(text("Рюкзак городской")), "Выбери формат видео:");
  EXPECT_EQ(state().product, "Рюкзак городской");
}

}  // namespace
}  // namespace nc::bot
