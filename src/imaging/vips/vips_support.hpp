// Shared libvips plumbing for the media code: process start-up and pixel normalisation.
#pragma once

#include <vips/vips8>

namespace nc::media {

// Starts libvips once per process. Safe to call from any thread, any number of times. Throws
// std::runtime_error if libvips cannot start.
void ensure_vips();

// 3-band 8-bit sRGB without alpha (flattened on white), converted from an embedded ICC profile
// when there is one. Video encoders and JPEG viewers agree on nothing else.
vips::VImage to_srgb_uchar(vips::VImage image);

}  // namespace nc::media
