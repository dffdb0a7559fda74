// The baseline for the webhook benchmark: the same HTTP server engine as `neurocards bot`
// (src/net/http_server) with one route that answers 200 and does no work. The same wrk load
// against it measures what the machine, wrk and the HTTP layer alone allow.
//
//   nc_null_webhook --port 18002
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "net/http_server.hpp"

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  CLI::App app{"Webhook baseline: answers POST /tg/webhook with 200 and does nothing"};
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  app.add_option("--host", host, "Address to listen on (loopback only for benchmarks)");
  app.add_option("--port", port, "Port to listen on (0: any free port)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  asio::io_context io(1);
  nc::net::HttpServer server(io, nc::net::HttpServerOptions{.host = host, .port = port});
  // The real intake answers a handled update with an empty 200 text/plain; so does this one.
  auto ok = [](nc::net::HttpServerRequest) -> asio::awaitable<nc::net::HttpServerResponse> {
    co_return nc::net::HttpServerResponse{};
  };
  server.route("POST", "/tg/webhook", ok);
  server.route("GET", "/readyz", ok);
  server.start();
  std::cout << "null webhook on " << host << ':' << server.port() << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.stop();
    io.stop();
  });
  io.run();
  return 0;
}
