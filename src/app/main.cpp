// neurocards: one binary, one subcommand per process role (see README).
#include <fmt/format.h>

#include "app/build_info.hpp"

int main() {
  fmt::print("neurocards {} (build {})\n", nc::app::kVersion, nc::app::kBuildId);
  return 0;
}
