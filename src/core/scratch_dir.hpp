// A folder of one's own for scratch files, removed however the work ends.
#pragma once

#include <filesystem>
#include <string_view>

namespace nc::core {

class ScratchDir {
 public:
  // Creates <parent>/<prefix>XXXXXX; throws std::runtime_error with a sentence when it cannot.
  ScratchDir(const std::filesystem::path& parent, std::string_view prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace nc::core
