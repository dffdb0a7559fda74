// Image work (libvips: photo checks, reframing, the local renderer, the demo's photo) lives in
// a module of its own, built into the binary and loaded at the first call. libvips pulls in 71
// shared libraries, about 12 MB of resident memory once relocated; a bot or worker that never
// touches an image (a KIE worker on another host, a bot between photos) never maps them.
#pragma once

#include <string>

#include "providers/media/local_renderer.hpp"
#include "providers/media/photo.hpp"

namespace nc::media {

// The module's entry points: the functions declared in photo.hpp, reframe.hpp,
// local_renderer.hpp and app/demo/product_photo.hpp, as the module defines them.
struct ImagingApi {
  PhotoCheck (*check_photo)(const std::string& path);
  std::string (*store_photo)(const std::string& path, const std::string& data_dir);
  std::string (*reframe_vertical)(const std::string& photo_path, const std::string& out_path,
                                  int width, int height);
  RenderResult (*render_product_video)(const RenderRequest& request);
  void (*draw_product_photo)(const std::string& path);
};

class Imaging {
 public:
  explicit Imaging(const ImagingApi& api) : api_(api) {}

  PhotoCheck check_photo(const std::string& path) const { return api_.check_photo(path); }
  std::string store_photo(const std::string& path, const std::string& data_dir) const {
    return api_.store_photo(path, data_dir);
  }
  std::string reframe_vertical(const std::string& photo_path, const std::string& out_path,
                               int width = 1080, int height = 1920) const {
    return api_.reframe_vertical(photo_path, out_path, width, height);
  }
  RenderResult render_product_video(const RenderRequest& request) const {
    return api_.render_product_video(request);
  }
  void draw_product_photo(const std::string& path) const { api_.draw_product_photo(path); }

 private:
  const ImagingApi& api_;
};

// Loads the module on the first call (thread-safe) and keeps it for the life of the process.
// Throws std::runtime_error when it cannot be loaded; the next call tries again.
const Imaging& imaging();

}  // namespace nc::media
