// Runs the real neurocards binary (NC_BINARY, set by CTest) as a separate process and captures
// its exit code and output: black-box tests of the command line.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace nc::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string binary_path();
CommandResult run_binary(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env);

}  // namespace nc::testing
