// Shared libvips plumbing for the media code: process start-up and pixel normalisation.
#include "imaging/vips/vips_support.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace nc::media {
namespace {

// libvips warns on stderr about every damaged upload ("not enough data"); check_photo already
// turns those into a rejection, so they belong in our log at debug level, not on the console.
void log_vips_message(const gchar* /*domain*/, GLogLevelFlags level, const gchar* message,
                      gpointer /*data*/) {
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
    spdlog::warn("libvips: {}", message);
  } else {
    spdlog::debug("libvips: {}", message);
  }
}

// The colour space an ICC profile is for, from its header: "RGB ", "CMYK", "GRAY", ...
std::string profile_space(const vips::VImage& image) {
  std::size_t length = 0;
  const void* data = image.get_blob(VIPS_META_ICC_NAME, &length);
  if (length < 20) return "";
  return std::string(static_cast<const char*>(data) + 16, 4);
}

}  // namespace

void ensure_vips() {
  // libvips itself is process-wide state; this flag only guards its start-up.
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("neurocards") != 0) {
      throw std::runtime_error("libvips could not start: " + std::string(vips_error_buffer()));
    }
    // Loaders libvips marks untrusted (ImageMagick, PDF, FITS, ...) never see what users send.
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK), log_vips_message,
                      nullptr);
  });
}

vips::VImage to_srgb_uchar(vips::VImage image) {
  if (image.get_typeof(VIPS_META_ICC_NAME)) {
    std::string space = profile_space(image);
    int colour_bands = image.bands() - (image.has_alpha() ? 1 : 0);
    // vips_thumbnail turns CMYK into sRGB but leaves the CMYK profile attached; such a stale
    // profile no longer describes the pixels and is only dropped.
    bool describes_pixels = (space == "RGB " && colour_bands == 3) ||
                            (space == "GRAY" && colour_bands == 1) ||
                            (space == "CMYK" && colour_bands == 4);
    if (!describes_pixels) {
      image = image.copy();  // never edit metadata of an image the operation cache may share
      image.remove(VIPS_META_ICC_NAME);
    }
  }
  if (image.get_typeof(VIPS_META_ICC_NAME)) {
    try {
      // The pixels are moved into sRGB before the profile goes away with the other metadata.
      image = image.icc_transform(
          "srgb",
          vips::VImage::option()->set("embedded", true)->set("intent", VIPS_INTENT_PERCEPTUAL));
    } catch (const vips::VError&) {
      // A broken profile: keep the pixels as they are, as most viewers would.
    }
  }
  if (image.has_alpha()) {
    image = image.flatten(vips::VImage::option()->set("background", std::vector<double>{255.0}));
  }
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB || image.bands() != 3) {
    image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  return image;
}

}  // namespace nc::media
