#include "core/scratch_dir.hpp"

#include <stdlib.h>

#include <stdexcept>
#include <string>

namespace nc::core {

ScratchDir::ScratchDir(const std::filesystem::path& parent, std::string_view prefix) {
  std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("Could not create a work folder in " + parent.string() +
                             ". Check that it exists and is writable.");
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace nc::core
