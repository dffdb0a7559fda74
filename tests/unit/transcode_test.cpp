// Fitting videos under Telegram's upload limit, with a generated 12 MB clip.
#include "media/transcode.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "media/probe.hpp"
#include "media/process.hpp"
#include "unit/media_test_support.hpp"

namespace nc::media {
namespace {

using testing::TempDir;
using testing::write_bytes;

constexpr std::int64_t kMb = 1'000'000;

class TranscodeTest : public ::testing::Test {
 protected:
  // One 4 s, 1280x720, ~12 MB clip (constant 24 Mbit/s, padded) for the whole suite.
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    big_ = dir_->file("big.mp4");
    ProcessResult run = run_process({"ffmpeg",
                                     "-v",
                                     "error",
                                     "-nostdin",
                                     "-y",
                                     "-f",
                                     "lavfi",
                                     "-i",
                                     "testsrc2=size=1280x720:rate=30",
                                     "-f",
                                     "lavfi",
                                     "-i",
                                     "sine=frequency=440:sample_rate=44100",
                                     "-t",
                                     "4",
                                     "-c:v",
                                     "libx264",
                                     "-preset",
                                     "ultrafast",
                                     "-b:v",
                                     "24M",
                                     "-minrate",
                                     "24M",
                                     "-maxrate",
                                     "24M",
                                     "-bufsize",
                                     "12M",
                                     "-x264-params",
                                     "nal-hrd=cbr",
                                     "-c:a",
                                     "aac",
                                     "-shortest",
                                     big_},
                                    {.timeout = std::chrono::seconds(60)});
    ASSERT_TRUE(run.ok()) << run.error << " " << run.err;
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::string big_;
};

TEST_F(TranscodeTest, ShrinksA12MbVideoUnder4Mb) {
  auto before = probe_video(big_);
  ASSERT_TRUE(before.has_value());
  ASSERT_GT(before->size_bytes, 10 * kMb);
  ASSERT_LT(before->size_bytes, 14 * kMb);
  std::string out = dir_->file("small.mp4");

  FitResult fit = fit_for_telegram(big_, out, 4 * kMb);

  ASSERT_TRUE(fit.ok) << fit.error;
  EXPECT_TRUE(fit.transcoded);
  EXPECT_EQ(fit.path, out);
  EXPECT_LE(static_cast<std::int64_t>(std::filesystem::file_size(out)), 4 * kMb);
  EXPECT_EQ(fit.size_bytes, static_cast<std::int64_t>(std::filesystem::file_size(out)));
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
  auto after = probe_video(out);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->width, 720);
  EXPECT_EQ(after->height, 406);
  EXPECT_EQ(after->video_codec, "h264");
  EXPECT_NEAR(after->duration_s, before->duration_s, 0.2);
  EXPECT_TRUE(after->has_audio);
}

TEST_F(TranscodeTest, LeavesAVideoUnderTheLimitAsItIs) {
  std::string out = dir_->file("untouched.mp4");
  FitResult fit = fit_for_telegram(big_, out);  // the 50 MB default
  ASSERT_TRUE(fit.ok) << fit.error;
  EXPECT_FALSE(fit.transcoded);
  EXPECT_EQ(fit.path, big_);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(TranscodeTest, ImpossibleLimitFailsWithoutLeavingFiles) {
  std::string out = dir_->file("tiny.mp4");
  FitResult fit = fit_for_telegram(big_, out, 20'000);
  EXPECT_FALSE(fit.ok);
  EXPECT_NE(fit.error.find("into 20000 bytes"), std::string::npos) << fit.error;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
}

TEST_F(TranscodeTest, NotAVideoFails) {
  std::string text = dir_->file("notes.mp4");
  write_bytes(text, "hello");
  FitResult fit = fit_for_telegram(text, dir_->file("x.mp4"), 1);
  EXPECT_FALSE(fit.ok);
  EXPECT_EQ(fit.error, "Cannot fit " + text + " for Telegram: it is not a readable video.");
}

}  // namespace
}  // namespace nc::media
