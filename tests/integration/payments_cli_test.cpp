// `neurocards admin payments`, `admin payment refund`, `admin payments reconcile` and
// `admin promo` as real processes, against the fake Bot API's Stars and both stores.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes/fake_bot_api.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "store/ledger.hpp"
#include "support/bot_harness.hpp"

namespace nc::testing {
namespace {

using nlohmann::json;

class PaymentsCliTest : public ::testing::TestWithParam<store::Backend>, public BotHarness {
 protected:
  PaymentsCliTest() : BotHarness(GetParam()) {
    fake_.start();
    sell({{.credits = 10, .stars = 150}});
  }
  void TearDown() override { EXPECT_TRUE(store::Ledger(db()).audit().ok()); }

  CommandResult admin(std::vector<std::string> args) {
    args.insert(args.begin(), "admin");
    return run_binary(args, {{"DATABASE_URL", database_url()},
                             {"BOT_TOKEN", fake_.token()},
                             {"TELEGRAM_API_URL", fake_.base_url()},
                             {"LOG_LEVEL", "warn"}});
  }

  // A pack the seller paid in Telegram; `delivered`: the bot heard of it (successful_payment).
  std::string paid_pack(bool delivered = true) {
    const std::string payload = invoice(press("b:-:10"))["payload"];
    const auto charge = fake_.add_completed_payment(kSeller, payload, 150);
    if (delivered) send(payment(payload, 150, charge));
    return charge;
  }

  fakes::FakeBotApi fake_;
};

TEST_P(PaymentsCliTest, ListsPaymentsWithTotals) {
  paid_pack();
  paid_pack();
  const auto listed = admin({"payments", "--user", std::to_string(kSeller), "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto out = json::parse(listed.out);
  EXPECT_EQ(out["payments"].size(), 2u);
  EXPECT_EQ(out["totals"]["paid"]["stars"], 300);
  EXPECT_EQ(out["totals"]["paid"]["credits"], 20);
  const auto table = admin({"payments", "--since", "2000-01-01"});
  EXPECT_NE(table.out.find("paid: 2 payments, 300 Stars, 20 credits"), std::string::npos)
      << table.out;
  EXPECT_EQ(admin({"payments", "--since", "yesterday"}).exit_code, 2);
}

TEST_P(PaymentsCliTest, RefundGivesTheStarsBackOnceAndASecondRefundIsAnError) {
  const auto charge = paid_pack();
  const auto refunded = admin({"payment", "refund", charge});
  ASSERT_EQ(refunded.exit_code, 0) << refunded.err;
  EXPECT_EQ(refunded.out, "refunded 150 Stars to user 31337 (charge " + charge +
                              "); took back 10 credits, balance now 0\n");
  EXPECT_EQ(balance(), 0);

  const auto again = admin({"payment", "refund", charge});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("was already refunded"), std::string::npos) << again.err;
  EXPECT_EQ(fake_.call_count("refundStarPayment"), 1u);  // refused before asking Telegram
  EXPECT_EQ(admin({"payment", "refund", "no-such-charge"}).exit_code, 1);
}

TEST_P(PaymentsCliTest, RefundRefusesSpentCreditsUnlessToldToTakeTheBalanceToZero) {
  const auto charge = paid_pack();
  press(walk_to_confirmation("3")[0]);
  const auto refused = admin({"payment", "refund", charge});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("user 31337 holds 7 credits but the pack gave 10"), std::string::npos)
      << refused.err;
  EXPECT_EQ(fake_.call_count("refundStarPayment"), 0u);
  const auto forced = admin({"payment", "refund", charge, "--take-balance-to-zero"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("took back 7 credits, balance now 0"), std::string::npos);
  EXPECT_EQ(balance(), 0);
}

TEST_P(PaymentsCliTest, AnInterruptedRefundIsRecordedWhenRunAgain) {
  const auto charge = paid_pack();
  // Telegram refunded, but the command never recorded it (killed in between).
  fake_.fail_next("refundStarPayment", 1, 400, "Bad Request: CHARGE_ALREADY_REFUNDED");
  const auto recorded = admin({"payment", "refund", charge});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_NE(recorded.out.find("Telegram had already refunded"), std::string::npos);
  EXPECT_EQ(balance(), 0);
}

TEST_P(PaymentsCliTest, ReconcileFindsAndCreditsAPaymentTheBotNeverHeardOf) {
  paid_pack();
  const auto missing = paid_pack(false);
  const auto found = admin({"payments", "reconcile"});
  EXPECT_EQ(found.exit_code, 1);
  EXPECT_NE(found.out.find("MISSING charge " + missing), std::string::npos) << found.out;
  EXPECT_EQ(balance(), 10);

  const auto credited = admin({"payments", "reconcile", "--credit"});
  ASSERT_EQ(credited.exit_code, 0) << credited.out << credited.err;
  EXPECT_NE(credited.out.find("credited 10 credits to user 31337; balance now 20"),
            std::string::npos)
      << credited.out;
  EXPECT_EQ(balance(), 20);
  const auto clean = admin({"payments", "reconcile"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
  EXPECT_NE(clean.out.find("reconciled: the ledger matches Telegram"), std::string::npos);
}

TEST_P(PaymentsCliTest, PromoCodesAreCreatedAndListed) {
  const auto created = admin(
      {"promo", "create", "spring", "--credits", "5", "--uses", "2", "--until", "2999-12-31"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "promo code SPRING created: 5 credits, 2 uses, until 2999-12-31\n");
  EXPECT_EQ(admin({"promo", "create", "SPRING", "--credits", "1", "--uses", "1"}).exit_code, 1);
  EXPECT_EQ(admin({"promo", "create", "x", "--credits", "1", "--uses", "1"}).exit_code, 2);
  EXPECT_EQ(admin({"promo", "create", "BAD", "--credits", "1", "--uses", "1", "--until", "soon"})
                .exit_code,
            2);
  EXPECT_EQ(said(command("promo", "spring")), "🎁 Промокод принят: +5 кр. Баланс: 5 кр.");
  const auto listed = admin({"promo", "list"});
  EXPECT_NE(listed.out.find("SPRING"), std::string::npos) << listed.out;
}

NC_BOTH_BACKENDS(PaymentsCliTest);

}  // namespace
}  // namespace nc::testing
