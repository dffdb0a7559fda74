// The demo seller's product photo, drawn rather than shipped: a handmade ceramic mug on a
// table by a warm wall, lit from the left, taken upright as for Reels.
#pragma once

#include <string>

namespace nc::media {

inline constexpr int kPhotoWidth = 1080;
inline constexpr int kPhotoHeight = 1920;

// Writes the photo as a JPEG to `path`. Throws std::runtime_error when libvips cannot.
// Defined in the imaging module (src/imaging/vips/): the service calls it as
// media::Imaging::draw_product_photo.
void draw_product_photo(const std::string& path);

}  // namespace nc::media
