#include "core/templates.hpp"

#include <gtest/gtest.h>

#include <set>

namespace nc::core {

TEST(Templates, DefaultsCoverSixVerticalFormats) {
  auto catalog = TemplateCatalog::defaults();
  ASSERT_GE(catalog.all().size(), 6u);
  std::set<std::string> ids;
  for (const auto& item : catalog.all()) {
    ids.insert(item.id);
    EXPECT_EQ(item.aspect_ratio, "9:16") << item.id;
    EXPECT_NE(item.prompt.find("{product}"), std::string::npos) << item.id;
    EXPECT_FALSE(item.title_ru.empty());
    EXPECT_FALSE(item.title_en.empty());
    EXPECT_LE(item.id.size() + 8, 64u);  // fits callback_data with a prefix
  }
  EXPECT_EQ(ids.size(), catalog.all().size());
  ASSERT_NE(catalog.find("self"), nullptr);
  EXPECT_TRUE(catalog.find("self")->wishes_are_the_prompt);
  EXPECT_EQ(catalog.find("self")->title("ru"), "✍️ Своя идея");
  EXPECT_EQ(catalog.find("unboxing")->title("en-US"), "📦 Unboxing");
}

TEST(Templates, TomlOverridesAndAdds) {
  auto catalog = TemplateCatalog::defaults();
  const auto before = catalog.all().size();
  catalog.apply_toml(R"(
[[template]]
id = "unboxing"
title_ru = "📦 Открываем"
duration_s = 5

[[template]]
id = "promo"
title_ru = "🔥 Скидка"
prompt = "Sale video for {product}. {wishes}"
model = "kling-2.6/image-to-video"
)",
                     "test.toml");
  EXPECT_EQ(catalog.all().size(), before + 1);
  EXPECT_EQ(catalog.find("unboxing")->title_ru, "📦 Открываем");
  EXPECT_EQ(catalog.find("unboxing")->duration_s, 5);
  EXPECT_EQ(catalog.find("unboxing")->title_en, "📦 Unboxing");  // kept from the default
  EXPECT_EQ(catalog.find("promo")->title_en, "🔥 Скидка");
  EXPECT_EQ(catalog.find("promo")->model, "kling-2.6/image-to-video");
}

TEST(Templates, BadTomlIsRejectedWithTheReason) {
  auto catalog = TemplateCatalog::defaults();
  auto error_of = [&](const char* text) -> std::string {
    try {
      catalog.apply_toml(text, "t.toml");
    } catch (const std::invalid_argument& error) {
      return error.what();
    }
    return "";
  };
  EXPECT_EQ(error_of("[[template]]\nid = \"Bad Id\"\n"),
            "t.toml: every template needs an id of 1-24 characters a-z, 0-9, _");
  EXPECT_EQ(error_of("[[template]]\nid = \"x\"\ntitle_ru = \"X\"\nprompt = \"no placeholder\"\n"),
            "t.toml: template 'x' prompt must contain {product}");
  EXPECT_EQ(error_of("title = 1\n"), "t.toml: expected [[template]] tables");
  EXPECT_NE(error_of("[[template]\n").find("t.toml: "), std::string::npos);
}

}  // namespace nc::core
