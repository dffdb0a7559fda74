// The offline renderer: moods, titles, and a real MP4 checked with ffprobe and a decoded frame.
#include <gtest/gtest.h>

#include <filesystem>

#include "imaging/local_renderer.hpp"
#include "imaging/vips/title_card.hpp"
#include "media/mood.hpp"
#include "media/process.hpp"
#include "unit/media_test_support.hpp"

namespace nc::media {
namespace {

using testing::pixel;
using testing::solid;
using testing::TempDir;

bool same_mood(const Mood& a, const Mood& b) {
  return a.zoom_from == b.zoom_from && a.zoom_to == b.zoom_to && a.pan_x_from == b.pan_x_from &&
         a.pan_x_to == b.pan_x_to && a.pan_y_from == b.pan_y_from && a.pan_y_to == b.pan_y_to &&
         a.shake_px == b.shake_px && a.red == b.red && a.green == b.green && a.blue == b.blue &&
         a.saturation == b.saturation && a.contrast == b.contrast && a.brightness == b.brightness &&
         a.vignette == b.vignette;
}

// Counts near-white pixels in rows [top, bottom) of an RGB image.
int white_pixels(const vips::VImage& frame, int top, int bottom) {
  vips::VImage rows = frame.extract_area(0, top, frame.width(), bottom - top);
  vips::VImage white =
      (rows.extract_band(0) > 215) & (rows.extract_band(1) > 215) & (rows.extract_band(2) > 215);
  return static_cast<int>(white.avg() / 255.0 * rows.width() * rows.height());
}

TEST(LocalRenderMood, EveryTemplateHasItsOwnLookAndUnknownOnesFallBack) {
  Mood self = mood_for("self");
  EXPECT_TRUE(same_mood(mood_for("no_such_template"), self));
  EXPECT_TRUE(same_mood(mood_for(""), self));
  for (auto id : {"studio_360", "unboxing", "lifestyle", "ugc_review", "feature_closeup"}) {
    Mood mood = mood_for(id);
    EXPECT_FALSE(same_mood(mood, self)) << id;
    EXPECT_GE(std::min(mood.zoom_from, mood.zoom_to), 1.0) << id;
  }
  EXPECT_GT(mood_for("unboxing").zoom_from, mood_for("unboxing").zoom_to);  // pulls back
  EXPECT_GT(mood_for("ugc_review").shake_px, 0);
  EXPECT_EQ(mood_for("self").shake_px, 0);
}

TEST(LocalRenderMood, EachTakeOfABatchMovesTheCameraDifferently) {
  const Mood studio = mood_for("studio_360");
  EXPECT_TRUE(same_mood(for_take(studio, 0), studio));
  EXPECT_TRUE(same_mood(for_take(studio, 3), studio));  // takes repeat after three
  const Mood backwards = for_take(studio, 1);
  EXPECT_EQ(backwards.zoom_from, studio.zoom_to);
  EXPECT_EQ(backwards.zoom_to, studio.zoom_from);
  EXPECT_EQ(backwards.pan_x_from, 0.9);
  EXPECT_EQ(backwards.pan_x_to, 0.1);
  const Mood mirrored = for_take(studio, 2);
  EXPECT_DOUBLE_EQ(mirrored.pan_x_from, 0.75);
  EXPECT_DOUBLE_EQ(mirrored.pan_x_to, 0.25);
  EXPECT_EQ(mirrored.zoom_from, studio.zoom_from);
  // A camera that does not pan drifts sideways on take 2.
  EXPECT_DOUBLE_EQ(for_take(mood_for("self"), 2).pan_x_from, 0.35);
  EXPECT_DOUBLE_EQ(for_take(mood_for("self"), 2).pan_x_to, 0.65);
  for (auto id : {"studio_360", "unboxing", "lifestyle", "ugc_review", "feature_closeup", "self"}) {
    const Mood mood = mood_for(id);
    EXPECT_FALSE(same_mood(for_take(mood, 0), for_take(mood, 1))) << id;
    EXPECT_FALSE(same_mood(for_take(mood, 0), for_take(mood, 2))) << id;
    EXPECT_FALSE(same_mood(for_take(mood, 1), for_take(mood, 2))) << id;
    EXPECT_EQ(for_take(mood, 2).saturation, mood.saturation) << id;  // the look stays
  }
}

TEST(LocalRenderTitle, CleanTitleNormalisesAndCutsAtAWord) {
  EXPECT_EQ(clean_title("  Кружка\n\t «Утро»  "), "Кружка «Утро»");
  EXPECT_EQ(clean_title("a\x01"
                        "b"),
            "a b");
  EXPECT_EQ(clean_title("ok\xFF\xC3(bad"), "ok(bad");  // broken UTF-8 bytes are dropped
  EXPECT_EQ(clean_title("\xC0\xAF"
                        "x"),
            "x");  // an overlong '/' is broken too
  EXPECT_EQ(clean_title("Термокружка стальная 450 мл", 20), "Термокружка…");
  EXPECT_EQ(clean_title("Ааааааааааааааааааааааааа", 10), "Ааааааааа…");
  EXPECT_EQ(clean_title(" \n "), "");
  EXPECT_EQ(clean_title("短い"), "短い");
}

TEST(LocalRenderTitle, DrawsCyrillicAndMarkupCharactersAsText) {
  TempDir dir;
  ASSERT_FALSE(find_title_font().empty()) << "install fonts-dejavu-core (scripts/deps.sh)";

  auto card = render_title_card("Кружка <b>«Утро»</b> & ложка", dir.file("t.png"));
  ASSERT_TRUE(card.has_value());
  vips::VImage png = vips::VImage::new_from_file(dir.file("t.png").c_str());
  EXPECT_EQ(card->width, 1080);
  EXPECT_EQ(png.width(), 1080);
  EXPECT_EQ(png.height(), card->height);
  EXPECT_GT(card->height, 60);
  EXPECT_LT(card->height, 200);  // one line
  EXPECT_EQ(png.bands(), 4);
  EXPECT_EQ(png.extract_band(3).max(), 255);  // solid ink somewhere
  EXPECT_EQ(pixel(png, 2, 2)[3], 0);          // and clear margins

  // Missing glyphs would all be the same box; real Cyrillic letters differ.
  render_title_card("ЖЖЖ", dir.file("zh.png"));
  render_title_card("ШШШ", dir.file("sh.png"));
  vips::VImage zh = vips::VImage::new_from_file(dir.file("zh.png").c_str());
  vips::VImage sh = vips::VImage::new_from_file(dir.file("sh.png").c_str());
  ASSERT_EQ(zh.height(), sh.height());
  EXPECT_GT((zh - sh).abs().max(), 100);
}

TEST(LocalRenderTitle, LongTitlesWrapToAtMostThreeLinesAndEmptyOnesDrawNothing) {
  TempDir dir;
  auto card = render_title_card(
      "Термокружка из нержавеющей стали с двойными стенками, крышкой-поилкой и ручкой, 450 мл",
      dir.file("long.png"));
  ASSERT_TRUE(card.has_value());
  EXPECT_GT(card->height, 130);  // more than one line
  EXPECT_LE(card->height, 3 * 80 + 48);

  EXPECT_FALSE(render_title_card(" \n", dir.file("none.png")).has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.file("none.png")));
}

TEST(LocalRender, MakesAVertical1080x1920H264WithTheTitle) {
  TempDir dir;
  // A dark blue product with a lighter square: nothing near white until the title arrives.
  solid(1200, 900, {20, 30, 90})
      .insert(solid(400, 400, {60, 90, 160}), 400, 250)
      .jpegsave(dir.file("product.jpg").c_str());
  RenderRequest request;
  request.photo_path = dir.file("product.jpg");
  request.title = "Кружка «Утро» <350 мл> & ложка";
  request.template_id = "studio_360";
  request.out_path = dir.file("video.mp4");

  RenderResult result = render_product_video(request);

  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.path, request.out_path);
  auto info = probe_video(request.out_path);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->width, 1080);
  EXPECT_EQ(info->height, 1920);
  EXPECT_EQ(info->video_codec, "h264");
  EXPECT_GE(info->duration_s, 6.0);
  EXPECT_LE(info->duration_s, 8.0);
  EXPECT_TRUE(info->has_audio);
  EXPECT_EQ(result.video.width, 1080);
  // Only the video is left in the folder: no work files.
  auto entries = std::distance(std::filesystem::directory_iterator(dir.path()),
                               std::filesystem::directory_iterator());
  EXPECT_EQ(entries, 2);

  ProcessResult grab = run_process({"ffmpeg", "-v", "error", "-nostdin", "-ss", "4", "-i",
                                    request.out_path, "-frames:v", "1", dir.file("frame.png")});
  ASSERT_TRUE(grab.ok()) << grab.err;
  vips::VImage frame = vips::VImage::new_from_file(dir.file("frame.png").c_str());
  ASSERT_EQ(frame.width(), 1080);
  EXPECT_GT(white_pixels(frame, 1920 - 380 - 200, 1920 - 380), 2000) << "the title is drawn";
  EXPECT_EQ(white_pixels(frame, 0, 1000), 0);
}

TEST(LocalRenderMood, EveryTemplateCameraRunsInFfmpeg) {
  // The camera expressions of every template, on a tiny still: ffmpeg rejects a bad one.
  for (auto id : {"studio_360", "unboxing", "lifestyle", "ugc_review", "feature_closeup", "self"}) {
    std::string filter = camera_filter(mood_for(id), 4, 90, 160, 30);
    EXPECT_EQ(filter.find(','), std::string::npos) << id;
    ProcessResult run =
        run_process({"ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                     "color=c=red:s=120x210:d=0.04", "-vf", filter, "-f", "null", "-"});
    EXPECT_TRUE(run.ok()) << id << ": " << run.error << " " << run.err;
    EXPECT_EQ(run.err, "") << id;
  }
}

TEST(LocalRender, RendersWithoutATitle) {
  TempDir dir;
  solid(800, 800, {150, 80, 40}).jpegsave(dir.file("p.jpg").c_str());
  RenderRequest request{.photo_path = dir.file("p.jpg"),
                        .title = " ",
                        .template_id = "ugc_review",
                        .out_path = dir.file("clip.mp4"),
                        .duration_s = 1};

  RenderResult result = render_product_video(request);

  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.video.width, 1080);
  EXPECT_EQ(result.video.height, 1920);
  EXPECT_NEAR(result.video.duration_s, 1.0, 0.1);
}

TEST(LocalRender, MissingPhotoFailsWithAReasonAndNoFile) {
  TempDir dir;
  RenderRequest request;
  request.photo_path = dir.file("gone.jpg");
  request.title = "x";
  request.out_path = dir.file("v.mp4");

  RenderResult result = render_product_video(request);

  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("gone.jpg"), std::string::npos) << result.error;
  EXPECT_FALSE(std::filesystem::exists(request.out_path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));

  request.duration_s = 0;
  EXPECT_EQ(render_product_video(request).error,
            "A local render must last 1 to 60 seconds, not 0.");
}

}  // namespace
}  // namespace nc::media
