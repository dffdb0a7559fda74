#include "core/templates.hpp"

#include <fmt/format.h>

#include <regex>
#include <stdexcept>
#include <toml++/toml.h>

namespace nc::core {

const std::string& VideoTemplate::title(std::string_view language) const {
  return language.starts_with("en") ? title_en : title_ru;
}

const std::string& VideoTemplate::description(std::string_view language) const {
  return language.starts_with("en") ? description_en : description_ru;
}

TemplateCatalog TemplateCatalog::defaults() {
  TemplateCatalog catalog;
  catalog.templates_ = {
      {.id = "studio_360",
       .title_ru = "🔄 Студия 360°",
       .title_en = "🔄 Studio 360°",
       .description_ru = "Товар плавно вращается на чистом студийном фоне",
       .description_en = "The product turns slowly on a clean studio backdrop",
       .prompt = "Vertical 9:16 product video. The product {product} rotates slowly on a "
                 "turntable, a full 360-degree turn, seamless light studio backdrop, soft "
                 "diffused key light with gentle rim light, crisp details, premium commercial "
                 "look. {wishes}"},
      {.id = "unboxing",
       .title_ru = "📦 Распаковка",
       .title_en = "📦 Unboxing",
       .description_ru = "Руки открывают коробку и достают товар",
       .description_en = "Hands open the box and reveal the product",
       .prompt = "Vertical 9:16 unboxing video. Hands open a neat package on a tidy table and "
                 "reveal the product {product}, lift it toward the camera, warm natural light, "
                 "satisfying close-up moments. {wishes}"},
      {.id = "lifestyle",
       .title_ru = "🏡 В жизни",
       .title_en = "🏡 Lifestyle",
       .description_ru = "Товар в реальной обстановке, им пользуются",
       .description_en = "The product in a real setting, being used",
       .prompt = "Vertical 9:16 lifestyle video. The product {product} is used naturally in a "
                 "bright, cozy real-life setting that suits it, smooth handheld camera "
                 "movement, authentic and aspirational mood. {wishes}"},
      {.id = "ugc_review",
       .title_ru = "🤳 Отзыв покупателя",
       .title_en = "🤳 Customer review",
       .description_ru = "Как видео от покупателя: показывает и хвалит товар",
       .description_en = "Like a buyer's phone video showing off the product",
       .prompt = "Vertical 9:16 user-generated style video filmed on a smartphone. A happy "
                 "customer shows the product {product} to the camera at home, turns it to show "
                 "details, natural window light, casual and genuine. {wishes}"},
      {.id = "feature_closeup",
       .title_ru = "🔍 Крупные планы",
       .title_en = "🔍 Feature close-ups",
       .description_ru = "Макросъёмка деталей и преимуществ",
       .description_en = "Macro shots of details and benefits",
       .prompt = "Vertical 9:16 product video made of slow macro close-ups of the product "
                 "{product}: texture, materials, buttons and edges, shallow depth of field, "
                 "light sweeping across the surface, elegant transitions. {wishes}"},
      {.id = "self",
       .title_ru = "✍️ Своя идея",
       .title_en = "✍️ My own idea",
       .description_ru = "Опишите сцену сами на следующем шаге",
       .description_en = "Describe the scene yourself in the next step",
       .prompt = "Vertical 9:16 product video of {product}. {wishes}",
       .wishes_are_the_prompt = true},
  };
  return catalog;
}

const VideoTemplate* TemplateCatalog::find(std::string_view id) const {
  for (const auto& item : templates_) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

void TemplateCatalog::apply_toml(std::string_view toml_text, const std::string& source_name) {
  toml::table document;
  try {
    document = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    throw std::invalid_argument(fmt::format("{}: {} (line {})", source_name, error.description(),
                                            error.source().begin.line));
  }
  const auto* list = document["template"].as_array();
  if (!list) {
    throw std::invalid_argument(source_name + ": expected [[template]] tables");
  }
  static const std::regex id_pattern("^[a-z0-9_]{1,24}$");
  for (const auto& node : *list) {
    const auto* table = node.as_table();
    if (!table) throw std::invalid_argument(source_name + ": [[template]] must be a table");
    const auto id = (*table)["id"].value<std::string>();
    if (!id || !std::regex_match(*id, id_pattern)) {
      throw std::invalid_argument(
          source_name + ": every template needs an id of 1-24 characters a-z, 0-9, _");
    }
    VideoTemplate* existing = nullptr;
    for (auto& item : templates_) {
      if (item.id == *id) existing = &item;
    }
    VideoTemplate updated = existing ? *existing : VideoTemplate{.id = *id};
    auto text = [&](const char* key, std::string& field) {
      if (auto value = (*table)[key].value<std::string>()) field = *value;
    };
    text("title_ru", updated.title_ru);
    text("title_en", updated.title_en);
    text("description_ru", updated.description_ru);
    text("description_en", updated.description_en);
    text("prompt", updated.prompt);
    text("model", updated.model);
    text("aspect_ratio", updated.aspect_ratio);
    if (auto value = (*table)["duration_s"].value<int>()) updated.duration_s = *value;
    if (auto value = (*table)["wishes_are_the_prompt"].value<bool>()) {
      updated.wishes_are_the_prompt = *value;
    }
    if (updated.title_ru.empty() || updated.prompt.empty()) {
      throw std::invalid_argument(
          fmt::format("{}: template '{}' needs at least title_ru and prompt", source_name, *id));
    }
    if (updated.prompt.find("{product}") == std::string::npos) {
      throw std::invalid_argument(fmt::format(
          "{}: template '{}' prompt must contain {{product}}", source_name, *id));
    }
    if (updated.title_en.empty()) updated.title_en = updated.title_ru;
    if (existing) {
      *existing = std::move(updated);
    } else {
      templates_.push_back(std::move(updated));
    }
  }
}

}  // namespace nc::core
