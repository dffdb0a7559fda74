// Runs the real neurocards binary (NC_BINARY, set by CTest) as a separate process and captures
// its exit code and output: black-box tests of the command line.
#pragma once

#include <chrono>
#include <functional>
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

// The binary running in the background (a bot or a worker), its output in a log file.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const std::string& log_path);
  ~BackgroundProcess();  // SIGKILL if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  void kill_hard();           // SIGKILL, as a crash would
  int terminate(int timeout_ms = 10000);  // SIGTERM, waits; returns the exit code (-1: had to kill)
  bool running();
  std::string log() const;
  int pid() const { return pid_; }

 private:
  int pid_ = 0;
  bool reaped_ = false;
  std::string log_path_;
};

// Polls `condition` every 100 ms until it holds or `limit` passes; returns the last answer.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit);

// A TCP port nothing listens on right now.
unsigned short free_port();
// kInherited: this process's environment plus `env`; kOnlyGiven: `env` alone (a fresh machine).
enum class Environment { kInherited, kOnlyGiven };
CommandResult run_binary(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env,
                         Environment base = Environment::kInherited);

}  // namespace nc::testing
