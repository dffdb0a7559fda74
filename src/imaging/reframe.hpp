// Turns any product photo into a vertical 9:16 picture for video models that copy the shape of
// their input image.
// Defined in the imaging module (src/imaging/vips/); the service calls these through
// media::Imaging (imaging/imaging.hpp) so libvips loads only when needed.
#pragma once

#include <string>

namespace nc::media {

// Writes a width x height JPEG to out_path and returns out_path. The whole photo is scaled to
// fit and centred, never cropped; the space around it is filled with a blurred, darkened copy
// of the photo scaled to cover the frame. Throws std::runtime_error when the photo cannot be
// read or the output cannot be written, and std::invalid_argument for a size under 16 px.
std::string reframe_vertical(const std::string& photo_path, const std::string& out_path,
                             int width = 1080, int height = 1920);

}  // namespace nc::media
