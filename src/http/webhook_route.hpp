// POST /tg/webhook: Telegram's deliveries. Without the right secret header: 401, nothing
// changes; a body over the server's limit: 413; garbage: 400; a valid update is answered 200
// once its effects are committed (typically a few ms), so Telegram's own per-chat ordering
// carries over to us. 500 when it could not be handled: Telegram delivers it again. Past
// `max_in_flight` updates being handled at once, 503 with Retry-After: Telegram holds them and
// delivers again, rather than this process queueing without end.
#pragma once

#include <atomic>
#include <string>

#include "http/route.hpp"
#include "net/repeated_warning.hpp"
#include "telegram/update_sink.hpp"

namespace nc::http {

class WebhookRoute final : public Route {
 public:
  static constexpr std::string_view kPath = "/tg/webhook";

  static constexpr int kMaxInFlight = 1024;

  WebhookRoute(telegram::UpdateSink& sink, std::string secret, int max_in_flight = kMaxInFlight)
      : sink_(sink), secret_(std::move(secret)), max_in_flight_(max_in_flight) {}
  std::string_view method() const override { return "POST"; }
  std::string_view path() const override { return kPath; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  telegram::UpdateSink& sink_;
  std::string secret_;  // X-Telegram-Bot-Api-Secret-Token, as given to setWebhook
  net::RepeatedWarning refusals_;
  int max_in_flight_;
  std::atomic<int> in_flight_{0};
  net::RepeatedWarning busy_;
};

}  // namespace nc::http
