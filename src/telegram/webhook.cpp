#include "telegram/webhook.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "core/backoff.hpp"
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

WebhookIntake::WebhookIntake(asio::io_context& io, BotApi& api, WebhookOptions options)
    : io_(io), api_(api), options_(std::move(options)) {}

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
    const auto delay =
        core::capped_backoff(attempt, std::chrono::seconds(2), std::chrono::seconds(60));
    spdlog::error("setWebhook failed: {} — retrying in {} ms", result.description, delay.count());
    asio::steady_timer timer(io_, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace nc::telegram
