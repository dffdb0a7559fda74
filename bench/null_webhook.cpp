// The baseline for the webhook benchmark: the same HTTP server engine as `neurocards bot`
// (src/net/http_server) with one route that answers 200 and does no work. The same wrk load
// against it measures what the machine, wrk and the HTTP layer alone allow.
//
//   nc_null_webhook --port 18002
#include <spdlog/spdlog.h>

#include "loopback_server.hpp"

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  CLI::App app{"Webhook baseline: answers POST /tg/webhook with 200 and does nothing"};
  nc::bench::ListenAddress address;
  address.add_options(app);
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  asio::io_context io(1);
  nc::net::HttpServer server(io, address.server_options());
  // The real intake answers a handled update with an empty 200 text/plain; so does this one.
  auto ok = [](nc::net::HttpServerRequest) -> asio::awaitable<nc::net::HttpServerResponse> {
    co_return nc::net::HttpServerResponse{};
  };
  server.route("POST", "/tg/webhook", ok);
  server.route("GET", "/readyz", ok);
  nc::bench::serve_until_signal(io, server, "null webhook", address);
  return 0;
}
