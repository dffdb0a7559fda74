// Webhook intake: POST /tg/webhook on our HTTP server. A request without the right secret
// header gets 401 and changes nothing; a body over the server's limit gets 413; garbage gets
// 400; a valid update is answered 200 once its effects are committed (typically a few ms),
// so Telegram's own per-chat ordering carries over to us.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/update_sink.hpp"

namespace nc::telegram {

struct WebhookOptions {
  std::string url;               // PUBLIC_BASE_URL + /tg/webhook
  std::string secret;            // X-Telegram-Bot-Api-Secret-Token
  std::string certificate_path;  // uploaded when self-signed; empty otherwise
  std::vector<std::string> allowed_updates = {"message", "callback_query",
                                              "pre_checkout_query", "my_chat_member"};
  int max_connections = 40;
};

class WebhookIntake {
 public:
  static constexpr const char* kPath = "/tg/webhook";

  WebhookIntake(boost::asio::io_context& io, BotApi& api, UpdateSink& sink,
                WebhookOptions options);

  net::HttpHandler handler();
  // setWebhook, retried with backoff until Telegram accepts it (the listener must be up).
  boost::asio::awaitable<void> register_webhook();
  bool registered() const { return registered_; }

 private:
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request);

  boost::asio::io_context& io_;
  BotApi& api_;
  UpdateSink& sink_;
  WebhookOptions options_;
  bool registered_ = false;
};

// True when the PEM certificate at `path` is self-signed (Telegram then needs it uploaded).
bool is_self_signed_certificate(const std::string& path);

}  // namespace nc::telegram
