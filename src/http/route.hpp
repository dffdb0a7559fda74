// A route of the service's HTTP server as a unit of its own: what it answers (method, path
// prefix) and how. The service mounts the routes it needs; each has its own test.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string_view>

#include "net/http_server.hpp"

namespace nc::http {

class Route {
 public:
  virtual ~Route() = default;
  virtual std::string_view method() const = 0;
  virtual std::string_view path() const = 0;  // a prefix: the longest matching one wins
  virtual boost::asio::awaitable<net::HttpServerResponse> handle(
      net::HttpServerRequest request) = 0;
};

// Serves `route` on `server` until the server stops; the route must outlive the server.
void mount(net::HttpServer& server, Route& route);

// An application/json answer.
net::HttpServerResponse json_response(int status, const nlohmann::json& body);

// What /healthz and /readyz say the running binary is.
struct BuildIdentity {
  std::string version;
  std::string build;
};

}  // namespace nc::http
