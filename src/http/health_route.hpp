// GET /healthz: the process answers; says which build it is. Touches nothing else, so a
// liveness probe never restarts a service over a slow database.
#pragma once

#include "http/route.hpp"

namespace nc::http {

class HealthRoute final : public Route {
 public:
  explicit HealthRoute(BuildIdentity identity) : identity_(std::move(identity)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view path() const override { return "/healthz"; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  BuildIdentity identity_;
};

}  // namespace nc::http
