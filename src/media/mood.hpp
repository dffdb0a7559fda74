// How each video template looks and moves when the local renderer makes it.
#pragma once

#include <string>
#include <string_view>

namespace nc::media {

struct Mood {
  // The camera: zoom 1 shows the whole vertical frame; crop positions run 0 (left/top) to 1.
  double zoom_from = 1.0;
  double zoom_to = 1.1;
  double pan_x_from = 0.5;
  double pan_x_to = 0.5;
  double pan_y_from = 0.5;
  double pan_y_to = 0.5;
  double shake_px = 0;  // a hand-held wobble, in source pixels
  // The colour grade, applied once to the still before it moves.
  double red = 1.0;  // channel gains
  double green = 1.0;
  double blue = 1.0;
  double saturation = 1.0;
  double contrast = 1.0;
  double brightness = 0;  // added, on a 0-255 scale
  double vignette = 0.2;  // how much the corners darken, 0-1
};

// The mood for a template id ("studio_360", "unboxing", "lifestyle", "ugc_review",
// "feature_closeup", "self"). Unknown ids get the "self" mood: a new template still renders.
Mood mood_for(std::string_view template_id);

// Take `take` (0, 1, 2, …) of a batch made from one photo: the same look with another camera
// move, so a batch is not copies of one video. Take 0 is the mood as it is, 1 runs its move
// backwards, 2 mirrors it sideways with a drift; then they repeat.
Mood for_take(Mood mood, int take);

// The ffmpeg zoompan filter that moves the camera over a still as large as the deepest zoom,
// with eased motion over `frames` output frames of width x height at `fps`.
std::string camera_filter(const Mood& mood, int frames, int width, int height, int fps);

}  // namespace nc::media
