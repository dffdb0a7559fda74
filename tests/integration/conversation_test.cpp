// The Reels conversation driven update by update through the dispatcher's batched path (dedupe,
// group commit, outbox) on both backends: every step, bad inputs, double taps, redelivery, a
// restart mid-flow, credits.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/test_database.hpp"
#include "store/job_queue.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

using nlohmann::json;

// The same conversation on each backend, through the production path (handle_in_batch).
class ConversationTest : public ::testing::TestWithParam<store::Backend>,
                         public nc::testing::BotHarness {
 protected:
  ConversationTest() : BotHarness(GetParam()) {}
};

TEST_P(ConversationTest, StartShowsTheMainMenu) {
  auto calls = command("start");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "sendMessage");
  EXPECT_EQ(buttons(calls),
            (std::vector<std::string>{"m:reels", "m:balance", "m:history", "m:help"}));
  auto keyboard = payload(calls[0])["reply_markup"]["inline_keyboard"];
  EXPECT_EQ(keyboard[0][0]["text"], "🎬 Сделать Reels");
  EXPECT_EQ(keyboard[1][0]["text"], "💰 Баланс");
  EXPECT_EQ(keyboard[1][1]["text"], "📜 Мои видео");
  EXPECT_EQ(keyboard[2][0]["text"], "❓ Помощь");
}

TEST_P(ConversationTest, WholeFlowChargesAndCreatesTheJobsOnce) {
  grant(5);
  EXPECT_EQ(said(press("m:reels")), "Пришли фото товара 📸");
  EXPECT_EQ(said(photo("/data/photos/abc.jpg")),
            "Опиши товар: название и 2–3 главных преимущества.");
  auto formats = text("  Кружка керамическая, 350 мл  ");
  EXPECT_EQ(said(formats), "Выбери формат видео:");
  auto skip = press(buttons(formats)[1]);
  EXPECT_EQ(said(skip), "Есть пожелания к видео? Напиши их или нажми «Пропустить».");
  auto counts = text("Больше света");
  EXPECT_EQ(said(counts), "Сколько видео сделать?");
  EXPECT_EQ(buttons(counts).size(), 3u);
  auto confirm = press(buttons(counts)[1]);  // 3
  const auto summary = said(confirm);
  EXPECT_NE(summary.find("Кружка керамическая, 350 мл"), std::string::npos);
  EXPECT_NE(summary.find("Больше света"), std::string::npos);
  EXPECT_NE(summary.find("Стоимость: 3 кр. Баланс: 5 кр."), std::string::npos);
  const auto go = buttons(confirm)[0];
  auto launched = press(go);
  EXPECT_EQ(said(launched),
            "🚀 Запустил генерацию 3 видео… Пришлю каждое, как только будет готово.");
  EXPECT_EQ(balance(), 2);
  auto created = jobs();
  ASSERT_EQ(created.size(), 3u);
  EXPECT_EQ(created[0].template_id, "unboxing");
  EXPECT_EQ(created[0].input_photo_path, "/data/photos/abc.jpg");
  EXPECT_EQ(created[0].model, "veo3_fast");
  auto info = json::parse(created[0].product_info);
  EXPECT_EQ(info["text"], "Кружка керамическая, 350 мл");
  EXPECT_EQ(info["user_prompt"], "Больше света");

  // A double tap on «Запустить» creates nothing more and is still answered.
  auto again = press(go);
  EXPECT_EQ(toast(again), "Эта кнопка уже неактуальна.");
  EXPECT_EQ(jobs().size(), 3u);
  EXPECT_EQ(balance(), 2);
  EXPECT_TRUE(store::Ledger(db()).audit().ok());
}

TEST_P(ConversationTest, RedeliveredUpdateHasNoSecondEffect) {
  grant(5);
  auto confirm = walk_to_confirmation("1");
  auto in = base(IncomingKind::kCallback);
  in.callback_id = "cb-go";
  in.callback_data = confirm[0];
  auto first = deliver(in);
  EXPECT_FALSE(first.duplicate);
  auto second = deliver(in);
  EXPECT_TRUE(second.duplicate);
  EXPECT_TRUE(second.calls.empty());
  EXPECT_EQ(jobs().size(), 1u);
  EXPECT_EQ(balance(), 4);
}

TEST_P(ConversationTest, NotEnoughCreditsChargesNothing) {
  grant(2);
  auto confirm = walk_to_confirmation("5");
  auto result = press(confirm[0]);
  EXPECT_EQ(said(result),
            "Не хватает кредитов: нужно 5, на балансе 2. Выбери меньше видео или пополни баланс.");
  EXPECT_EQ(balance(), 2);
  EXPECT_TRUE(jobs().empty());
  // Back at the count step: choosing fewer works.
  auto counts = buttons(result);
  ASSERT_EQ(counts.size(), 3u);
  auto confirm_one = buttons(press(counts[0]));
  EXPECT_NE(said(press(confirm_one[0])).find("🚀"), std::string::npos);
  EXPECT_EQ(balance(), 1);
  EXPECT_TRUE(store::Ledger(db()).audit().ok());
}

TEST_P(ConversationTest, RestartMidFlowContinuesWhereTheSellerWas) {
  press("m:reels");
  photo("/data/photos/abc.jpg");
  restart();
  EXPECT_EQ(said(text("Рюкзак городской")), "Выбери формат видео:");
  restart();
  EXPECT_EQ(said(text("hello")), "Выбери формат кнопкой под сообщением «Выбери формат видео:».");
}

TEST_P(ConversationTest, EveryBadInputGetsAHintAndChangesNothing) {
  press("m:reels");
  EXPECT_EQ(said(text("вот мой товар")),
            "Нужна фотография товара: пришли фото (или картинку файлом: JPEG, PNG, WebP).");
  EXPECT_EQ(said(send(base(IncomingKind::kSticker))),
            "Нужна фотография товара: пришли фото (или картинку файлом: JPEG, PNG, WebP).");
  auto tiny = base(IncomingKind::kPhoto);
  EXPECT_EQ(said(send(tiny, Prepared{.photo_problem = PhotoProblem::kTooSmall})),
            "Фото слишком маленькое: нужно не меньше 512 пикселей по короткой стороне. Пришли "
            "фото получше.");
  EXPECT_EQ(said(send(base(IncomingKind::kPhoto), Prepared{.photo_problem = PhotoProblem::kBroken})),
            "Не получается открыть это изображение — похоже, файл повреждён. Пришли другое фото.");
  photo("/data/photos/abc.jpg");
  EXPECT_EQ(said(photo("/data/photos/other.jpg")),
            "Напиши текстом: название товара и 2–3 главных преимущества.");
  EXPECT_EQ(said(text("   ")), "Напиши текстом: название товара и 2–3 главных преимущества.");
  EXPECT_EQ(said(text(std::string(501, 'x'))),
            "Слишком длинно: максимум 500 символов. Сократи, пожалуйста.");
  // Markup and SQL stay inert text.
  auto formats = text("<b>Robert'); DROP TABLE jobs;--</b>");
  EXPECT_EQ(said(formats), "Выбери формат видео:");
  EXPECT_EQ(toast(press("t:" + std::string("deadbeef") + ":unboxing")), "Эта кнопка уже неактуальна.");
  EXPECT_EQ(said(command("frobnicate")),
            "Не знаю такой команды. Доступны: /start, /balance, /history, /cancel, /help.");
  EXPECT_EQ(toast(press("garbage")), "Эта кнопка уже неактуальна.");
  // /cancel at any step goes back to the menu.
  auto cancelled = command("cancel");
  EXPECT_EQ(said(cancelled), "Отменено. Возвращаю в меню.");
  EXPECT_EQ(toast(press(buttons(formats)[0])), "Эта кнопка уже неактуальна.");
}

TEST_P(ConversationTest, RetrySameProductWorksFromAnOldDeliveredVideo) {
  grant(3);
  auto confirm = walk_to_confirmation("1");
  press(confirm[0]);
  auto job = jobs().front();
  // The worker delivered it as message 555.
  db().execute("UPDATE jobs SET status = 'done', tg_message_id = 555 WHERE id = $1", {job.id});
  command("start");  // the conversation moves on
  command("balance");
  auto retry = press("retry_same_product", 555);
  EXPECT_EQ(said(retry), "Выбери формат видео:");
  auto skip = buttons(press(buttons(retry)[0]));
  auto counts = buttons(press(skip[0]));
  auto go = buttons(press(counts[0]));
  press(go[0]);
  auto all = jobs();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].input_photo_path, "/data/photos/abc.jpg");
  EXPECT_EQ(json::parse(all[0].product_info)["text"], "Кружка керамическая, 350 мл, держит тепло");
  EXPECT_EQ(all[0].template_id, "studio_360");
  EXPECT_EQ(said(press("back_to_menu", 555)), "Главное меню. Что делаем?");
}

TEST_P(ConversationTest, HistoryListsVideosAndResendsADoneOne) {
  EXPECT_EQ(said(command("history")),
            "Видео пока нет. Нажми «🎬 Сделать Reels», чтобы сделать первое.");
  grant(3);
  press(walk_to_confirmation("3")[0]);
  auto first = jobs().back();
  db().execute("UPDATE jobs SET status = 'done', tg_message_id = 777 WHERE id = $1", {first.id});
  auto history = command("history");
  EXPECT_NE(said(history).find("📜 Последние видео:"), std::string::npos);
  EXPECT_NE(said(history).find("✅ готово"), std::string::npos);
  EXPECT_NE(said(history).find("⏳ в очереди"), std::string::npos);
  ASSERT_EQ(buttons(history).size(), 1u);
  auto resend = press(buttons(history)[0]);
  ASSERT_EQ(resend.size(), 2u);
  EXPECT_EQ(resend[0].method, "answerCallbackQuery");
  EXPECT_EQ(resend[1].method, "copyMessage");
  EXPECT_EQ(payload(resend[1])["message_id"], 777);
}

TEST_P(ConversationTest, AdminCommandsOnlyForAdmins) {
  grant(1);
  EXPECT_EQ(said(command("stats")),
            "Не знаю такой команды. Доступны: /start, /balance, /history, /cancel, /help.");
  EXPECT_EQ(said(command("grant", "31337 5")),
            "Не знаю такой команды. Доступны: /start, /balance, /history, /cancel, /help.");
  EXPECT_EQ(balance(), 1);
  EXPECT_EQ(said(command("grant", std::to_string(kSeller) + " 5", 1)),
            "Начислено 5 кр. пользователю 31337. Баланс: 6 кр.");
  EXPECT_EQ(said(command("grant", "5 five", 1)), "Использование: /grant <tg_id> <n>");
  EXPECT_EQ(said(command("grant", "424242 5", 1)),
            "Пользователь 424242 не найден: он должен сначала написать боту.");
  EXPECT_NE(said(command("stats", "", 1)).find("Пользователей: 2"), std::string::npos);
  EXPECT_EQ(balance(), 6);
  EXPECT_TRUE(store::Ledger(db()).audit().ok());
}

TEST_P(ConversationTest, EnglishForEnglishSpeakers) {
  auto in = base(IncomingKind::kCommand);
  in.command = "start";
  in.language_code = "en-GB";
  auto calls = send(in);
  EXPECT_EQ(payload(calls[0])["reply_markup"]["inline_keyboard"][0][0]["text"], "🎬 Make Reels");
}

NC_BOTH_BACKENDS(ConversationTest);

}  // namespace
}  // namespace nc::bot
