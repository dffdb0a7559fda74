// CREDIT_PACKS: parsed into packs, or refused at start-up with one line naming what is wrong.
#include "core/credit_packs.hpp"

#include <gtest/gtest.h>

#include "app/config.hpp"

namespace nc::core {
namespace {

TEST(CreditPacksTest, ReadsCreditsAndStars) {
  const auto packs = parse_credit_packs(" 10:150, 30:400 ,100:1200");
  ASSERT_TRUE(packs.ok());
  EXPECT_EQ(*packs, (std::vector<CreditPack>{{10, 150}, {30, 400}, {100, 1200}}));
  EXPECT_EQ(packs->front().name(), "10:150");
  EXPECT_EQ(find_pack(*packs, 30), (CreditPack{30, 400}));
  EXPECT_FALSE(find_pack(*packs, 31));
  EXPECT_TRUE(parse_credit_packs("")->empty());  // top-ups off
}

TEST(CreditPacksTest, RefusesWhatIsNotAPack) {
  for (const char* bad : {"10", "10:", ":150", "ten:150", "10:0", "0:150", "10:150:2", "10:-5",
                          "10:150,,30:400", "10:20000", "10:150,10:200"}) {
    EXPECT_FALSE(parse_credit_packs(bad).ok()) << bad;
  }
  EXPECT_EQ(parse_credit_packs("10:150,abc").error().message,
            "'abc' is not a pack: expected credits:stars, whole numbers from 1 (credits up to "
            "1000000, Stars up to 10000)");
}

TEST(CreditPacksTest, ABadValueStopsStartUpNamingTheVariable) {
  try {
    app::parse_config({{"CREDIT_PACKS", "10:150;30:400"}}, app::Needs::kStoreOnly);
    FAIL() << "accepted";
  } catch (const app::ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "CREDIT_PACKS is not valid: '10:150;30:400' is not a pack: expected credits:stars, "
              "whole numbers from 1 (credits up to 1000000, Stars up to 10000), e.g. "
              "10:150,30:400,100:1200");
  }
  const auto config =
      app::parse_config({{"CREDIT_PACKS", "10:150,30:400"}}, app::Needs::kStoreOnly);
  EXPECT_EQ(config.credit_packs.size(), 2u);
}

}  // namespace
}  // namespace nc::core
