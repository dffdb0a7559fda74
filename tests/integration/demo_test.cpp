// `neurocards demo` as a newcomer runs it: nothing configured, no network, a real binary. It
// must walk the whole conversation (a pack bought with Stars, then an order) and leave three real
// vertical videos, and nothing else.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bot/texts.hpp"
#include "integration/run_binary.hpp"
#include "media/probe.hpp"

namespace nc::testing {
namespace {

namespace fs = std::filesystem;

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++count;
  return count;
}

TEST(DemoCommand, WalksTheWholeFlowOfflineAndLeavesThreeRealVideos) {
  std::string pattern = (fs::temp_directory_path() / "nc-demo-test-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path root = pattern;
  const auto out = root / "videos";
  const auto home = root / "home";
  const auto tmp = root / "tmp";  // the demo's scratch goes here: it must be empty afterwards
  fs::create_directories(home);
  fs::create_directories(tmp);
  const char* path = std::getenv("PATH");

  const auto result = run_binary(
      {"demo", "--out", out.string()},
      {{"PATH", path ? path : "/usr/bin:/bin"}, {"HOME", home.string()}, {"TMPDIR", tmp.string()}},
      Environment::kOnlyGiven);

  ASSERT_EQ(result.exit_code, 0) << result.out << "\n---- stderr ----\n" << result.err;
  std::vector<fs::path> videos;
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.path().extension() == ".mp4") videos.push_back(entry.path());
  }
  ASSERT_EQ(videos.size(), 3u) << result.out;
  for (const auto& video : videos) {
    const auto info = media::probe_video(video.string());
    ASSERT_TRUE(info.has_value()) << video;
    EXPECT_EQ(info->width, 1080) << video;
    EXPECT_EQ(info->height, 1920) << video;
    EXPECT_GT(info->duration_s, 5.0) << video;
    EXPECT_EQ(info->video_codec, "h264") << video;
  }

  const auto& texts = bot::texts(bot::Language::kRu);
  EXPECT_NE(result.out.find("👤 /start"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("👤 [photo product.jpg]"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(std::string("👤 presses «") + std::string(texts.button_launch) + "»"),
            std::string::npos)
      << result.out;
  // The seller starts with nothing and buys a pack with Stars before ordering.
  EXPECT_NE(result.out.find(std::string("👤 presses «") + std::string(texts.button_top_up) + "»"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(bot::format(texts.receipt, fmt::arg("credits", 10),
                                        fmt::arg("stars", 150), fmt::arg("balance", 10))),
            std::string::npos)
      << result.out;
  EXPECT_EQ(count_of(result.out, "🤖 🎬 video 1080×1920"), 3u) << result.out;
  EXPECT_NE(result.out.find(fs::absolute(out).lexically_normal().string()), std::string::npos)
      << result.out;
  EXPECT_TRUE(fs::is_empty(tmp)) << "the demo left its scratch folder behind";

  fs::remove_all(root);
}

}  // namespace
}  // namespace nc::testing
