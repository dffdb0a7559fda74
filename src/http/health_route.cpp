#include "http/health_route.hpp"

namespace nc::http {

boost::asio::awaitable<net::HttpServerResponse> HealthRoute::handle(net::HttpServerRequest) {
  co_return json_response(
      200, {{"status", "ok"}, {"version", identity_.version}, {"build", identity_.build}});
}

}  // namespace nc::http
