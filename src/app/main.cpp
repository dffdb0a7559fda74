// neurocards: one binary, one subcommand per process role. This is the composition root: it
// reads the configuration and hands each command what it needs.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "app/admin_command.hpp"
#include "app/build_info.hpp"
#include "app/config.hpp"
#include "app/demo/demo_command.hpp"
#include "app/logging.hpp"
#include "app/private_files.hpp"
#include "app/service.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace {

using namespace nc::app;

int migrate_command(const Config& config) {
  auto database = nc::store::open_database(config.database_url);
  const auto report = nc::store::migrate(*database);
  for (const auto& name : report.applied)
    std::cout << "applied " << name << '\n';
  std::cout << fmt::format("{}: schema version {}{}\n", database->describe(), report.version_after,
                           report.applied.empty() ? " (up to date)" : "");
  return 0;
}

// Any user of the host reads a process's arguments (ps, /proc/PID/cmdline).
void warn_of_secrets_in_flags(const Values& flags, const std::string& env_file) {
  for (const auto& setting : settings()) {
    if (setting.secret && flags.count(setting.name)) {
      spdlog::warn(
          "{} on the command line is visible to every user of this host (ps); set {} in "
          "the environment or in {} instead",
          setting.flag, setting.name, env_file);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  nc::app::create_files_privately();
  CLI::App app{"NeuroCards: marketing videos for marketplace sellers, made in Telegram"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("neurocards {} (build {})", kVersion, kBuildId));

  // Every setting can also be given as a flag; flags win over the environment and .env.
  Values flags;
  for (const auto& setting : settings()) {
    app.add_option_function<std::string>(
           setting.flag,
           [&flags, name = setting.name](const std::string& value) { flags[name] = value; },
           fmt::format("{} ({})", setting.help, setting.name))
        ->group("Settings");
  }
  std::string env_file = ".env";
  app.add_option("--env-file", env_file,
                 "Settings file read before the environment (default .env)");

  int exit_code = 0;
  auto run_with = [&](Needs needs, const StoreCommand& command) {
    try {
      const auto values = merge_sources(read_dotenv(env_file), process_environment(), flags);
      const auto config = parse_config(values, needs);
      setup_logging(config.log_level, config.log_format);
      warn_of_secrets_in_flags(flags, env_file);
      exit_code = command(config);
    } catch (const ConfigError& error) {
      // One line per wrong or missing setting.
      std::istringstream problems(error.what());
      for (std::string line; std::getline(problems, line);) {
        std::cerr << "configuration error: " << line << '\n';
      }
      exit_code = 2;
    } catch (const nc::store::DbError& error) {
      std::cerr << "database error: " << error.what() << '\n';
      exit_code = 1;
    } catch (const std::exception& error) {
      std::cerr << "error: " << error.what() << '\n';
      exit_code = 1;
    }
  };
  auto run_with_store = [&](const StoreCommand& command) { run_with(Needs::kStoreOnly, command); };

  app.add_subcommand("version", "Print the version and build id")->callback([] {
    std::cout << fmt::format("neurocards {}\nbuild {}\nbuilt {}\n", kVersion, kBuildId, kBuiltAt);
  });
  app.add_subcommand("migrate", "Apply database migrations")->callback([&] {
    run_with_store(migrate_command);
  });
  app.add_subcommand("bot", "The bot front: intake (polling or webhook), conversation, HTTP")
      ->callback([&] {
        run_with(Needs::kBot, [](const Config& c) { return run_service(c, Roles{.bot = true}); });
      });
  app.add_subcommand("worker", "Executes generation jobs; run many, on many hosts (PostgreSQL)")
      ->callback([&] {
        run_with(Needs::kWorker, [](const Config& c) {
          return run_service(c, Roles{.bot = false, .worker = true});
        });
      });
  app.add_subcommand("run", "Everything in one process: bot front, HTTP server and worker")
      ->callback([&] {
        run_with(Needs::kAll, [](const Config& c) {
          return run_service(c, Roles{.bot = true, .worker = true});
        });
      });
  add_admin_commands(app, run_with_store);
  add_enqueue_command(app, run_with_store);
  add_demo_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return exit_code;
}
