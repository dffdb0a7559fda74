#include "obs/metrics.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace nc::obs {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Backslash and newline always; the double quote only inside label values.
std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// Closes a label prefix, adding one more label when given.
std::string close_labels(const std::string& prefix, std::string_view extra = {}) {
  if (prefix.empty()) return extra.empty() ? std::string() : fmt::format("{{{}}}", extra);
  return extra.empty() ? prefix + "}" : fmt::format("{},{}}}", prefix, extra);
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  out += labels;
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  return escape(value, true);
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::vector<double> fast_seconds_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::invalid_argument("histogram bounds must be strictly ascending");
  }
}

void Histogram::observe(double value) {
  // A value equal to a bound belongs to that bound's bucket (le = "less or equal").
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::string type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(std::move(type)),
      label_names_(std::move(label_names)) {
  if (!valid_name(name_, true)) throw std::invalid_argument("bad metric name: " + name_);
  for (const auto& label : label_names_) {
    if (!valid_name(label, false) || label.starts_with("__") ||
        (type_ == "histogram" && label == "le")) {
      throw std::invalid_argument(fmt::format("bad label name for {}: {}", name_, label));
    }
  }
}

void FamilyBase::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, escape(help_, false), name_, type_);
  render_samples(out);
}

std::string FamilyBase::label_prefix(const std::vector<std::string>& values) const {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i == 0 ? "{" : ",";
    out += fmt::format("{}=\"{}\"", label_names_[i], escape_label_value(values[i]));
  }
  return out;
}

void FamilyBase::check_arity(std::size_t values) const {
  if (values != label_names_.size()) {
    throw std::invalid_argument(
        fmt::format("{} takes {} label values, not {}", name_, label_names_.size(), values));
  }
}

template <>
void Family<Counter>::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, counter] : children_) {
    append_sample(out, name(), close_labels(label_prefix(values)), counter->value());
  }
}

template <>
void Family<Gauge>::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, gauge] : children_) {
    append_sample(out, name(), close_labels(label_prefix(values)), gauge->value());
  }
}

template <>
void Family<Histogram>::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, histogram] : children_) {
    const auto prefix = label_prefix(values);
    const auto snapshot = histogram->snapshot();
    const auto& bounds = histogram->bounds();
    for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
      const auto le = i < bounds.size() ? format_value(bounds[i]) : std::string("+Inf");
      append_sample(out, name() + "_bucket", close_labels(prefix, fmt::format("le=\"{}\"", le)),
                    static_cast<double>(snapshot.cumulative[i]));
    }
    append_sample(out, name() + "_sum", close_labels(prefix), snapshot.sum);
    append_sample(out, name() + "_count", close_labels(prefix),
                  static_cast<double>(snapshot.cumulative.back()));
  }
}

CallbackGaugeFamily::CallbackGaugeFamily(std::string name, std::string help,
                                         std::vector<std::string> label_names, Read read)
    : FamilyBase(std::move(name), std::move(help), "gauge", std::move(label_names)),
      read_(std::move(read)) {}

void CallbackGaugeFamily::render_samples(std::string& out) const {
  std::vector<GaugeSample> samples;
  try {
    samples = read_();
  } catch (const std::exception&) {
    return;  // one unreadable gauge must not fail the whole scrape; a gap in its series shows it
  }
  for (const auto& sample : samples) {
    check_arity(sample.label_values.size());
    append_sample(out, name(), close_labels(label_prefix(sample.label_values)), sample.value);
  }
}

template <typename F>
F& Registry::add(std::unique_ptr<F> family) {
  std::lock_guard lock(mutex_);
  for (const auto& existing : families_) {
    if (existing->name() == family->name()) {
      throw std::invalid_argument("metric registered twice: " + family->name());
    }
  }
  auto& added = *family;
  families_.push_back(std::move(family));
  return added;
}

Family<Counter>& Registry::counter(std::string name, std::string help,
                                   std::vector<std::string> label_names) {
  return add(std::make_unique<Family<Counter>>(std::move(name), std::move(help), "counter",
                                               std::move(label_names),
                                               [] { return std::make_unique<Counter>(); }));
}

Family<Gauge>& Registry::gauge(std::string name, std::string help,
                               std::vector<std::string> label_names) {
  return add(std::make_unique<Family<Gauge>>(std::move(name), std::move(help), "gauge",
                                             std::move(label_names),
                                             [] { return std::make_unique<Gauge>(); }));
}

Family<Histogram>& Registry::histogram(std::string name, std::string help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> bounds) {
  Histogram check(bounds);  // bad bounds fail here, not at the first observation
  return add(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), "histogram", std::move(label_names),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); }));
}

void Registry::gauge_callback(std::string name, std::string help,
                              std::vector<std::string> label_names,
                              CallbackGaugeFamily::Read read) {
  add(std::make_unique<CallbackGaugeFamily>(std::move(name), std::move(help),
                                            std::move(label_names), std::move(read)));
}

void Registry::gauge_callback(std::string name, std::string help, std::function<double()> read) {
  gauge_callback(std::move(name), std::move(help), {}, [read = std::move(read)] {
    return std::vector<GaugeSample>{GaugeSample{.label_values = {}, .value = read()}};
  });
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& family : families_)
    family->render(out);
  return out;
}

}  // namespace nc::obs
