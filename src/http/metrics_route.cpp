#include "http/metrics_route.hpp"

#include "net/hmac.hpp"

namespace nc::http {

boost::asio::awaitable<net::HttpServerResponse> MetricsRoute::handle(
    net::HttpServerRequest request) {
  if (!token_.empty()) {
    const auto given = request.header("authorization");
    if (!given || !net::constant_time_equal(*given, "Bearer " + token_)) {
      auto refused = net::HttpServerResponse::text(401, "unauthorized");
      refused.headers.emplace_back("WWW-Authenticate", "Bearer");
      co_return refused;
    }
  }
  net::HttpServerResponse response;
  response.content_type = obs::Registry::kContentType;
  response.body = registry_.render();
  co_return response;
}

}  // namespace nc::http
