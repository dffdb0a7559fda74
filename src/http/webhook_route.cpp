#include "http/webhook_route.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "net/hmac.hpp"
#include "telegram/json.hpp"

namespace nc::http {

boost::asio::awaitable<net::HttpServerResponse> WebhookRoute::handle(
    net::HttpServerRequest request) {
  const auto secret = request.header("x-telegram-bot-api-secret-token");
  if (!secret || !net::constant_time_equal(*secret, secret_)) {
    refusals_.warn(fmt::format("webhook: request from {} without the right secret token; refused",
                               request.remote_address));
    co_return net::HttpServerResponse::text(401, "unauthorized");
  }
  auto update = telegram::parse_update(request.body);
  if (!update.ok()) {
    spdlog::warn("webhook: unreadable update: {}", update.error().message);
    co_return net::HttpServerResponse::text(400, "bad update");
  }
  if (in_flight_.fetch_add(1) >= max_in_flight_) {
    in_flight_.fetch_sub(1);
    busy_.warn(fmt::format("webhook: {} updates in handling already; asking Telegram to retry",
                           max_in_flight_));
    auto busy = net::HttpServerResponse::text(503, "busy");
    busy.headers.emplace_back("Retry-After", "1");
    co_return busy;
  }
  struct InFlight {
    std::atomic<int>& count;
    ~InFlight() { count.fetch_sub(1); }
  } in_flight{in_flight_};
  try {
    co_await sink_.deliver(std::move(update.value()));
  } catch (const std::exception& error) {
    // Not committed: Telegram delivers it again later.
    spdlog::error("webhook: update {} not handled: {}", update->update_id, error.what());
    co_return net::HttpServerResponse::text(500, "try again");
  }
  co_return net::HttpServerResponse::text(200, "");
}

}  // namespace nc::http
