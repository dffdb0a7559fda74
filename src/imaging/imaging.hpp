// Image work (libvips: photo checks, reframing, the local renderer, the demo's photo) lives in
// a module of its own, built into the binary and loaded at the first call. libvips pulls in 71
// shared libraries, about 12 MB of resident memory once relocated; a bot or worker that never
// touches an image (a KIE worker on another host, a bot between photos) never maps them.
#pragma once

#include <mutex>
#include <string>

#include "imaging/local_renderer.hpp"
#include "imaging/photo.hpp"

namespace nc::media {

// The module's entry points: the functions declared in photo.hpp, reframe.hpp,
// local_renderer.hpp and imaging/product_photo.hpp, as the module defines them.
struct ImagingApi {
  PhotoCheck (*check_photo)(const std::string& path);
  std::string (*store_photo)(const std::string& path, const std::string& data_dir);
  std::string (*reframe_vertical)(const std::string& photo_path, const std::string& out_path,
                                  int width, int height);
  RenderResult (*render_product_video)(const RenderRequest& request);
  void (*draw_product_photo)(const std::string& path);
};

// The image service: built once by the process (main, the demo) and handed to what needs it.
// The module loads at the first call (thread-safe) and stays for the life of the process; a
// call that cannot load it throws std::runtime_error, and the next call tries again.
class Imaging {
 public:
  PhotoCheck check_photo(const std::string& path) const { return api().check_photo(path); }
  std::string store_photo(const std::string& path, const std::string& data_dir) const {
    return api().store_photo(path, data_dir);
  }
  std::string reframe_vertical(const std::string& photo_path, const std::string& out_path,
                               int width = 1080, int height = 1920) const {
    return api().reframe_vertical(photo_path, out_path, width, height);
  }
  RenderResult render_product_video(const RenderRequest& request) const {
    return api().render_product_video(request);
  }
  void draw_product_photo(const std::string& path) const { api().draw_product_photo(path); }

 private:
  const ImagingApi& api() const;

  mutable std::mutex mutex_;
  mutable const ImagingApi* api_ = nullptr;
};

}  // namespace nc::media
