// What the benchmark's small HTTP servers share: --host and --port, one HttpServer on a
// one-thread io_context, served until SIGINT or SIGTERM.
#pragma once

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <string>
#include <string_view>

#include "net/http_server.hpp"

namespace nc::bench {

struct ListenAddress {
  std::string host = "127.0.0.1";
  unsigned short port = 0;

  void add_options(CLI::App& app) {
    app.add_option("--host", host, "Address to listen on (loopback only for benchmarks)");
    app.add_option("--port", port, "Port to listen on (0: any free port)");
  }
  net::HttpServerOptions server_options() const { return {.host = host, .port = port}; }
};

// Starts `server` (its routes added), says where it listens, and serves until a signal.
inline void serve_until_signal(boost::asio::io_context& io, net::HttpServer& server,
                               std::string_view name, const ListenAddress& address) {
  server.start();
  std::cout << name << " on " << address.host << ':' << server.port() << std::endl;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop();
    io.stop();
  });
  io.run();
}

}  // namespace nc::bench
