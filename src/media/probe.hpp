// What ffprobe says about a video file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace nc::media {

struct VideoInfo {
  int width = 0;
  int height = 0;
  double duration_s = 0;
  std::int64_t size_bytes = 0;
  std::string video_codec;  // ffprobe's codec_name: "h264", "hevc", "vp9", ...
  bool has_audio = false;
};

// nullopt when the file is missing, is not a video (a still image counts as not a video), or
// ffprobe fails or takes longer than `timeout`.
std::optional<VideoInfo> probe_video(const std::string& path,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace nc::media
