// The fake Telegram Bot API (src/fakes) in its lean mode, for the webhook benchmark: the real
// wire format and Telegram's checks, but calls only counted, so a load of many thousands of
// updates neither fills memory nor waits on the record. The benchmark checks that each update
// got exactly one reply from GET /stats.
//
//   nc_fast_bot_api --port 18001 --token 123456:AAAA…
//   GET /stats -> {"calls": {"sendMessage": 3, ...}, "send_per_chat": {"1000001": 2, ...},
//                  "answered_callbacks": 1, "answer_duplicates": 0}
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <string>

#include "fakes/fake_bot_api.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Fake Telegram Bot API for load benchmarks (counts calls, GET /stats)"};
  nc::fakes::FakeBotApiOptions options;
  options.lean = true;
  app.add_option("--port", options.port, "Port to listen on at 127.0.0.1 (0: any free port)");
  app.add_option("--token", options.token, "The bot token it accepts");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  nc::fakes::FakeBotApi api(options);
  api.start();
  std::cout << "fast Bot API on " << api.base_url() << std::endl;
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  io.run();
  api.stop();
  return 0;
}
