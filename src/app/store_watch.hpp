// Checks the store every few seconds in the background: whether it answers (for /readyz) and
// the job queue's gauges (for /metrics). Requests from outside read the results and never
// make the database work.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "app/service_metrics.hpp"
#include "net/blocking_pool.hpp"
#include "store/database.hpp"

namespace nc::app {

class StoreWatch {
 public:
  StoreWatch(store::Database& database, net::BlockingPool& pool, ServiceMetrics& metrics,
             std::chrono::seconds every = std::chrono::seconds(5))
      : database_(database), pool_(pool), metrics_(metrics), every_(every) {}

  // Checks at once, then every period, until the io_context stops.
  boost::asio::awaitable<void> run();
  // Whether the last check reached the store (true before the first: it was just opened).
  bool store_answers() const { return store_answers_.load(std::memory_order_relaxed); }

 private:
  boost::asio::awaitable<void> check();

  store::Database& database_;
  net::BlockingPool& pool_;
  ServiceMetrics& metrics_;
  std::chrono::seconds every_;
  std::atomic<bool> store_answers_{true};
};

}  // namespace nc::app
