// The long-running roles: the bot front (intake, conversation, HTTP server) and, with the
// worker issue, the job worker. One event loop thread for network I/O, a bounded pool for
// blocking work. Built once here from the configuration: this is where parts get wired.
#pragma once

#include "app/config.hpp"

namespace nc::app {

struct Roles {
  bool bot = true;
  bool worker = false;
};

// Runs until SIGTERM or SIGINT; returns the process exit code.
int run_service(const Config& config, Roles roles);

// "host:pid:random" — names this process in leases and logs.
std::string instance_name();

}  // namespace nc::app
