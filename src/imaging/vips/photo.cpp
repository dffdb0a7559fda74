// Checks an uploaded product photo and stores a clean, content-addressed JPEG copy of it.
#include "imaging/photo.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vips/vips8>

#include "imaging/vips/vips_support.hpp"

namespace nc::media {
namespace fs = std::filesystem;
namespace {

enum class Sniffed { kUnknown, kJpeg, kPng, kWebp, kOtherImage };

bool starts_with(std::string_view data, std::string_view prefix) {
  return data.substr(0, prefix.size()) == prefix;
}

// Decides by the file's first bytes, never by its name: Telegram documents can be called anything.
Sniffed sniff(std::string_view head) {
  using namespace std::string_view_literals;
  if (starts_with(head, "\xFF\xD8\xFF"sv)) return Sniffed::kJpeg;
  if (starts_with(head, "\x89PNG\r\n\x1A\n"sv)) return Sniffed::kPng;
  if (head.size() >= 12 && starts_with(head, "RIFF"sv) && head.substr(8, 4) == "WEBP"sv) {
    return Sniffed::kWebp;
  }
  for (auto magic :
       {"GIF87a"sv, "GIF89a"sv, "II*\0"sv, "MM\0*"sv, "%PDF-"sv, "8BPS"sv, "\xFF\x0A"sv,
        "\0\0\0\x0CJXL \r\n"sv, "\0\0\0\x0CjP  \r\n"sv, "\xFF\x4F\xFF\x51"sv, "BM"sv}) {
    if (starts_with(head, magic)) return Sniffed::kOtherImage;
  }
  // ISO media files: HEIC/HEIF/AVIF are pictures we do not take; MP4/MOV are not pictures.
  if (head.size() >= 12 && head.substr(4, 4) == "ftyp"sv) {
    auto brand = head.substr(8, 4);
    for (auto image_brand : {"heic"sv, "heix"sv, "hevc"sv, "hevx"sv, "heim"sv, "heis"sv, "mif1"sv,
                             "msf1"sv, "avif"sv, "avis"sv}) {
      if (brand == image_brand) return Sniffed::kOtherImage;
    }
  }
  auto text = head.substr(std::min(head.find_first_not_of(" \t\r\n"), head.size()));
  if (starts_with(text, "<svg"sv) || starts_with(text, "<?xml"sv)) return Sniffed::kOtherImage;
  return Sniffed::kUnknown;
}

std::string read_head(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string head(n, '\0');
  in.read(head.data(), static_cast<std::streamsize>(n));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

PhotoCheck reject(PhotoRejection reason, std::string detail) {
  PhotoCheck check;
  check.rejection = reason;
  check.detail = std::move(detail);
  return check;
}

// Orientations 5-8 turn the picture on its side.
bool swaps_sides(const vips::VImage& image) {
  if (!image.get_typeof(VIPS_META_ORIENTATION)) return false;
  return image.get_int(VIPS_META_ORIENTATION) >= 5 && image.get_int(VIPS_META_ORIENTATION) <= 8;
}

vips::VImage load_for_check(const std::string& path, Sniffed format) {
  auto source = vips::VSource::new_from_file(path.c_str());
  // Sequential access streams the pixels once; failing on truncation turns a cut-off upload,
  // which libjpeg only warns about, into an error.
  auto options = vips::VImage::option()
                     ->set("access", VIPS_ACCESS_SEQUENTIAL)
                     ->set("fail_on", VIPS_FAIL_ON_TRUNCATED);
  switch (format) {
    case Sniffed::kJpeg:
      return vips::VImage::jpegload_source(source, options);
    case Sniffed::kPng:
      return vips::VImage::pngload_source(source, options);
    default:
      return vips::VImage::webpload_source(source, options);
  }
}

std::string sha256_hex(const void* data, std::size_t size) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data, size, digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("Could not compute SHA-256 of the stored photo.");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

// Writes next to the target and renames, so a reader never sees half a file.
void write_atomically(const fs::path& target, const void* data, std::size_t size) {
  std::string temp = (target.parent_path() / ".photo-XXXXXX").string();
  int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    throw std::runtime_error("Could not create a file in " + target.parent_path().string() + ": " +
                             std::strerror(errno) + ". Check that the data directory " +
                             "exists and is writable.");
  }
  const char* bytes = static_cast<const char*>(data);
  std::size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd, bytes + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  int saved_errno = errno;
  bool ok = written == size && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  if (!ok && saved_errno == 0) saved_errno = errno;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
    if (ok) saved_errno = errno;
    ::unlink(temp.c_str());
    throw std::runtime_error("Could not write " + target.string() + ": " +
                             std::strerror(saved_errno) + ". Check free disk space.");
  }
}

struct BlobUnref {
  void operator()(VipsBlob* blob) const { vips_area_unref(VIPS_AREA(blob)); }
};

}  // namespace

std::string_view to_string(PhotoRejection rejection) {
  switch (rejection) {
    case PhotoRejection::kNotAnImage:
      return "not_an_image";
    case PhotoRejection::kUnsupportedFormat:
      return "unsupported_format";
    case PhotoRejection::kTooSmall:
      return "too_small";
    case PhotoRejection::kTooLarge:
      return "too_large";
    case PhotoRejection::kBroken:
      return "broken";
  }
  return "unknown";
}

PhotoCheck check_photo(const std::string& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::is_regular_file(status)) {
    return reject(PhotoRejection::kNotAnImage, "no such file: " + path);
  }
  auto size = fs::file_size(path, ec);
  if (ec || size == 0) return reject(PhotoRejection::kNotAnImage, "the file is empty");

  Sniffed format = sniff(read_head(path, 64));
  if (format == Sniffed::kUnknown) {
    return reject(PhotoRejection::kNotAnImage, "the file does not start like any picture");
  }
  if (format == Sniffed::kOtherImage) {
    return reject(PhotoRejection::kUnsupportedFormat, "a picture, but not JPEG, PNG or WebP");
  }
  if (size > kMaxPhotoBytes) {
    return reject(PhotoRejection::kTooLarge, "the file has " + std::to_string(size) + " bytes");
  }

  ensure_vips();
  try {
    vips::VImage image = load_for_check(path, format);
    std::int64_t pixels = static_cast<std::int64_t>(image.width()) * image.height();
    if (pixels > kMaxPhotoPixels) {
      return reject(PhotoRejection::kTooLarge,
                    "the picture has " + std::to_string(pixels) + " pixels");
    }
    int width = swaps_sides(image) ? image.height() : image.width();
    int height = swaps_sides(image) ? image.width() : image.height();
    if (std::min(width, height) < kMinShortSide) {
      return reject(PhotoRejection::kTooSmall,
                    "the picture is " + std::to_string(width) + "x" + std::to_string(height));
    }
    // Decoding every pixel is what finds a truncated or corrupt file.
    (void)image.avg();

    PhotoCheck check;
    check.photo = AcceptedPhoto{width, height,
                                format == Sniffed::kJpeg  ? "jpeg"
                                : format == Sniffed::kPng ? "png"
                                                          : "webp"};
    return check;
  } catch (const vips::VError& e) {
    std::string message = e.what();
    while (!message.empty() && message.back() == '\n')
      message.pop_back();
    return reject(PhotoRejection::kBroken, message);
  }
}

std::string store_photo(const std::string& path, const std::string& data_dir) {
  ensure_vips();
  std::unique_ptr<VipsBlob, BlobUnref> blob;
  try {
    // thumbnail applies the EXIF orientation and shrinks while decoding, which keeps memory low.
    vips::VImage image = vips::VImage::thumbnail(
        path.c_str(), kStoredMaxSide,
        vips::VImage::option()->set("height", kStoredMaxSide)->set("size", VIPS_SIZE_DOWN));
    image = to_srgb_uchar(image);
    blob.reset(image.jpegsave_buffer(
        vips::VImage::option()->set("Q", 90)->set("strip", true)->set("optimize_coding", true)));
  } catch (const vips::VError& e) {
    throw std::runtime_error("Could not re-encode the photo " + path + ": " + e.what());
  }
  std::size_t size = 0;
  const void* data = vips_blob_get(blob.get(), &size);

  fs::path dir = fs::path(data_dir) / "photos";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error("Could not create " + dir.string() + ": " + ec.message() +
                             ". Check that the data directory is writable.");
  }
  fs::path target = dir / (sha256_hex(data, size) + ".jpg");
  // Same name, same bytes: an earlier store of this photo is already the answer.
  if (!(fs::exists(target, ec) && fs::file_size(target, ec) == size)) {
    write_atomically(target, data, size);
  }
  return target.string();
}

}  // namespace nc::media
