// `neurocards admin …` and `neurocards enqueue`: the operator's tools over the store.
// Tables for people, --json for scripts; exit code 0 on success, 1 when the thing asked about
// does not exist or the audit fails, 2 for bad input.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <ostream>

#include "app/config.hpp"

namespace nc::app {

// Runs a command that needs the store: opens and migrates it, then calls `body`.
using StoreCommand = std::function<int(const Config&)>;

// Registers the admin and enqueue subcommands on `app`. `run` is how a chosen subcommand gets
// executed (it loads the configuration first); `exit_code` receives the result.
void add_admin_commands(CLI::App& app, const std::function<void(StoreCommand)>& run);
void add_enqueue_command(CLI::App& app, const std::function<void(StoreCommand)>& run);

}  // namespace nc::app
