// What a seller sent as a product photo: whether we can use it, and a clean stored copy of it.
// Defined in the imaging module (src/imaging/vips/); the service calls these through
// media::Imaging (imaging/imaging.hpp) so libvips loads only when needed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nc::media {

enum class PhotoRejection {
  kNotAnImage,         // not a picture at all, or the file is missing or empty
  kUnsupportedFormat,  // a picture we do not take: GIF, TIFF, HEIC/AVIF, PDF, BMP, ...
  kTooSmall,           // the short side is under kMinShortSide pixels
  kTooLarge,           // the file is over kMaxPhotoBytes, or over kMaxPhotoPixels pixels
  kBroken,             // looks like JPEG/PNG/WebP but does not decode to the end
};

struct AcceptedPhoto {
  int width = 0;  // as shown, after the EXIF orientation is applied
  int height = 0;
  std::string format;  // "jpeg", "png" or "webp"
};

struct PhotoCheck {
  std::optional<AcceptedPhoto> photo;                      // set when the photo is usable
  PhotoRejection rejection = PhotoRejection::kNotAnImage;  // meaningful when photo is empty
  std::string detail;                                      // for logs: what exactly was wrong

  bool ok() const { return photo.has_value(); }
};

inline constexpr int kMinShortSide = 512;
inline constexpr std::uintmax_t kMaxPhotoBytes = 20 * 1024 * 1024;
inline constexpr std::int64_t kMaxPhotoPixels = 100'000'000;
inline constexpr int kStoredMaxSide = 2048;

// A stable name for logs and metrics: "not_an_image", "unsupported_format", ...
std::string_view to_string(PhotoRejection rejection);

// Reads the whole file and decodes every pixel, so a truncated upload is caught here rather
// than halfway through a render.
PhotoCheck check_photo(const std::string& path);

// Re-encodes an accepted photo as JPEG (quality 90): upright by its EXIF orientation, in sRGB,
// longest side at most kStoredMaxSide, with all metadata (EXIF, GPS, ICC, XMP) removed. The copy
// is stored as <data_dir>/photos/<sha256 of its bytes>.jpg, so the same photo always lands on
// the same path. Returns that path. Throws std::runtime_error when the photo cannot be read or
// the directory cannot be written.
std::string store_photo(const std::string& path, const std::string& data_dir);

}  // namespace nc::media
