// `neurocards demo`: the whole product offline on a fresh machine. A scripted seller talks to
// the real bot (polling, outbox, Bot API client) through the fake Bot API on loopback inside
// the process; the real store (a temporary SQLite), worker and local renderer make real videos;
// the chat is printed as it happens.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace nc::app {

struct DemoOptions {
  std::string out_dir = "neurocards-demo";  // the videos end up here
  std::string language = "ru";              // the seller's Telegram language: ru or en
  std::chrono::seconds reply_timeout{30};   // for each answer of the bot
  std::chrono::seconds videos_timeout{300};
};

// Prints the transcript to stdout; returns 0 when every video arrived, else 1 after a sentence
// on stderr saying which step failed. Reads no configuration: nothing of the real bot is used.
int run_demo(const DemoOptions& options);

// Registers the subcommand; its exit code goes to `exit_code`.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace nc::app
