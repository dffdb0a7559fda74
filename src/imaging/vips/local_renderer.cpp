// Renders a product video offline: libvips prepares a graded vertical still and a title card,
// ffmpeg moves a camera over the still and encodes.
#include "imaging/local_renderer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "core/scratch_dir.hpp"
#include "imaging/reframe.hpp"
#include "imaging/vips/title_card.hpp"
#include "imaging/vips/vips_support.hpp"
#include "media/mood.hpp"
#include "media/process.hpp"

namespace nc::media {
namespace fs = std::filesystem;
namespace {

// Bottom of the title, from the bottom of the frame: clear of the Reels caption and buttons.
constexpr int kTitleBottomMargin = 380;
constexpr double kTitleFadeStart = 0.4;
constexpr double kTitleFadeLength = 0.8;

// Colour grade, vignette and a darker bottom behind the title, baked into the still once so
// ffmpeg does no per-frame colour work.
void grade_still(const std::string& in, const std::string& out, const Mood& mood, bool has_title) {
  vips::VImage image = vips::VImage::new_from_file(in.c_str()).cast(VIPS_FORMAT_FLOAT);
  if (mood.saturation != 1.0) {
    vips::VImage grey = image.colourspace(VIPS_INTERPRETATION_B_W);
    image = grey + (image - grey) * mood.saturation;
  }
  double c = mood.contrast;
  double offset = 128.0 * (1.0 - c) + mood.brightness;
  image = image.linear({mood.red * c, mood.green * c, mood.blue * c}, {offset, offset, offset});

  int width = image.width();
  int height = image.height();
  vips::VImage xy = vips::VImage::xyz(width, height);
  vips::VImage dx = xy[0].linear(2.0 / width, -1.0);
  vips::VImage dy = xy[1].linear(2.0 / height, -1.0);
  // 0 in the middle, 1 in the corners.
  vips::VImage radius2 = (dx * dx + dy * dy) * 0.5;
  vips::VImage factor = radius2.linear(-mood.vignette, 1.0);
  if (has_title) {
    vips::VImage t = xy[1].linear(1.0 / (0.45 * height), -0.55 / 0.45);
    t = (t < 0.0).ifthenelse(0.0, t);
    factor = factor * (t * t).linear(-0.5, 1.0);
  }
  image = (image * factor).cast(VIPS_FORMAT_UCHAR);
  image.jpegsave(out.c_str(), vips::VImage::option()->set("Q", 92)->set("strip", true));
}

std::vector<std::string> ffmpeg_args(const RenderRequest& request, const Mood& mood,
                                     const std::string& still, const std::string& title_png,
                                     const std::string& part) {
  int frames = static_cast<int>(std::lround(request.duration_s * kVideoFps));
  std::string seconds = fmt::format("{:.3f}", frames / static_cast<double>(kVideoFps));
  std::vector<std::string> args{"ffmpeg", "-hide_banner", "-nostdin", "-v", "error"};
  args.insert(args.end(), {"-y", "-i", "file:" + still});
  int audio_input = 1;
  if (!title_png.empty()) {
    args.insert(args.end(), {"-loop", "1", "-framerate", std::to_string(kVideoFps), "-t", seconds,
                             "-i", "file:" + title_png});
    audio_input = 2;
  }
  args.insert(args.end(), {"-f", "lavfi", "-t", seconds, "-i",
                           "anullsrc=channel_layout=stereo:sample_rate=44100"});

  // The still is converted to limited-range BT.709 once, before the camera multiplies it.
  std::string graph = "[0:v]scale=out_color_matrix=bt709:out_range=tv,format=yuv420p," +
                      camera_filter(mood, frames, kVideoWidth, kVideoHeight, kVideoFps) +
                      ",setsar=1";
  if (title_png.empty()) {
    graph += "[v]";
  } else {
    graph += fmt::format(
        "[bg];[1:v]format=yuva420p,fade=t=in:st={:.2f}:d={:.2f}:alpha=1[title];"
        "[bg][title]overlay=x=(W-w)/2:y=H-h-{}:format=yuv420,format=yuv420p[v]",
        kTitleFadeStart, kTitleFadeLength, kTitleBottomMargin);
  }
  args.insert(args.end(),
              {"-filter_complex", graph, "-map", "[v]", "-map", fmt::format("{}:a", audio_input)});
  // High profile, pixels tagged as the BT.709 they are, a keyframe every 2 s for seeking.
  args.insert(args.end(), {"-c:v", "libx264", "-preset", "veryfast", "-crf", "23"});
  args.insert(args.end(),
              {"-profile:v", "high", "-pix_fmt", "yuv420p", "-g", std::to_string(2 * kVideoFps)});
  args.insert(args.end(), {"-colorspace", "bt709", "-color_primaries", "bt709"});
  args.insert(args.end(), {"-color_trc", "bt709", "-color_range", "tv"});
  args.insert(args.end(), {"-c:a", "aac", "-b:a", "64k", "-t", seconds});
  args.insert(args.end(), {"-movflags", "+faststart", "-f", "mp4", "file:" + part});
  return args;
}

RenderResult fail(std::string error) {
  RenderResult result;
  result.error = std::move(error);
  return result;
}

}  // namespace

RenderResult render_product_video(const RenderRequest& request) {
  if (!(request.duration_s >= 1 && request.duration_s <= 60)) {
    return fail(
        fmt::format("A local render must last 1 to 60 seconds, not {}.", request.duration_s));
  }
  if (request.out_path.empty()) return fail("The render request has no output path.");
  Mood mood = for_take(mood_for(request.template_id), request.take);

  try {
    fs::path out = fs::absolute(request.out_path);
    // Scratch next to the output (same disk, so the final rename is atomic).
    core::ScratchDir work(out.parent_path(), ".render-");
    std::string framed = (work.path() / "framed.jpg").string();
    std::string still = (work.path() / "still.jpg").string();
    std::string title_png = (work.path() / "title.png").string();
    std::string part = (work.path() / "video.mp4").string();

    // The still is as much larger than the video as the deepest zoom, so zooming in shows
    // real detail instead of upscaled pixels.
    double oversize = std::max({1.0, mood.zoom_from, mood.zoom_to});
    int still_width = 2 * static_cast<int>(std::lround(kVideoWidth * oversize / 2));
    int still_height = 2 * static_cast<int>(std::lround(kVideoHeight * oversize / 2));
    try {
      reframe_vertical(request.photo_path, framed, still_width, still_height);
      bool has_title = render_title_card(request.title, title_png, kVideoWidth).has_value();
      if (!has_title) title_png.clear();
      grade_still(framed, still, mood, has_title);
    } catch (const vips::VError& e) {
      return fail("Could not prepare the still for the video: " + std::string(e.what()));
    }

    ProcessResult run = run_process(ffmpeg_args(request, mood, still, title_png, part),
                                    {.timeout = request.timeout});
    if (!run.ok()) {
      return fail("ffmpeg could not render the video (" + run.error + ") " + tail_lines(run.err));
    }
    auto video = probe_video(part);
    if (!video) return fail("ffmpeg finished, but its output is not a playable video.");

    std::error_code ec;
    fs::rename(part, out, ec);
    if (ec) {
      return fail("Could not move the video to " + out.string() + ": " + ec.message() + ".");
    }
    RenderResult result;
    result.ok = true;
    result.path = request.out_path;
    result.video = *video;
    return result;
  } catch (const std::runtime_error& e) {
    return fail(e.what());
  }
}

}  // namespace nc::media
