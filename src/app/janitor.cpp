#include "app/janitor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nc::app {

namespace asio = boost::asio;

Janitor::Janitor(store::Database& database, std::string data_dir, store::RetentionPolicy policy,
                 std::chrono::milliseconds every)
    : retention_(database, std::move(data_dir), policy), every_(every) {}

Janitor::~Janitor() {
  stop_.request_stop();
}

asio::awaitable<void> Janitor::run() {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  const auto stop = stop_.get_token();
  while (!stop.stop_requested()) {
    try {
      // Its own thread: a long first sweep after an upgrade never delays a reply.
      const store::SweepReport report = co_await pool_.run([&] { return retention_.sweep(stop); });
      if (!report.nothing()) spdlog::info("clean-up: {}", describe(report));
      if (on_sweep) on_sweep(report);
    } catch (const std::exception& error) {
      spdlog::error("clean-up failed: {}; trying again in {} s", error.what(),
                    std::chrono::duration_cast<std::chrono::seconds>(every_).count());
    } catch (...) {
      spdlog::error("clean-up failed; trying again later");
    }
    pause.expires_after(every_);
    boost::system::error_code ignored;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

std::string human_bytes(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string describe(const store::SweepReport& report) {
  std::string text = fmt::format("removed {} update ids, {} sent replies, {} stored photo copies",
                                 report.processed_updates, report.outbox_rows, report.photo_rows);
  auto files = [&](const char* what, const store::Removed& removed) {
    text += fmt::format(", {} {} ({})", removed.files, what, human_bytes(removed.bytes));
  };
  files("photos", report.photos);
  files("inputs", report.inputs);
  files("results", report.results);
  files("other files", report.other);
  return text;
}

}  // namespace nc::app
