// ffprobe reports on generated videos, and the process runner underneath it.
#include "media/probe.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "media/process.hpp"
#include "unit/media_test_support.hpp"

namespace nc::media {
namespace {

using testing::gradient;
using testing::TempDir;
using testing::write_bytes;

void make_video(const std::string& path, bool with_audio) {
  std::vector<std::string> args{"ffmpeg",   "-v", "error",
                                "-nostdin", "-y", "-f",
                                "lavfi",    "-i", "testsrc2=size=320x240:rate=25"};
  if (with_audio) {
    args.insert(args.end(), {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"});
  }
  args.insert(args.end(),
              {"-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"});
  if (with_audio) args.insert(args.end(), {"-c:a", "aac"});
  args.push_back(path);
  ProcessResult run = run_process(args);
  ASSERT_TRUE(run.ok()) << run.error << " " << run.err;
}

TEST(ProbeVideo, ReadsSizeCodecDurationAndAudio) {
  TempDir dir;
  make_video(dir.file("with audio.mp4"), true);

  auto info = probe_video(dir.file("with audio.mp4"));

  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  EXPECT_EQ(info->video_codec, "h264");
  EXPECT_NEAR(info->duration_s, 1.0, 0.1);
  EXPECT_TRUE(info->has_audio);
  EXPECT_EQ(info->size_bytes,
            static_cast<std::int64_t>(std::filesystem::file_size(dir.file("with audio.mp4"))));
}

TEST(ProbeVideo, SilentVideoHasNoAudio) {
  TempDir dir;
  make_video(dir.file("silent.mp4"), false);
  auto info = probe_video(dir.file("silent.mp4"));
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->has_audio);
  EXPECT_EQ(info->video_codec, "h264");
}

TEST(ProbeVideo, PicturesJunkAndMissingFilesAreNotVideos) {
  TempDir dir;
  gradient(640, 480).jpegsave(dir.file("photo.jpg").c_str());
  gradient(640, 480).pngsave(dir.file("photo.png").c_str());
  write_bytes(dir.file("junk.mp4"), std::string(4096, 'z'));
  write_bytes(dir.file("-i"), "not a video");
  // A playlist that would have ffprobe read another file of the host.
  write_bytes(dir.file("playlist.mp4"), "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n" +
                                            dir.file("photo.jpg") + "\n#EXT-X-ENDLIST\n");

  for (auto name : {"photo.jpg", "photo.png", "junk.mp4", "missing.mp4", "-i", "playlist.mp4"}) {
    EXPECT_FALSE(probe_video(dir.file(name)).has_value()) << name;
  }
  EXPECT_FALSE(probe_video(dir.path().string()).has_value()) << "a folder";
}

TEST(ProbeProcess, CapturesOutputsAndExitCode) {
  ProcessResult run = run_process({"sh", "-c", "printf out; printf err >&2; exit 3"},
                                  {.timeout = std::chrono::seconds(5)});
  EXPECT_TRUE(run.started);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "out");
  EXPECT_EQ(run.err, "err");
  EXPECT_FALSE(run.ok());
  EXPECT_EQ(run.error, "sh exited with code 3.");
}

TEST(ProbeProcess, ArgumentsNeverPassThroughAShell) {
  std::string tricky = "a b; echo 'c' $(id) `id` \"d\" > e";
  ProcessResult run = run_process({"printf", "%s", tricky});
  ASSERT_TRUE(run.ok()) << run.error;
  EXPECT_EQ(run.out, tricky);
}

TEST(ProbeProcess, KillsAProgramPastItsDeadline) {
  auto start = std::chrono::steady_clock::now();
  ProcessResult run = run_process({"sleep", "10"}, {.timeout = std::chrono::milliseconds(200)});
  auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_TRUE(run.started);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, -1);
  EXPECT_EQ(run.signal, 9);
  EXPECT_FALSE(run.ok());
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(run.error, "sleep did not finish within 200 ms and was stopped.");
}

TEST(ProbeProcess, MissingProgramIsReportedNotThrown) {
  ProcessResult run = run_process({"nc-no-such-program"});
  EXPECT_FALSE(run.started);
  EXPECT_FALSE(run.ok());
  EXPECT_EQ(run.error, "Could not start nc-no-such-program: No such file or directory.");
}

TEST(ProbeProcess, LargeOutputIsCappedWithoutBlocking) {
  // 1 MB on each stream: a runner reading only one pipe at a time would deadlock here.
  ProcessResult run = run_process(
      {"sh", "-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; echo end >&2"},
      {.timeout = std::chrono::seconds(10), .max_out_bytes = 1000, .max_err_bytes = 100});
  ASSERT_TRUE(run.ok()) << run.error;
  EXPECT_EQ(run.out.size(), 1000u);
  EXPECT_EQ(run.err.size(), 100u);
  EXPECT_EQ(run.err.substr(96), "end\n");
}

TEST(ProbeProcess, TailLinesKeepsTheLastNonEmptyLines) {
  EXPECT_EQ(tail_lines("one\ntwo\n\nthree\r\nfour\n", 2), "three | four");
  EXPECT_EQ(tail_lines("", 3), "");
  EXPECT_EQ(tail_lines("only", 3), "only");
}

}  // namespace
}  // namespace nc::media
