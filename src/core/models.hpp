// The model registry: for every generation model we offer, the API family it lives in, its
// parameter names and allowed values, whether it takes an aspect ratio, and its price in user
// credits. Requests are validated here before any money is spent at the provider.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nc::core {

enum class ApiFamily { kVeo, kMarket, kLocal };

struct ModelSpec {
  std::string id;  // as the provider spells it, e.g. "veo3_fast", "kling-2.6/image-to-video"
  ApiFamily family = ApiFamily::kMarket;
  std::string title;
  std::string image_field;  // "imageUrls", "image_urls", "image_url"
  bool image_field_is_array = false;
  // Empty: the model has no ratio field and its output follows the input image's shape, so a
  // vertical video needs a vertical input image.
  std::string aspect_field;
  std::vector<std::string> aspect_ratios;
  std::string duration_field;          // empty: fixed length (Veo: 8 s)
  std::vector<std::string> durations;  // allowed values, as the API spells them
  bool duration_is_string = true;
  std::string resolution_field;
  std::vector<std::string> resolutions;
  std::string default_resolution;
  std::size_t prompt_max_chars = 1000;
  int credits = 1;  // what one video costs the seller

  bool takes_aspect_ratio() const { return !aspect_field.empty(); }
};

struct GenerationRequest {
  std::string model;
  std::string prompt;
  std::string image_url;
  std::string aspect_ratio = "9:16";
  int duration_s = 0;  // 0: the model's shortest
};

class ModelRegistry {
 public:
  static ModelRegistry defaults();

  const ModelSpec* find(std::string_view id) const;
  const std::vector<ModelSpec>& all() const { return models_; }

  // Nothing is sent unless this says yes: unknown model, a ratio the model does not accept,
  // a duration it cannot make, an empty or over-long prompt, a missing image URL. Returns the
  // problem in plain words, or nullopt.
  std::optional<std::string> validate(const GenerationRequest& request) const;

  // The allowed duration value closest to `seconds` (as the API spells it); empty for models
  // with a fixed length.
  static std::string pick_duration(const ModelSpec& model, int seconds);

 private:
  std::vector<ModelSpec> models_;
};

}  // namespace nc::core
