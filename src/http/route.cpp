#include "http/route.hpp"

namespace nc::http {

void mount(net::HttpServer& server, Route& route) {
  server.route(
      std::string(route.method()), std::string(route.path()),
      [&route](net::HttpServerRequest request) { return route.handle(std::move(request)); });
}

net::HttpServerResponse json_response(int status, const nlohmann::json& body) {
  net::HttpServerResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

}  // namespace nc::http
