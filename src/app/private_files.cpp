#include "app/private_files.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace nc::app {

namespace fs = std::filesystem;

void create_files_privately() {
  ::umask(077);
}

void make_private_directory(const fs::path& directory) {
  fs::create_directories(directory);
  const auto others = fs::perms::group_all | fs::perms::others_all;
  if ((fs::status(directory).permissions() & others) == fs::perms::none) return;
  std::error_code error;
  fs::permissions(directory, others, fs::perm_options::remove, error);
  if (error) {
    spdlog::warn("{} is readable by other users and cannot be changed: {}", directory.string(),
                 error.message());
  } else {
    spdlog::warn("{} was readable by other users; it is now private to this one (0700)",
                 directory.string());
  }
}

}  // namespace nc::app
