// GET /metrics: the registry in Prometheus text format. Serving it reads no database (the
// queue's gauges are kept current in the background), so scraping costs next to nothing. With a
// token set (METRICS_TOKEN), only "Authorization: Bearer <token>" gets them; others get 401.
#pragma once

#include <string>

#include "http/route.hpp"
#include "obs/metrics.hpp"

namespace nc::http {

class MetricsRoute final : public Route {
 public:
  MetricsRoute(const obs::Registry& registry, std::string token)
      : registry_(registry), token_(std::move(token)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view path() const override { return "/metrics"; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  const obs::Registry& registry_;
  std::string token_;  // empty: open to whoever reaches the port
};

}  // namespace nc::http
