#include "core/models.hpp"

#include <gtest/gtest.h>

namespace nc::core {

TEST(Models, VeoTakesVerticalRatioMarketModelsFollowTheImage) {
  auto registry = ModelRegistry::defaults();
  ASSERT_NE(registry.find("veo3_fast"), nullptr);
  EXPECT_TRUE(registry.find("veo3_fast")->takes_aspect_ratio());
  EXPECT_FALSE(registry.find("kling-2.6/image-to-video")->takes_aspect_ratio());
  EXPECT_FALSE(registry.find("hailuo/2-3-image-to-video-standard")->takes_aspect_ratio());
  EXPECT_EQ(registry.find("nope"), nullptr);
}

TEST(Models, ValidationStopsEveryBadRequestBeforeItIsSent) {
  auto registry = ModelRegistry::defaults();
  GenerationRequest good{.model = "veo3_fast", .prompt = "A mug", .image_url = "https://x/y.jpg"};
  EXPECT_EQ(registry.validate(good), std::nullopt);

  auto bad = good;
  bad.aspect_ratio = "1:1";
  EXPECT_EQ(registry.validate(bad), "veo3_fast does not accept aspect ratio '1:1'");
  bad = good;
  bad.aspect_ratio = "auto";  // case-sensitive: only "Auto"
  EXPECT_TRUE(registry.validate(bad).has_value());
  bad = good;
  bad.model = "kling-2.6/image-to-video";
  bad.aspect_ratio = "16:9";
  EXPECT_EQ(registry.validate(bad),
            "kling-2.6/image-to-video follows the input image and is only used for 9:16");
  bad.aspect_ratio = "9:16";
  bad.duration_s = 7;
  EXPECT_EQ(registry.validate(bad), "kling-2.6/image-to-video cannot make a 7 s video");
  bad.duration_s = 10;
  EXPECT_EQ(registry.validate(bad), std::nullopt);
  bad = good;
  bad.image_url.clear();
  EXPECT_EQ(registry.validate(bad), "veo3_fast needs an input image URL");
  bad = good;
  bad.prompt = std::string(2001, 'a');
  EXPECT_EQ(registry.validate(bad), "the prompt is longer than 2000 characters, the limit of veo3_fast");
  bad.model = "sora";
  EXPECT_EQ(registry.validate(bad), "model 'sora' is not in the model registry");
}

TEST(Models, PicksTheNearestAllowedDuration) {
  auto registry = ModelRegistry::defaults();
  EXPECT_EQ(ModelRegistry::pick_duration(*registry.find("kling-2.6/image-to-video"), 8), "10");
  EXPECT_EQ(ModelRegistry::pick_duration(*registry.find("kling-2.6/image-to-video"), 6), "5");
  EXPECT_EQ(ModelRegistry::pick_duration(*registry.find("hailuo/2-3-image-to-video-standard"), 8), "6");
  EXPECT_EQ(ModelRegistry::pick_duration(*registry.find("veo3_fast"), 8), "");
}

}  // namespace nc::core
