// Process metrics for Prometheus: counters, gauges and histograms in labelled families, safe to
// update from any thread, rendered in the text exposition format 0.0.4. A caller with fixed
// label values keeps the child (`family.with({...})`): updating it is one atomic operation.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nc::obs {

class Counter {
 public:
  void inc(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // Upper bounds, ascending; the +Inf bucket is implied.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

// Bounds for durations of a request or an update: 5 ms to 10 s.
std::vector<double> fast_seconds_buckets();

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type,
             std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends HELP, TYPE and every sample.
  void render(std::string& out) const;

 protected:
  virtual void render_samples(std::string& out) const = 0;
  // `{a="x",b="y"` without the closing brace (empty without labels), for the samples to finish.
  std::string label_prefix(const std::vector<std::string>& values) const;
  void check_arity(std::size_t values) const;

 private:
  std::string name_;
  std::string help_;
  std::string type_;
  std::vector<std::string> label_names_;
};

// Compares label values held (strings) with label values asked for (views), so a lookup of an
// existing child allocates nothing.
struct LabelValuesLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

template <typename Metric>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, std::string type, std::vector<std::string> label_names,
         std::function<std::unique_ptr<Metric>()> make)
      : FamilyBase(std::move(name), std::move(help), std::move(type), std::move(label_names)),
        make_(std::move(make)) {
    if (this->label_names().empty()) with(std::span<const std::string_view>());
  }

  // The child for these label values, in the order of the label names; made on first use and
  // valid as long as the registry.
  Metric& with(std::initializer_list<std::string_view> values) {
    return with(std::span<const std::string_view>(values.begin(), values.size()));
  }
  Metric& with(std::span<const std::string_view> values) {
    check_arity(values.size());
    std::lock_guard lock(mutex_);
    auto found = children_.find(values);
    if (found != children_.end()) return *found->second;
    std::vector<std::string> key(values.begin(), values.end());
    return *children_.emplace(std::move(key), make_()).first->second;
  }

 protected:
  void render_samples(std::string& out) const override;

 private:
  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>, LabelValuesLess> children_;
};

template <>
void Family<Counter>::render_samples(std::string& out) const;
template <>
void Family<Gauge>::render_samples(std::string& out) const;
template <>
void Family<Histogram>::render_samples(std::string& out) const;

// One sample of a gauge read at scrape time.
struct GaugeSample {
  std::vector<std::string> label_values;
  double value = 0;
};

class CallbackGaugeFamily final : public FamilyBase {
 public:
  using Read = std::function<std::vector<GaugeSample>()>;
  CallbackGaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
                      Read read);

 protected:
  void render_samples(std::string& out) const override;

 private:
  Read read_;
};

class Registry {
 public:
  Family<Counter>& counter(std::string name, std::string help,
                           std::vector<std::string> label_names = {});
  Family<Gauge>& gauge(std::string name, std::string help,
                       std::vector<std::string> label_names = {});
  Family<Histogram>& histogram(std::string name, std::string help,
                               std::vector<std::string> label_names, std::vector<double> bounds);
  // A gauge whose samples `read` returns at each scrape, on the scraping thread.
  void gauge_callback(std::string name, std::string help, std::vector<std::string> label_names,
                      CallbackGaugeFamily::Read read);
  // An unlabelled gauge read at each scrape.
  void gauge_callback(std::string name, std::string help, std::function<double()> read);

  // Every family in registration order, in the text exposition format 0.0.4.
  std::string render() const;

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  template <typename F>
  F& add(std::unique_ptr<F> family);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// Text format helpers, exposed for tests.
std::string escape_label_value(std::string_view value);
std::string format_value(double value);

}  // namespace nc::obs
