// Fits a photo into a vertical frame over a blurred copy of itself.
#include "imaging/reframe.hpp"

#include <stdexcept>

#include "imaging/vips/vips_support.hpp"

namespace nc::media {
namespace {

// The background is made this many times smaller, blurred and scaled back up: a wide blur at
// a fraction of the cost, and nobody can tell.
constexpr int kBackgroundShrink = 8;
constexpr double kBackgroundBlurSigma = 4.0;  // in shrunk pixels
constexpr double kBackgroundBrightness = 0.45;

vips::VImage make_background(const std::string& photo_path, int width, int height) {
  int small_width = (width + kBackgroundShrink - 1) / kBackgroundShrink;
  int small_height = (height + kBackgroundShrink - 1) / kBackgroundShrink;
  vips::VImage small = vips::VImage::thumbnail(
      photo_path.c_str(), small_width,
      vips::VImage::option()->set("height", small_height)->set("crop", VIPS_INTERESTING_CENTRE));
  small = to_srgb_uchar(small)
              .gaussblur(kBackgroundBlurSigma)
              .linear(kBackgroundBrightness, 0.0)
              .cast(VIPS_FORMAT_UCHAR);
  vips::VImage big = small.resize(
      static_cast<double>(width) / small.width(),
      vips::VImage::option()->set("vscale", static_cast<double>(height) / small.height()));
  // Rounding in resize can leave a pixel more or less than asked for.
  if (big.width() < width || big.height() < height) {
    big = big.embed(0, 0, width, height, vips::VImage::option()->set("extend", VIPS_EXTEND_COPY));
  }
  return big.extract_area(0, 0, width, height);
}

}  // namespace

std::string reframe_vertical(const std::string& photo_path, const std::string& out_path, int width,
                             int height) {
  if (width < 16 || height < 16) {
    throw std::invalid_argument("reframe_vertical needs a frame of at least 16x16 pixels.");
  }
  ensure_vips();
  try {
    vips::VImage product = vips::VImage::thumbnail(photo_path.c_str(), width,
                                                   vips::VImage::option()->set("height", height));
    product = to_srgb_uchar(product);
    vips::VImage frame =
        make_background(photo_path, width, height)
            .insert(product, (width - product.width()) / 2, (height - product.height()) / 2);
    frame.jpegsave(out_path.c_str(), vips::VImage::option()->set("Q", 90)->set("strip", true));
  } catch (const vips::VError& e) {
    throw std::runtime_error("Could not make a vertical frame from " + photo_path + " into " +
                             out_path + ": " + e.what());
  }
  return out_path;
}

}  // namespace nc::media
