// The offline provider's engine: a real vertical product video made from the photo with
// libvips and ffmpeg, no network and no keys.
// Defined in the imaging module (src/imaging/vips/); the service calls these through
// media::Imaging (imaging/imaging.hpp) so libvips loads only when needed.
#pragma once

#include <chrono>
#include <string>

#include "media/probe.hpp"

namespace nc::media {

struct RenderRequest {
  std::string photo_path;
  std::string title;                  // drawn near the bottom; empty draws none
  std::string template_id = "self";   // picks the mood, see mood.hpp
  int take = 0;                       // which video of a batch: moves the camera, see for_take
  std::string out_path;               // where the MP4 goes; its folder must exist
  double duration_s = 7;              // 1-60
  std::chrono::seconds timeout{120};  // for ffmpeg; the job fails past it
};

struct RenderResult {
  bool ok = false;
  std::string path;   // out_path, when ok
  VideoInfo video;    // what ffprobe says about the result, when ok
  std::string error;  // when not ok: what failed, with ffmpeg's last stderr lines, for logs
};

inline constexpr int kVideoWidth = 1080;
inline constexpr int kVideoHeight = 1920;
inline constexpr int kVideoFps = 30;

// Makes a 1080x1920, 30 fps H.264 (yuv420p, high profile, +faststart) MP4 with a silent AAC
// stereo track: the reframed photo under a slow zoom and pan, coloured by the template's
// mood, with the title faded in near the bottom above the Reels caption area. The silent track
// costs a few kilobytes and keeps players treating the file as a video: Telegram clients show
// an MP4 without sound as a GIF-style loop with no seek bar. The file appears at out_path only
// when complete. Costs about 5 s of CPU (x264 veryfast) for 7 s of video.
RenderResult render_product_video(const RenderRequest& request);

}  // namespace nc::media
