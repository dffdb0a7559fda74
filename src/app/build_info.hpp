// Version and build id stamped into the binary at build time (see cmake/write_build_info.cmake).
#pragma once

namespace nc::app {
extern const char* const kVersion;
extern const char* const kBuildId;  // git commit, "-dirty" when built from local changes
extern const char* const kBuiltAt;
}  // namespace nc::app
