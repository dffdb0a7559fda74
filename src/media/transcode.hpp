// Makes a finished video small enough for Telegram's Bot API upload limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace nc::media {

// Bot API uploads stop at 50 MB; counted in decimal megabytes to stay clear of it either way.
inline constexpr std::int64_t kTelegramUploadLimit = 50'000'000;

struct FitResult {
  bool ok = false;
  bool transcoded = false;  // false: the input was already small enough and is the answer
  std::string path;         // the file to send: `in` or `out`
  std::int64_t size_bytes = 0;
  std::string error;  // when not ok, for logs; carries ffmpeg's last stderr lines
};

// A video of at most max_bytes is returned as it is. A larger one is re-encoded into `out`
// (H.264 + AAC 96k MP4, +faststart) at the bitrate its duration allows, scaled down to 720
// pixels wide if wider; if the first try still overshoots, it tries again with less. Fails when
// the input is not a video, or when even the lowest bitrate cannot fit. `timeout` holds for
// each ffmpeg run.
FitResult fit_for_telegram(const std::string& in, const std::string& out,
                           std::int64_t max_bytes = kTelegramUploadLimit,
                           std::chrono::seconds timeout = std::chrono::seconds(300));

}  // namespace nc::media
