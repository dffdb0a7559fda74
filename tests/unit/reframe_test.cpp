// The vertical reframe keeps the whole product over a dark blurred fill.
#include "imaging/reframe.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/media_test_support.hpp"

namespace nc::media {
namespace {

using testing::gradient;
using testing::pixel;
using testing::solid;
using testing::TempDir;

MATCHER_P3(ColourNear, r, g, b, "") {
  return std::abs(arg[0] - r) <= 30 && std::abs(arg[1] - g) <= 30 && std::abs(arg[2] - b) <= 30;
}

vips::VImage reframed(const TempDir& dir, const vips::VImage& input, int width = 1080,
                      int height = 1920) {
  input.pngsave(dir.file("in.png").c_str());
  std::string out = reframe_vertical(dir.file("in.png"), dir.file("out.jpg"), width, height);
  EXPECT_EQ(out, dir.file("out.jpg"));
  return vips::VImage::new_from_file(out.c_str());
}

TEST(Reframe, LandscapeKeepsItsFullWidthOverADarkFill) {
  TempDir dir;
  // Grey with a red band at the left edge and a blue band at the right edge.
  vips::VImage input = solid(1600, 900, {128, 128, 128})
                           .insert(solid(40, 900, {255, 0, 0}), 0, 0)
                           .insert(solid(40, 900, {0, 0, 255}), 1560, 0);

  vips::VImage out = reframed(dir, input);

  ASSERT_EQ(out.width(), 1080);
  ASSERT_EQ(out.height(), 1920);
  EXPECT_EQ(out.bands(), 3);
  // 1600x900 fits as 1080x608, centred: rows 656-1263.
  EXPECT_THAT(pixel(out, 4, 960), ColourNear(255, 0, 0));
  EXPECT_THAT(pixel(out, 1075, 960), ColourNear(0, 0, 255));
  EXPECT_THAT(pixel(out, 540, 960), ColourNear(128, 128, 128));
  EXPECT_THAT(pixel(out, 540, 670), ColourNear(128, 128, 128));
  // Above and below: the cover-scaled centre of the photo, darkened to under half.
  EXPECT_THAT(pixel(out, 540, 100), ColourNear(58, 58, 58));
  EXPECT_THAT(pixel(out, 540, 1850), ColourNear(58, 58, 58));
}

TEST(Reframe, SquareSitsInTheMiddleAtFullWidth) {
  TempDir dir;
  vips::VImage input = solid(1000, 1000, {40, 200, 40}).insert(solid(50, 50, {255, 0, 0}), 0, 0);

  vips::VImage out = reframed(dir, input);

  ASSERT_EQ(out.width(), 1080);
  ASSERT_EQ(out.height(), 1920);
  // 1080x1080 at rows 420-1499; the red corner lands at (0, 420).
  EXPECT_THAT(pixel(out, 10, 430), ColourNear(255, 0, 0));
  EXPECT_THAT(pixel(out, 540, 960), ColourNear(40, 200, 40));
  EXPECT_THAT(pixel(out, 540, 200), ColourNear(18, 90, 18));
}

TEST(Reframe, TallPortraitKeepsItsFullHeight) {
  TempDir dir;
  vips::VImage input =
      solid(600, 1400, {200, 200, 40}).insert(solid(600, 40, {0, 0, 255}), 0, 1360);

  vips::VImage out = reframed(dir, input);

  ASSERT_EQ(out.width(), 1080);
  ASSERT_EQ(out.height(), 1920);
  // 600x1400 fits as 823x1920: blue band at the bottom, dark fill at the sides.
  EXPECT_THAT(pixel(out, 540, 1910), ColourNear(0, 0, 255));
  EXPECT_THAT(pixel(out, 540, 960), ColourNear(200, 200, 40));
  EXPECT_THAT(pixel(out, 40, 960), ColourNear(90, 90, 18));
}

TEST(Reframe, NineBySixteenInputFillsTheFrame) {
  TempDir dir;
  vips::VImage input = gradient(720, 1280).insert(solid(40, 40, {255, 255, 255}), 0, 0);

  vips::VImage out = reframed(dir, input);

  ASSERT_EQ(out.width(), 1080);
  ASSERT_EQ(out.height(), 1920);
  EXPECT_THAT(pixel(out, 20, 20), ColourNear(255, 255, 255));
  EXPECT_THAT(pixel(out, 1070, 1910), ColourNear(254, 254, 96));
}

TEST(Reframe, OtherFrameSizesAreHonoured) {
  TempDir dir;
  vips::VImage out = reframed(dir, gradient(800, 600), 1296, 2304);
  EXPECT_EQ(out.width(), 1296);
  EXPECT_EQ(out.height(), 2304);
}

TEST(Reframe, MissingPhotoThrowsWithItsPath) {
  TempDir dir;
  try {
    reframe_vertical(dir.file("nope.jpg"), dir.file("out.jpg"));
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.jpg"), std::string::npos) << e.what();
  }
  EXPECT_THROW(reframe_vertical(dir.file("nope.jpg"), dir.file("out.jpg"), 0, 1920),
               std::invalid_argument);
}

}  // namespace
}  // namespace nc::media
