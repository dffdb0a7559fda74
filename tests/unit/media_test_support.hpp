// Scratch folders, generated pictures and small helpers shared by the media tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vips/vips8>

#include "imaging/vips/vips_support.hpp"

namespace nc::media::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "nc-media-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A smooth colour ramp: red grows to the right, green downwards.
inline vips::VImage gradient(int width, int height) {
  ensure_vips();
  vips::VImage xy = vips::VImage::xyz(width, height);
  vips::VImage red = xy[0].linear(255.0 / width, 0.0);
  vips::VImage green = xy[1].linear(255.0 / height, 0.0);
  return red.bandjoin(green)
      .bandjoin_const({96})
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

inline vips::VImage solid(int width, int height, std::vector<double> rgb) {
  ensure_vips();
  return vips::VImage::black(width, height)
      .new_from_image(rgb)
      .cast(VIPS_FORMAT_UCHAR)
      .copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

inline std::vector<double> pixel(const vips::VImage& image, int x, int y) {
  return image.getpoint(x, y);
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A real, playable 1080×1920 H.264 test pattern of `seconds`, as a provider would return.
inline void write_vertical_video(const std::string& path, int seconds = 2) {
  const auto command = "ffmpeg -loglevel error -f lavfi -i testsrc=size=1080x1920:rate=30 -t " +
                       std::to_string(seconds) + " -pix_fmt yuv420p -y '" + path + "'";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("ffmpeg could not make " + path);
}

}  // namespace nc::media::testing
