// Version and build id stamped into the binary at build time (see cmake/write_build_info.cmake).
#pragma once

#include <string>

namespace nc::app {
extern const char* const kVersion;
extern const char* const kBuildId;  // git commit, "-dirty" when built from local changes
extern const char* const kBuiltAt;

// "NeuroCards/<version>", the User-Agent of every outbound request.
inline std::string user_agent() {
  return std::string("NeuroCards/") + kVersion;
}
}  // namespace nc::app
