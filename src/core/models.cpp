#include "core/models.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace nc::core {

ModelRegistry ModelRegistry::defaults() {
  ModelRegistry registry;
  // Prices are in user credits per video; the provider's own prices are in its price list.
  registry.models_ = {
      {.id = "veo3_fast", .family = ApiFamily::kVeo, .title = "Veo 3.1 Fast",
       .image_field = "imageUrls", .image_field_is_array = true,
       .aspect_field = "aspect_ratio", .aspect_ratios = {"16:9", "9:16", "Auto"},
       .prompt_max_chars = 2000, .credits = 1},
      {.id = "veo3", .family = ApiFamily::kVeo, .title = "Veo 3.1 Quality",
       .image_field = "imageUrls", .image_field_is_array = true,
       .aspect_field = "aspect_ratio", .aspect_ratios = {"16:9", "9:16", "Auto"},
       .prompt_max_chars = 2000, .credits = 3},
      {.id = "kling-2.6/image-to-video", .family = ApiFamily::kMarket, .title = "Kling 2.6",
       .image_field = "image_urls", .image_field_is_array = true,
       .duration_field = "duration", .durations = {"5", "10"},
       .prompt_max_chars = 1000, .credits = 1},
      {.id = "hailuo/2-3-image-to-video-standard", .family = ApiFamily::kMarket,
       .title = "Hailuo 2.3", .image_field = "image_url",
       .duration_field = "duration", .durations = {"6", "10"},
       .resolution_field = "resolution", .resolutions = {"768P", "1080P"},
       .default_resolution = "768P", .prompt_max_chars = 1500, .credits = 1},
      {.id = "wan/2-6-image-to-video", .family = ApiFamily::kMarket, .title = "Wan 2.6",
       .image_field = "image_urls", .image_field_is_array = true,
       .duration_field = "duration", .durations = {"5", "10", "15"},
       .resolution_field = "resolution", .resolutions = {"720p", "1080p"},
       .default_resolution = "720p", .prompt_max_chars = 5000, .credits = 1},
      {.id = "local", .family = ApiFamily::kLocal, .title = "Local renderer",
       .prompt_max_chars = 100000, .credits = 1},
  };
  return registry;
}

const ModelSpec* ModelRegistry::find(std::string_view id) const {
  for (const auto& model : models_) {
    if (model.id == id) return &model;
  }
  return nullptr;
}

std::string ModelRegistry::pick_duration(const ModelSpec& model, int seconds) {
  if (model.durations.empty()) return {};
  return *std::min_element(model.durations.begin(), model.durations.end(),
                           [seconds](const std::string& a, const std::string& b) {
                             return std::abs(std::atoi(a.c_str()) - seconds) <
                                    std::abs(std::atoi(b.c_str()) - seconds);
                           });
}

std::optional<std::string> ModelRegistry::validate(const GenerationRequest& request) const {
  const auto* model = find(request.model);
  if (!model) return fmt::format("model '{}' is not in the model registry", request.model);
  if (request.prompt.empty()) return std::string("the prompt is empty");
  if (request.prompt.size() > model->prompt_max_chars * 4 ||
      std::count_if(request.prompt.begin(), request.prompt.end(),
                    [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }) >
          static_cast<std::ptrdiff_t>(model->prompt_max_chars)) {
    return fmt::format("the prompt is longer than {} characters, the limit of {}",
                       model->prompt_max_chars, model->id);
  }
  if (model->family != ApiFamily::kLocal && request.image_url.empty()) {
    return fmt::format("{} needs an input image URL", model->id);
  }
  if (model->takes_aspect_ratio()) {
    const auto& allowed = model->aspect_ratios;
    if (std::find(allowed.begin(), allowed.end(), request.aspect_ratio) == allowed.end()) {
      return fmt::format("{} does not accept aspect ratio '{}'", model->id, request.aspect_ratio);
    }
  } else if (model->family != ApiFamily::kLocal && request.aspect_ratio != "9:16") {
    // Such a model follows the input image; we only ever prepare vertical inputs.
    return fmt::format("{} follows the input image and is only used for 9:16", model->id);
  }
  if (!model->durations.empty() && request.duration_s != 0) {
    const auto picked = pick_duration(*model, request.duration_s);
    if (std::atoi(picked.c_str()) != request.duration_s) {
      return fmt::format("{} cannot make a {} s video", model->id, request.duration_s);
    }
  }
  return std::nullopt;
}

}  // namespace nc::core
