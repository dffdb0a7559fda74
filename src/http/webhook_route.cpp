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
