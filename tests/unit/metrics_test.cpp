#include "obs/metrics.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

namespace nc::obs {
namespace {

TEST(Metrics, RendersCountersWithHelpTypeAndSortedLabels) {
  Registry registry;
  auto& calls = registry.counter("nc_calls_total", "Calls made", {"method", "result"});
  calls.with({"sendMessage", "ok"}).inc();
  calls.with({"sendMessage", "ok"}).inc(2);
  calls.with({"getUpdates", "network"}).inc();
  registry.counter("nc_plain_total", "No labels").with({}).inc(0.5);
  EXPECT_EQ(registry.render(),
            "# HELP nc_calls_total Calls made\n"
            "# TYPE nc_calls_total counter\n"
            "nc_calls_total{method=\"getUpdates\",result=\"network\"} 1\n"
            "nc_calls_total{method=\"sendMessage\",result=\"ok\"} 3\n"
            "# HELP nc_plain_total No labels\n"
            "# TYPE nc_plain_total counter\n"
            "nc_plain_total 0.5\n");
}

TEST(Metrics, AnUnlabelledFamilyShowsZeroBeforeItsFirstUse) {
  Registry registry;
  registry.gauge("nc_depth", "Queue depth");
  registry.counter("nc_by_kind_total", "By kind", {"kind"});
  EXPECT_EQ(registry.render(),
            "# HELP nc_depth Queue depth\n"
            "# TYPE nc_depth gauge\n"
            "nc_depth 0\n"
            "# HELP nc_by_kind_total By kind\n"
            "# TYPE nc_by_kind_total counter\n");
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.gauge("nc_info", "Line one\nback\\slash \"quoted\"", {"value"})
      .with({"a\\b \"c\"\nd"})
      .set(1);
  EXPECT_EQ(registry.render(),
            "# HELP nc_info Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE nc_info gauge\n"
            "nc_info{value=\"a\\\\b \\\"c\\\"\\nd\"} 1\n");
  EXPECT_EQ(escape_label_value("плохо \"да\""), "плохо \\\"да\\\"");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  auto& seconds = registry.histogram("nc_wait_seconds", "Wait", {"type"}, {0.1, 1, 5});
  auto& message = seconds.with({"message"});
  message.observe(0.05);
  message.observe(0.1);  // on the bound: counted in le="0.1"
  message.observe(0.7);
  message.observe(30);
  EXPECT_EQ(registry.render(),
            "# HELP nc_wait_seconds Wait\n"
            "# TYPE nc_wait_seconds histogram\n"
            "nc_wait_seconds_bucket{type=\"message\",le=\"0.1\"} 2\n"
            "nc_wait_seconds_bucket{type=\"message\",le=\"1\"} 3\n"
            "nc_wait_seconds_bucket{type=\"message\",le=\"5\"} 3\n"
            "nc_wait_seconds_bucket{type=\"message\",le=\"+Inf\"} 4\n"
            "nc_wait_seconds_sum{type=\"message\"} 30.85\n"
            "nc_wait_seconds_count{type=\"message\"} 4\n");
}

TEST(Metrics, UnlabelledHistogramPutsLeAlone) {
  Registry registry;
  registry.histogram("nc_size", "Size", {}, {10}).with({}).observe(3);
  EXPECT_EQ(registry.render(),
            "# HELP nc_size Size\n"
            "# TYPE nc_size histogram\n"
            "nc_size_bucket{le=\"10\"} 1\n"
            "nc_size_bucket{le=\"+Inf\"} 1\n"
            "nc_size_sum 3\n"
            "nc_size_count 1\n");
}

TEST(Metrics, CallbackGaugesAreReadAtEachScrape) {
  Registry registry;
  int depth = 2;
  registry.gauge_callback("nc_queue", "Queued", [&] { return static_cast<double>(depth); });
  registry.gauge_callback("nc_jobs", "Jobs", {"state"}, [] {
    return std::vector<GaugeSample>{{{"queued"}, 0}, {{"done"}, 7}};
  });
  const std::string jobs =
      "# HELP nc_jobs Jobs\n# TYPE nc_jobs gauge\n"
      "nc_jobs{state=\"queued\"} 0\nnc_jobs{state=\"done\"} 7\n";
  EXPECT_EQ(registry.render(),
            "# HELP nc_queue Queued\n# TYPE nc_queue gauge\nnc_queue 2\n" + jobs);
  depth = 5;
  EXPECT_EQ(registry.render(),
            "# HELP nc_queue Queued\n# TYPE nc_queue gauge\nnc_queue 5\n" + jobs);
}

TEST(Metrics, AFailingCallbackLeavesTheRestOfTheScrape) {
  Registry registry;
  registry.gauge_callback("nc_broken", "Broken", []() -> double { throw std::runtime_error("x"); });
  registry.gauge("nc_fine", "Fine").with({}).set(1);
  EXPECT_EQ(registry.render(),
            "# HELP nc_broken Broken\n# TYPE nc_broken gauge\n"
            "# HELP nc_fine Fine\n# TYPE nc_fine gauge\nnc_fine 1\n");
}

TEST(Metrics, FormatsSpecialAndLargeValues) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1234567890123.0), "1234567890123");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(Metrics, GaugesGoUpAndDown) {
  Registry registry;
  auto& gauge = registry.gauge("nc_level", "Level").with({});
  gauge.inc(3);
  gauge.dec();
  EXPECT_EQ(gauge.value(), 2);
  gauge.set(-1.5);
  EXPECT_EQ(gauge.value(), -1.5);
}

TEST(Metrics, RefusesBadNamesWrongArityAndDuplicates) {
  Registry registry;
  EXPECT_THROW(registry.counter("1bad", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("nc-bad", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("nc_ok", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("nc_h", "x", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("nc_h", "x", {}, {2, 1}), std::invalid_argument);
  auto& family = registry.counter("nc_twice_total", "x", {"a", "b"});
  EXPECT_THROW(family.with({"only one"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("nc_twice_total", "x"), std::invalid_argument);
}

TEST(Metrics, ConcurrentUpdatesAddUpExactly) {
  Registry registry;
  auto& counter = registry.counter("nc_hits_total", "Hits", {"worker"});
  auto& histogram = registry.histogram("nc_took_seconds", "Took", {}, {0.5}).with({});
  auto& shared = counter.with({"shared"});
  constexpr int kThreads = 8;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const auto own = std::to_string(t % 2);
      for (int i = 0; i < kEach; ++i) {
        shared.inc();
        counter.with({own}).inc();  // looked up (and first made) concurrently
        histogram.observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  std::string during;
  for (int i = 0; i < 20; ++i)
    during = registry.render();  // scrapes while they count
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(shared.value(), kThreads * kEach);
  EXPECT_EQ(counter.with({"0"}).value(), kThreads / 2 * kEach);
  EXPECT_EQ(counter.with({"1"}).value(), kThreads / 2 * kEach);
  const auto snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.cumulative,
            (std::vector<std::uint64_t>{kThreads * kEach / 2, kThreads * kEach}));
  EXPECT_EQ(snapshot.sum, kThreads * kEach / 2 * (0.25 + 1.0));
  EXPECT_NE(registry.render().find("nc_hits_total{worker=\"shared\"} 160000\n"), std::string::npos);
}

}  // namespace
}  // namespace nc::obs
