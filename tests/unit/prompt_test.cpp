#include "core/prompt.hpp"

#include <gtest/gtest.h>

namespace nc::core {
namespace {

VideoTemplate studio() { return *TemplateCatalog::defaults().find("studio_360"); }
VideoTemplate own_idea() { return *TemplateCatalog::defaults().find("self"); }

TEST(Prompt, FillsProductAndWishes) {
  VideoTemplate item{.prompt = "Video of {product}. {wishes}"};
  EXPECT_EQ(build_prompt(item, {"Кружка 350 мл", "больше света"}, 1000),
            "Video of \"Кружка 350 мл\". Seller's wishes: \"больше света\".");
  EXPECT_EQ(build_prompt(item, {"Mug", ""}, 1000), "Video of \"Mug\".");
}

TEST(Prompt, OwnIdeaUsesTheWishesAsTheScene) {
  EXPECT_EQ(build_prompt(own_idea(), {"Mug", "a mug on the moon"}, 1000),
            "Vertical 9:16 product video of \"Mug\". a mug on the moon");
  EXPECT_EQ(build_prompt(own_idea(), {"Mug", ""}, 1000),
            "Vertical 9:16 product video of \"Mug\". Show it off in an eye-catching, cinematic "
            "way.");
}

TEST(Prompt, SellerTextCannotBreakTheTemplate) {
  VideoTemplate item{.prompt = "Video of {product}. {wishes}"};
  EXPECT_EQ(build_prompt(item, {"{wishes}", "{product} \"quoted\"\nnew line"}, 1000),
            "Video of \"{wishes}\". Seller's wishes: \"{product} 'quoted' new line\".");
  EXPECT_EQ(clean_seller_text("a\tb\x01\x7f  c"), "a b c");
  EXPECT_EQ(clean_seller_text("\xff\xfe bad utf8"), "");
}

TEST(Prompt, LongWishesAreShortenedToTheModelLimit) {
  const std::string wishes(3000, 'w');
  auto prompt = build_prompt(studio(), {"Mug", wishes}, 1000);
  EXPECT_LE(prompt.size(), 1000u);
  EXPECT_NE(prompt.find("\"Mug\""), std::string::npos);
  EXPECT_TRUE(prompt.ends_with("w\"."));  // the closing quote survives
  EXPECT_EQ(build_prompt(VideoTemplate{.prompt = "{product}"}, {"Привет", ""}, 4), "\"При");
}

TEST(Prompt, ReadsProductInfo) {
  auto input = parse_product_info(R"({"text": "Test", "user_prompt": "A cinematic product showcase"})");
  EXPECT_EQ(input.product, "Test");
  EXPECT_EQ(input.wishes, "A cinematic product showcase");
  EXPECT_EQ(parse_product_info("not json").product, "");
  EXPECT_EQ(parse_product_info(R"({"text": 5})").product, "");
}

}  // namespace
}  // namespace nc::core
