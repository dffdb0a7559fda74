// Spawns a program with posix_spawnp and reads its stdout and stderr until it exits or its
// deadline passes.
#include "media/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace nc::media {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

bool make_pipe(Pipe& pipe) {
  // Close-on-exec, so programs spawned by other threads at the same moment do not inherit them.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe.read.reset(fds[0]);
  pipe.write.reset(fds[1]);
  return true;
}

// Keeps the first `max` bytes.
void append_head(std::string& to, const char* data, std::size_t n, std::size_t max) {
  if (to.size() < max) to.append(data, std::min(n, max - to.size()));
}

// Keeps the last `max` bytes.
void append_tail(std::string& to, const char* data, std::size_t n, std::size_t max) {
  to.append(data, n);
  if (to.size() > 2 * max) to.erase(0, to.size() - max);
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1000));
}

void record_status(ProcessResult& result, int status) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessLimits& limits) {
  ProcessResult result;
  if (argv.empty()) {
    result.error = "No program to run was given.";
    return result;
  }
  const auto deadline = Clock::now() + limits.timeout;

  Pipe out_pipe;
  Pipe err_pipe;
  if (!make_pipe(out_pipe) || !make_pipe(err_pipe)) {
    result.error = std::string("Could not create pipes: ") + std::strerror(errno);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe.write.get(), 2);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  // A server thread may block signals or ignore SIGPIPE, and both would pass to the child.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  for (int number : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGCHLD})
    sigaddset(&signals, number);
  posix_spawnattr_setsigdefault(&attributes, &signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.error = "Could not start " + argv[0] + ": " + std::strerror(rc) + ".";
    return result;
  }
  result.started = true;
  out_pipe.write.reset();
  err_pipe.write.reset();

  std::array<char, 65536> buffer;
  bool out_open = true;
  bool err_open = true;
  bool stop = false;  // the deadline passed or reading failed: kill, then reap
  while ((out_open || err_open) && !stop) {
    if (Clock::now() >= deadline) {
      result.timed_out = stop = true;
      break;
    }
    std::array<pollfd, 2> fds{{{out_open ? out_pipe.read.get() : -1, POLLIN, 0},
                               {err_open ? err_pipe.read.get() : -1, POLLIN, 0}}};
    int ready = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
    if (ready < 0 && errno != EINTR) {
      result.error = std::string("Waiting for output failed: ") + std::strerror(errno) + ".";
      stop = true;
      break;
    }
    if (ready <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      if (i == 0) {
        append_head(result.out, buffer.data(), static_cast<std::size_t>(n), limits.max_out_bytes);
      } else {
        append_tail(result.err, buffer.data(), static_cast<std::size_t>(n), limits.max_err_bytes);
      }
    }
  }

  int status = 0;
  // A program may close its outputs and keep running; the deadline still holds.
  while (!stop) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      record_status(result, status);
      break;
    }
    if (done < 0 && errno != EINTR) {
      result.error =
          std::string("Could not learn how ") + argv[0] + " ended: " + std::strerror(errno) + ".";
      break;
    }
    if (Clock::now() >= deadline) {
      result.timed_out = stop = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (stop) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    record_status(result, status);
    result.exit_code = -1;
    if (result.error.empty()) {
      result.error = argv[0] + " did not finish within " + std::to_string(limits.timeout.count()) +
                     " ms and was stopped.";
    }
  }
  if (result.err.size() > limits.max_err_bytes) {
    result.err.erase(0, result.err.size() - limits.max_err_bytes);
  }
  if (result.error.empty() && !result.ok()) {
    result.error = result.signal != 0
                       ? argv[0] + " was killed by signal " + std::to_string(result.signal) + "."
                       : argv[0] + " exited with code " + std::to_string(result.exit_code) + ".";
  }
  return result;
}

std::string tail_lines(const std::string& text, int max_lines) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::string joined;
  std::size_t first = lines.size() > static_cast<std::size_t>(max_lines)
                          ? lines.size() - static_cast<std::size_t>(max_lines)
                          : 0;
  for (std::size_t i = first; i < lines.size(); ++i) {
    if (!joined.empty()) joined += " | ";
    joined += lines[i];
  }
  return joined;
}

}  // namespace nc::media
