// The clean-up every process runs: at start and then every ten minutes it deletes what is past
// its retention (store::Retention), on a thread of its own so the bot front's pool never waits
// for it, logs what went, and carries on after any failure.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "net/blocking_pool.hpp"
#include "store/retention.hpp"

namespace nc::app {

class Janitor {
 public:
  static constexpr std::chrono::minutes kEvery{10};

  Janitor(store::Database& database, std::string data_dir, store::RetentionPolicy policy,
          std::chrono::milliseconds every = kEvery);
  ~Janitor();  // a sweep in progress stops between two batches; its thread is joined
  Janitor(const Janitor&) = delete;
  Janitor& operator=(const Janitor&) = delete;

  // Sweeps until the loop ends; never throws out.
  boost::asio::awaitable<void> run();
  // Called after each sweep with what it removed (tests, metrics).
  std::function<void(const store::SweepReport&)> on_sweep;

 private:
  store::Retention retention_;
  std::chrono::milliseconds every_;
  std::stop_source stop_;
  net::BlockingPool pool_{1};
};

// One line for the log: "removed 12 update ids, 40 sent replies, 3 photos (2.1 MB), …".
std::string describe(const store::SweepReport& report);

// 1536 -> "1.5 KB"; bytes for people.
std::string human_bytes(std::int64_t bytes);

}  // namespace nc::app
