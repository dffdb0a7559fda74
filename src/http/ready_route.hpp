// GET /readyz: 200 when the store answers and the update intake runs (polling, or the webhook
// registered with Telegram), else 503 with which part is not ready.
#pragma once

#include <functional>
#include <string>

#include "http/route.hpp"
#include "net/blocking_pool.hpp"
#include "store/database.hpp"

namespace nc::http {

struct Readiness {
  std::string mode;                   // "polling", "webhook" or "worker"
  std::function<bool()> intake_runs;  // empty: this process takes no updates
};

class ReadyRoute final : public Route {
 public:
  ReadyRoute(store::Database& database, net::BlockingPool& pool, Readiness readiness,
             BuildIdentity identity)
      : database_(database),
        pool_(pool),
        readiness_(std::move(readiness)),
        identity_(std::move(identity)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view path() const override { return "/readyz"; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  store::Database& database_;
  net::BlockingPool& pool_;
  Readiness readiness_;
  BuildIdentity identity_;
};

}  // namespace nc::http
