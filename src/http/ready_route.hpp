// GET /readyz: 200 when the store answers and the update intake runs (polling, or the webhook
// registered with Telegram), else 503 with which part is not ready. It reads what background
// checks found (app::StoreWatch), so a flood of requests never reaches the database.
#pragma once

#include <functional>
#include <string>

#include "http/route.hpp"

namespace nc::http {

struct Readiness {
  std::string mode;                     // "polling", "webhook" or "worker"
  std::function<bool()> store_answers;  // the last background check of the store
  std::function<bool()> intake_runs;    // empty: this process takes no updates
};

class ReadyRoute final : public Route {
 public:
  ReadyRoute(Readiness readiness, BuildIdentity identity)
      : readiness_(std::move(readiness)), identity_(std::move(identity)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view path() const override { return "/readyz"; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  Readiness readiness_;
  BuildIdentity identity_;
};

}  // namespace nc::http
