// Webhook intake: tells Telegram where to deliver updates (setWebhook, retried until accepted).
// The deliveries themselves arrive at http::WebhookRoute.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "telegram/bot_api.hpp"

namespace nc::telegram {

struct WebhookOptions {
  std::string url;               // PUBLIC_BASE_URL + /tg/webhook
  std::string secret;            // X-Telegram-Bot-Api-Secret-Token
  std::string certificate_path;  // uploaded when self-signed; empty otherwise
  std::vector<std::string> allowed_updates = {"message", "callback_query", "pre_checkout_query",
                                              "my_chat_member"};
  int max_connections = 40;
};

class WebhookIntake {
 public:
  WebhookIntake(boost::asio::io_context& io, BotApi& api, WebhookOptions options);

  // setWebhook, retried with backoff until Telegram accepts it (the listener must be up).
  boost::asio::awaitable<void> register_webhook();
  bool registered() const { return registered_; }

 private:
  boost::asio::io_context& io_;
  BotApi& api_;
  WebhookOptions options_;
  bool registered_ = false;
};

// True when the PEM certificate at `path` is self-signed (Telegram then needs it uploaded).
bool is_self_signed_certificate(const std::string& path);

}  // namespace nc::telegram
