// GET /metrics: the registry in Prometheus text format, after `refresh` has read what is only
// known on asking (the job queue's gauges).
#pragma once

#include <functional>

#include "http/route.hpp"
#include "obs/metrics.hpp"

namespace nc::http {

class MetricsRoute final : public Route {
 public:
  using Refresh = std::function<boost::asio::awaitable<void>()>;
  MetricsRoute(const obs::Registry& registry, Refresh refresh)
      : registry_(registry), refresh_(std::move(refresh)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view path() const override { return "/metrics"; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  const obs::Registry& registry_;
  Refresh refresh_;
};

}  // namespace nc::http
