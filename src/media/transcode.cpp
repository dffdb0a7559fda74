// Re-encodes a video at the bitrate that makes it fit a size limit.
#include "media/transcode.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "media/probe.hpp"
#include "media/process.hpp"

namespace nc::media {
namespace fs = std::filesystem;
namespace {

constexpr int kMaxWidth = 720;
constexpr std::int64_t kAudioBitrate = 96'000;
constexpr std::int64_t kMinVideoBitrate = 100'000;
// MP4 boxes and encoder overshoot take some of the budget; each retry asks for less.
constexpr double kFirstTryShare = 0.92;
constexpr double kRetryShare = 0.8;
constexpr int kMaxTries = 3;

std::vector<std::string> ffmpeg_args(const std::string& in, const std::string& part,
                                     std::int64_t video_bitrate, bool has_audio, int width) {
  // As in probe_video: the provider's file is read as MP4/MOV and from itself only.
  std::vector<std::string> args{"ffmpeg", "-hide_banner",        "-nostdin", "-v",   "error",
                                "-y",     "-protocol_whitelist", "file",     "-f",   "mov",
                                "-i",     "file:" + in,          "-map",     "0:v:0"};
  if (has_audio) args.insert(args.end(), {"-map", "0:a:0"});
  if (width > kMaxWidth) {
    args.insert(args.end(), {"-vf", fmt::format("scale={}:-2", kMaxWidth)});
  }
  std::string rate = std::to_string(video_bitrate);
  // A tight VBV keeps single-pass ABR close to its target.
  args.insert(args.end(), {"-c:v", "libx264", "-preset", "veryfast", "-b:v", rate, "-maxrate", rate,
                           "-bufsize", std::to_string(video_bitrate), "-pix_fmt", "yuv420p"});
  if (has_audio) {
    args.insert(args.end(), {"-c:a", "aac", "-b:a", std::to_string(kAudioBitrate)});
  }
  args.insert(args.end(), {"-movflags", "+faststart", "-f", "mp4", "file:" + part});
  return args;
}

FitResult fail(std::string error) {
  FitResult result;
  result.error = std::move(error);
  return result;
}

}  // namespace

FitResult fit_for_telegram(const std::string& in, const std::string& out, std::int64_t max_bytes,
                           std::chrono::seconds timeout) {
  auto info = probe_video(in);
  if (!info) return fail("Cannot fit " + in + " for Telegram: it is not a readable video.");
  if (info->size_bytes <= max_bytes) {
    FitResult result;
    result.ok = true;
    result.path = in;
    result.size_bytes = info->size_bytes;
    return result;
  }

  std::string part = out + ".part";
  std::int64_t audio_bits = info->has_audio ? kAudioBitrate : 0;
  double share = kFirstTryShare;
  std::int64_t size = 0;
  for (int attempt = 0; attempt < kMaxTries; ++attempt, share *= kRetryShare) {
    auto total_bitrate = static_cast<std::int64_t>(max_bytes * 8 * share / info->duration_s);
    std::int64_t video_bitrate = total_bitrate - audio_bits;
    if (video_bitrate < kMinVideoBitrate) break;

    ProcessResult run = run_process(
        ffmpeg_args(in, part, video_bitrate, info->has_audio, info->width), {.timeout = timeout});
    if (!run.ok()) {
      std::error_code ec;
      fs::remove(part, ec);
      return fail("ffmpeg could not shrink " + in + " (" + run.error + ") " + tail_lines(run.err));
    }
    std::error_code ec;
    size = static_cast<std::int64_t>(fs::file_size(part, ec));
    if (!ec && size <= max_bytes) {
      fs::rename(part, out, ec);
      if (ec) return fail("Could not move the video to " + out + ": " + ec.message() + ".");
      FitResult result;
      result.ok = true;
      result.transcoded = true;
      result.path = out;
      result.size_bytes = size;
      return result;
    }
  }
  std::error_code ec;
  fs::remove(part, ec);
  if (size == 0) {
    return fail(fmt::format(
        "Could not fit {} ({} bytes, {:.1f} s) into {} bytes: that leaves under {} bit/s for the "
        "picture.",
        in, info->size_bytes, info->duration_s, max_bytes, kMinVideoBitrate));
  }
  return fail(fmt::format(
      "Could not fit {} ({} bytes, {:.1f} s) into {} bytes: the smallest try still made {} "
      "bytes.",
      in, info->size_bytes, info->duration_s, max_bytes, size));
}

}  // namespace nc::media
