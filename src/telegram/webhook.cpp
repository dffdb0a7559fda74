#include "telegram/webhook.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "net/hmac.hpp"
#include "telegram/json.hpp"

namespace nc::telegram {

namespace asio = boost::asio;

bool is_self_signed_certificate(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) return false;
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (!certificate) return false;
  const bool self_signed = X509_check_issued(certificate, certificate) == X509_V_OK;
  X509_free(certificate);
  return self_signed;
}

WebhookIntake::WebhookIntake(asio::io_context& io, BotApi& api, UpdateSink& sink,
                             WebhookOptions options)
    : io_(io), api_(api), sink_(sink), options_(std::move(options)) {}

net::HttpHandler WebhookIntake::handler() {
  return [this](net::HttpServerRequest request) { return handle(std::move(request)); };
}

asio::awaitable<net::HttpServerResponse> WebhookIntake::handle(net::HttpServerRequest request) {
  const auto secret = request.header("x-telegram-bot-api-secret-token");
  if (!secret || !net::constant_time_equal(*secret, options_.secret)) {
    spdlog::warn("webhook: request from {} without the right secret token; refused",
                 request.remote_address);
    co_return net::HttpServerResponse::text(401, "unauthorized");
  }
  auto update = parse_update(request.body);
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

asio::awaitable<void> WebhookIntake::register_webhook() {
  for (int attempt = 0;; ++attempt) {
    auto result =
        co_await api_.set_webhook(options_.url, options_.secret, options_.certificate_path,
                                  options_.allowed_updates, options_.max_connections);
    if (result.ok()) {
      registered_ = true;
      spdlog::info("webhook set: Telegram delivers updates to {}{}", options_.url,
                   options_.certificate_path.empty() ? "" : " (self-signed certificate uploaded)");
      co_return;
    }
    const auto delay = std::chrono::seconds(std::min(60, 2 << std::min(attempt, 5)));
    spdlog::error("setWebhook failed: {} — retrying in {} s", result.description, delay.count());
    asio::steady_timer timer(io_, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace nc::telegram
