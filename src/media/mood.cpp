// The look and camera move of each template for the local renderer.
#include "media/mood.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace nc::media {

Mood mood_for(std::string_view template_id) {
  Mood mood;
  if (template_id == "studio_360") {
    // A sideways sweep reads as walking around the product on a turntable.
    mood.zoom_from = 1.04;
    mood.zoom_to = 1.16;
    mood.pan_x_from = 0.1;
    mood.pan_x_to = 0.9;
    mood.blue = 1.02;
    mood.saturation = 1.05;
    mood.contrast = 1.06;
    mood.brightness = 6;
    mood.vignette = 0.12;
  } else if (template_id == "unboxing") {
    // Starts close and pulls back: the reveal.
    mood.zoom_from = 1.24;
    mood.zoom_to = 1.0;
    mood.red = 1.06;
    mood.blue = 0.92;
    mood.saturation = 1.05;
    mood.vignette = 0.35;
  } else if (template_id == "lifestyle") {
    mood.zoom_from = 1.05;
    mood.zoom_to = 1.15;
    mood.pan_y_from = 0.65;
    mood.pan_y_to = 0.35;
    mood.red = 1.04;
    mood.green = 1.01;
    mood.blue = 0.95;
    mood.saturation = 1.15;
    mood.brightness = 8;
    mood.vignette = 0.1;
  } else if (template_id == "ugc_review") {
    // Filmed on a phone: a little wobble, natural colour, no vignette.
    mood.zoom_from = 1.08;
    mood.zoom_to = 1.14;
    mood.shake_px = 7;
    mood.saturation = 0.95;
    mood.vignette = 0;
  } else if (template_id == "feature_closeup") {
    mood.zoom_from = 1.0;
    mood.zoom_to = 1.3;
    mood.pan_y_to = 0.45;
    mood.red = 0.97;
    mood.blue = 1.05;
    mood.contrast = 1.12;
    mood.vignette = 0.45;
  }
  return mood;
}

Mood for_take(Mood mood, int take) {
  constexpr double kDrift = 0.15;
  switch (std::abs(take) % 3) {
    case 1:
      std::swap(mood.zoom_from, mood.zoom_to);
      std::swap(mood.pan_x_from, mood.pan_x_to);
      std::swap(mood.pan_y_from, mood.pan_y_to);
      break;
    case 2:
      mood.pan_x_from = std::clamp(1.0 - mood.pan_x_from - kDrift, 0.0, 1.0);
      mood.pan_x_to = std::clamp(1.0 - mood.pan_x_to + kDrift, 0.0, 1.0);
      break;
    default:
      break;
  }
  return mood;
}

// No commas anywhere in the expressions: in a filter graph a comma ends the filter.
std::string camera_filter(const Mood& mood, int frames, int width, int height, int fps) {
  std::string p = fmt::format("(on/{})", std::max(frames - 1, 1));
  std::string eased = fmt::format("({0}*{0}*(3-2*{0}))", p);
  auto lerp = [&](double from, double to) {
    return fmt::format("({:.5f}+({:.5f})*{})", from, to - from, eased);
  };
  std::string x = fmt::format("(iw-iw/zoom)*{}", lerp(mood.pan_x_from, mood.pan_x_to));
  std::string y = fmt::format("(ih-ih/zoom)*{}", lerp(mood.pan_y_from, mood.pan_y_to));
  if (mood.shake_px > 0) {
    // Two unrelated sines read as a hand; one reads as a machine.
    x += fmt::format("+{:.2f}*sin(on/4.3)+{:.2f}*sin(on/1.9)", mood.shake_px, mood.shake_px * 0.4);
    y += fmt::format("+{:.2f}*sin(on/5.1+1)+{:.2f}*sin(on/2.3)", mood.shake_px * 0.7,
                     mood.shake_px * 0.3);
  }
  return fmt::format("zoompan=z='{}':x='{}':y='{}':d={}:s={}x{}:fps={}",
                     lerp(mood.zoom_from, mood.zoom_to), x, y, frames, width, height, fps);
}

}  // namespace nc::media
