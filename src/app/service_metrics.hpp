// What the service reports to Prometheus: the metric families and the hooks of each part that
// feed them. Labels name kinds and outcomes only, never a user or a chat.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "bot/bot_front.hpp"
#include "bot/dispatcher.hpp"
#include "net/blocking_pool.hpp"
#include "obs/metrics.hpp"
#include "providers/provider.hpp"
#include "store/job_queue.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/update_sink.hpp"
#include "worker/worker.hpp"

namespace nc::app {

class ServiceMetrics {
 public:
  explicit ServiceMetrics(obs::Registry& registry);

  // Each sets the part's hooks; gauges that read the part at a scrape are registered here, so
  // the part must outlive the scrapes (they run on the event loop, as the parts do).
  void watch(telegram::BotApi& api);
  void watch(bot::BotFront& front);
  void watch(bot::Dispatcher& dispatcher);
  void watch(telegram::OutboxSender& sender);
  void watch(worker::Worker& worker);
  void watch(providers::Provider& provider);

  void update_received(std::string_view type);
  // The store's view, the same from every instance: read at each scrape.
  void set_queue(const store::QueueStats& stats);

  // Before each scrape: reads the queue's gauges from the store (they keep their last values
  // when it cannot be read; /readyz reports the store).
  boost::asio::awaitable<void> refresh_queue(store::Database& database, net::BlockingPool& pool);

 private:
  obs::Registry& registry_;
  obs::Family<obs::Counter>& updates_received_;
  obs::Family<obs::Counter>& updates_handled_;
  obs::Family<obs::Histogram>& update_seconds_;
  obs::Family<obs::Counter>& telegram_calls_;
  obs::Family<obs::Counter>& provider_calls_;
  obs::Family<obs::Gauge>& jobs_;
  obs::Gauge& oldest_queued_;
  obs::Family<obs::Histogram>& job_seconds_;
  obs::Counter& credits_charged_;
  obs::Counter& credits_refunded_;
  obs::Family<obs::Counter>& repeated_calls_;
  obs::Family<obs::Counter>& purchases_;
  obs::Family<obs::Counter>& stars_received_;
};

// Intake hands updates here first: each is counted as it arrives, then handled by `inner`.
class CountingSink final : public telegram::UpdateSink {
 public:
  CountingSink(telegram::UpdateSink& inner, ServiceMetrics& metrics)
      : inner_(inner), metrics_(metrics) {}

  boost::asio::awaitable<void> deliver(telegram::Update update) override;
  boost::asio::awaitable<void> skip(std::int64_t update_id) override;

 private:
  telegram::UpdateSink& inner_;
  ServiceMetrics& metrics_;
};

// The label for a Bot API outcome: ok, retry_after, blocked, http_5xx, network, or the class of
// any other error (bad_request, unauthorized, ...).
std::string_view telegram_result(telegram::ApiError error);

}  // namespace nc::app
