// The video formats a seller picks from: compiled-in defaults, overridable by a TOML file
// (templates/templates.toml). Each has titles in Russian and English, a prompt template with
// {product} and {wishes} placeholders, and the model, duration and aspect ratio it runs with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nc::core {

struct VideoTemplate {
  std::string id;  // stable, short (goes into callback data)
  std::string title_ru;
  std::string title_en;
  std::string description_ru;
  std::string description_en;
  std::string prompt;  // English; {product} and {wishes} are filled in by the prompt builder
  std::string model;   // empty: the configured VIDEO_MODEL
  int duration_s = 8;
  std::string aspect_ratio = "9:16";
  bool wishes_are_the_prompt = false;  // «Своя идея»: the seller writes the scene

  const std::string& title(std::string_view language) const;
  const std::string& description(std::string_view language) const;
};

class TemplateCatalog {
 public:
  static TemplateCatalog defaults();
  // Parses a TOML document of [[template]] tables; a template with a known id replaces the
  // default, a new id is added. Throws std::invalid_argument naming the problem.
  void apply_toml(std::string_view toml_text, const std::string& source_name);

  const std::vector<VideoTemplate>& all() const { return templates_; }
  const VideoTemplate* find(std::string_view id) const;

 private:
  std::vector<VideoTemplate> templates_;
};

}  // namespace nc::core
