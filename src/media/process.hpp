// Runs an outside program (ffmpeg, ffprobe) without a shell, with a deadline, and collects what
// it printed.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace nc::media {

struct ProcessResult {
  bool started = false;    // false: the program could not be started; `error` says why
  bool timed_out = false;  // the deadline passed and the program was killed
  int exit_code = -1;      // -1 unless the program exited on its own
  int signal = 0;          // the signal that ended it, 0 if none
  std::string out;
  std::string err;  // the last ProcessLimits::max_err_bytes of stderr
  std::string error;

  bool ok() const { return started && !timed_out && exit_code == 0; }
};

struct ProcessLimits {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::size_t max_out_bytes = 16 * 1024 * 1024;  // stdout past this is read and dropped
  std::size_t max_err_bytes = 64 * 1024;         // stderr keeps its tail, where errors are
};

// argv[0] is looked up in PATH. stdin is /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessLimits& limits = {});

// The last `max_lines` non-empty lines of `text`, for error messages and logs.
std::string tail_lines(const std::string& text, int max_lines = 8);

}  // namespace nc::media
