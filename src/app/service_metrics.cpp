#include "app/service_metrics.hpp"

#include <spdlog/spdlog.h>

#include "app/build_info.hpp"

namespace nc::app {
namespace {

namespace asio = boost::asio;

// From a local render of a few seconds to the 20-minute deadline and beyond.
std::vector<double> job_seconds_buckets() {
  return {5, 15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600};
}

std::string_view ok_or_failed(bool ok) {
  return ok ? "ok" : "failed";
}

}  // namespace

std::string_view telegram_result(telegram::ApiError error) {
  switch (error) {
    case telegram::ApiError::kNone:
      return "ok";
    case telegram::ApiError::kRateLimited:
      return "retry_after";
    case telegram::ApiError::kServer:
      return "http_5xx";
    case telegram::ApiError::kNetwork:
      return "network";
    default:
      return telegram::to_string(error);
  }
}

ServiceMetrics::ServiceMetrics(obs::Registry& registry)
    : registry_(registry),
      updates_received_(registry.counter("nc_updates_received_total",
                                         "Telegram updates received, by update type", {"type"})),
      updates_handled_(registry.counter(
          "nc_updates_handled_total",
          "Telegram updates handled, by type and outcome (handled, duplicate, ignored, failed)",
          {"type", "outcome"})),
      update_seconds_(registry.histogram("nc_update_handling_seconds",
                                         "Time from an update's arrival to its replies committed",
                                         {"type"}, obs::fast_seconds_buckets())),
      telegram_calls_(registry.counter("nc_telegram_calls_total",
                                       "Bot API HTTP exchanges, retries included, by result",
                                       {"method", "result"})),
      provider_calls_(registry.counter("nc_provider_calls_total",
                                       "Video provider calls and result downloads, by result",
                                       {"endpoint", "result"})),
      jobs_(registry.gauge("nc_jobs", "Jobs in the store by state (read at scrape)", {"state"})),
      oldest_queued_(registry
                         .gauge("nc_oldest_queued_job_seconds",
                                "Age of the oldest queued job, 0 when none (read at scrape)")
                         .with({})),
      job_seconds_(registry.histogram("nc_job_duration_seconds",
                                      "Time from a job's creation to done or failed", {"state"},
                                      job_seconds_buckets())),
      credits_charged_(registry
                           .counter("nc_credits_charged_total",
                                    "Credits charged for orders placed through this process")
                           .with({})),
      credits_refunded_(registry
                            .counter("nc_credits_refunded_total",
                                     "Credits refunded for failed jobs by this process")
                            .with({})),
      repeated_calls_(registry.counter(
          "nc_repeated_calls_total",
          "Provider creates and sendVideo calls made again because the worker before was cut "
          "off inside them (a possible unused provider task or a video sent twice)",
          {"call"})),
      purchases_(registry.counter("nc_purchases_total",
                                  "Credit packs bought with Telegram Stars, by pack", {"pack"})),
      stars_received_(registry.counter("nc_stars_received_total",
                                       "Telegram Stars received for credit packs, by pack",
                                       {"pack"})) {
  registry.gauge("nc_build_info", "The running version and build", {"version", "build"})
      .with({kVersion, kBuildId})
      .set(1);
}

void ServiceMetrics::watch(telegram::BotApi& api) {
  api.on_call = [this](std::string_view method, telegram::ApiError error) {
    telegram_calls_.with({method, telegram_result(error)}).inc();
  };
}

void ServiceMetrics::watch(bot::BotFront& front) {
  front.on_update = [this](std::string_view type, std::string_view outcome, double seconds) {
    updates_handled_.with({type, outcome}).inc();
    // Ignored and failed updates come without a meaningful duration.
    if (outcome == "handled" || outcome == "duplicate")
      update_seconds_.with({type}).observe(seconds);
  };
}

void ServiceMetrics::watch(bot::Dispatcher& dispatcher) {
  dispatcher.on_credits_charged = [this](std::int64_t credits) {
    credits_charged_.inc(static_cast<double>(credits));
  };
  dispatcher.on_pack_bought = [this](const std::string& pack, std::int64_t stars) {
    purchases_.with({pack}).inc();
    stars_received_.with({pack}).inc(static_cast<double>(stars));
  };
}

void ServiceMetrics::watch(telegram::OutboxSender& sender) {
  registry_.gauge_callback("nc_send_queue_depth",
                           "Replies queued in this process for sending to Telegram",
                           [&sender] { return static_cast<double>(sender.queued()); });
}

void ServiceMetrics::watch(worker::Worker& worker) {
  registry_.gauge_callback("nc_jobs_in_flight", "Jobs this worker is stepping right now",
                           [&worker] { return static_cast<double>(worker.in_flight()); });
  worker.events.on_transition = [this](core::JobStatus status, double seconds) {
    if (status == core::JobStatus::kDone || status == core::JobStatus::kFailed) {
      job_seconds_.with({core::to_string(status)}).observe(seconds);
    }
  };
  worker.events.on_credits = [this](std::string_view what, std::int64_t credits) {
    if (what == "refunded") credits_refunded_.inc(static_cast<double>(credits));
    if (what == "charged") credits_charged_.inc(static_cast<double>(credits));
  };
  worker.events.on_result_download = [this](bool ok) {
    provider_calls_.with({"download", ok_or_failed(ok)}).inc();
  };
  worker.events.on_repeated_call = [this](std::string_view call) {
    repeated_calls_.with({call}).inc();
  };
}

void ServiceMetrics::watch(providers::Provider& provider) {
  provider.on_exchange = [this](std::string_view call, std::string_view result) {
    provider_calls_.with({call, result}).inc();
  };
}

void ServiceMetrics::update_received(std::string_view type) {
  updates_received_.with({type}).inc();
}

void ServiceMetrics::set_queue(const store::QueueStats& stats) {
  for (const auto& [state, count] : stats.by_status) {
    jobs_.with({state}).set(static_cast<double>(count));
  }
  oldest_queued_.set(stats.oldest_queued_age_s.value_or(0));
}

asio::awaitable<void> ServiceMetrics::refresh_queue(store::Database& database,
                                                    net::BlockingPool& pool) {
  try {
    auto stats = co_await pool.run([&] { return store::JobQueue(database).stats(); });
    set_queue(stats);
  } catch (const std::exception& error) {
    spdlog::warn("metrics: the job queue could not be read: {}", error.what());
  }
}

asio::awaitable<void> CountingSink::deliver(telegram::Update update) {
  metrics_.update_received(telegram::to_string(update.kind));
  // A named awaitable: no temporary Update inside the co_await expression (g++ 12).
  auto delivery = inner_.deliver(std::move(update));
  co_await std::move(delivery);
}

asio::awaitable<void> CountingSink::skip(std::int64_t update_id) {
  metrics_.update_received("unparsed");  // intake could not read it; it is recorded and skipped
  co_await inner_.skip(update_id);
}

}  // namespace nc::app
