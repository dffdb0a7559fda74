#include "http/metrics_route.hpp"

namespace nc::http {

boost::asio::awaitable<net::HttpServerResponse> MetricsRoute::handle(net::HttpServerRequest) {
  if (refresh_) co_await refresh_();
  net::HttpServerResponse response;
  response.content_type = obs::Registry::kContentType;
  response.body = registry_.render();
  co_return response;
}

}  // namespace nc::http
