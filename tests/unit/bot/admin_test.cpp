// Admin commands in the chat (src/bot/admin.cpp) through the batched dispatcher on a real SQLite
// store: /stats and /grant for ADMIN_IDS, unknown commands for everyone else.
#include <gtest/gtest.h>

#include "store/ledger.hpp"
#include "support/bot_harness.hpp"

namespace nc::bot {
namespace {

using nc::testing::Calls;

const std::string kUnknown =
    "Не знаю такой команды. Доступны: /start, /balance, /history, /cancel, /help.";

class AdminTest : public ::testing::Test, public nc::testing::BotHarness {
 protected:
  Calls admin(const std::string& name, const std::string& args = "") {
    return command(name, args, kAdmin);
  }
};

TEST_F(AdminTest, ForOthersTheyAreUnknownCommandsAndChangeNothing) {
  grant(1);
  EXPECT_EQ(said(command("stats")), kUnknown);
  EXPECT_EQ(said(command("grant", "31337 5")), kUnknown);
  EXPECT_EQ(balance(), 1);
  EXPECT_EQ(said(admin("frobnicate")), kUnknown);  // and admins get the same for the rest
}

TEST_F(AdminTest, StatsCountsUsersJobsAndCredits) {
  grant(5);
  press(walk_to_confirmation("3")[0]);
  const auto all = jobs();
  delivered(all[0].id, 501);
  db().execute("UPDATE jobs SET status = 'failed' WHERE id = $1", {all[1].id});
  db().execute("UPDATE jobs SET status = 'generating' WHERE id = $1", {all[2].id});
  EXPECT_EQ(said(admin("stats")),
            "📊 Пользователей: 2\nВ очереди: 0, в работе: 1\nГотово: 1, ошибок: 1\n"
            "Кредитов на балансах: 2");
}

TEST_F(AdminTest, GrantAddsALedgerRowAndSaysTheNewBalance) {
  grant(1);
  EXPECT_EQ(said(admin("grant", "31337 5")), "Начислено 5 кр. пользователю 31337. Баланс: 6 кр.");
  EXPECT_EQ(balance(), 6);
  const auto rows = store::Ledger(db()).recent(store::Users(db()).find(kSeller)->id, 10);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front().delta, 5);
  EXPECT_EQ(rows.front().reason, "grant");
  EXPECT_EQ(rows.front().note, "by admin 1");
  EXPECT_TRUE(store::Ledger(db()).audit().ok());
}

TEST_F(AdminTest, ARedeliveredGrantGrantsOnce) {
  command("start");
  auto in = base(IncomingKind::kCommand, kAdmin);
  in.command = "grant";
  in.command_args = "31337 4";
  EXPECT_FALSE(deliver(in).duplicate);
  EXPECT_TRUE(deliver(in).duplicate);
  EXPECT_EQ(balance(), 4);
}

TEST_F(AdminTest, GrantExplainsWhatIsWrong) {
  grant(1);
  for (const auto* args :
       {"", "31337", "31337 five", "31337 0", "31337 -3", "31337 100001", "31337 5 extra", "x 5"}) {
    EXPECT_EQ(said(admin("grant", args)), "Использование: /grant <tg_id> <n>") << args;
  }
  EXPECT_EQ(said(admin("grant", "424242 5")),
            "Пользователь 424242 не найден: он должен сначала написать боту.");
  EXPECT_EQ(balance(), 1);
}

TEST_F(AdminTest, GrantStopsAtTheBalanceLimit) {
  grant(1);
  db().execute("UPDATE users SET credits = $1 WHERE tg_user_id = $2",
               {store::kMaxBalance - 10, kSeller});
  EXPECT_EQ(said(admin("grant", "31337 100")),
            "Не начислено: баланс пользователя 31337 (2147483637 кр.) превысил бы предел "
            "2147483647 кр.");
  EXPECT_EQ(balance(), store::kMaxBalance - 10);
}

}  // namespace
}  // namespace nc::bot
