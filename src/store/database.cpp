#include "store/database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace nc::store {

std::size_t Row::index(std::string_view column) const {
  for (std::size_t i = 0; i < columns_->size(); ++i) {
    if ((*columns_)[i] == column) return i;
  }
  throw DbError(fmt::format("result has no column '{}'", column));
}

bool Row::has(std::string_view column) const {
  for (const auto& name : *columns_) {
    if (name == column) return true;
  }
  return false;
}

std::string Row::text(std::string_view column) const {
  return optional_text(column).value_or(std::string());
}

std::optional<std::string> Row::optional_text(std::string_view column) const {
  return values_[index(column)];
}

std::optional<std::int64_t> Row::optional_integer(std::string_view column) const {
  const auto& value = values_[index(column)];
  if (!value) return std::nullopt;
  std::int64_t result = 0;
  auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), result);
  if (error != std::errc()) {
    // Aggregates such as SUM may come back as "12.0" or "12" depending on the backend.
    return static_cast<std::int64_t>(std::stod(*value));
  }
  return result;
}

std::int64_t Row::integer(std::string_view column) const {
  return optional_integer(column).value_or(0);
}

double Row::real(std::string_view column) const {
  const auto& value = values_[index(column)];
  return value ? std::stod(*value) : 0.0;
}

PooledConnection::~PooledConnection() {
  if (owner_ && connection_) owner_->release(std::move(connection_), broken_);
}

PooledConnection Database::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return PooledConnection(this, std::move(connection));
    }
  }
  auto connection = open_connection();
  connection->clock_ = &clock_;
  return PooledConnection(this, std::move(connection));
}

void Database::release(std::unique_ptr<Connection> connection, bool broken) {
  if (broken || !connection->healthy()) return;  // closed by the unique_ptr
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

void Database::rollback_quietly(PooledConnection& connection) {
  try {
    connection->execute_script("ROLLBACK");
  } catch (...) {
    connection.discard();
  }
}

class LocalJobWaiter final : public JobWaiter {
 public:
  explicit LocalJobWaiter(Database& database) : database_(database) {
    std::lock_guard lock(database_.signal_mutex_);
    seen_ = database_.signal_generation_;
  }
  bool wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(database_.signal_mutex_);
    const bool woken = database_.signal_.wait_for(
        lock, timeout, [&] { return database_.signal_generation_ != seen_; });
    seen_ = database_.signal_generation_;
    return woken;
  }

 private:
  Database& database_;
  std::uint64_t seen_ = 0;
};

void Database::notify_jobs_due() {
  {
    std::lock_guard lock(signal_mutex_);
    ++signal_generation_;
  }
  signal_.notify_all();
}

std::unique_ptr<JobWaiter> Database::make_job_waiter() {
  return std::make_unique<LocalJobWaiter>(*this);
}

namespace {

int highest_parameter(std::string_view sql) {
  int highest = 0;
  for (std::size_t pos = sql.find('$'); pos != std::string_view::npos; pos = sql.find('$', pos)) {
    int number = 0;
    ++pos;
    while (pos < sql.size() && sql[pos] >= '0' && sql[pos] <= '9') {
      number = number * 10 + (sql[pos] - '0');
      ++pos;
    }
    highest = std::max(highest, number);
  }
  return highest;
}

std::string replace_token(std::string_view token, Backend backend, const std::string& now) {
  const bool pg = backend == Backend::kPostgres;
  if (token == "now") return now;
  if (token == "skip_locked") return pg ? "FOR UPDATE SKIP LOCKED" : "";
  if (token == "for_update") return pg ? "FOR UPDATE" : "";
  if (token == "clock_ms") {
    return pg ? fmt::format("(extract(epoch from {}) * 1000)::bigint", now)
              : fmt::format("CAST((julianday({}) - 2440587.5) * 86400000.0 AS INTEGER)", now);
  }
  if (token.starts_with("now+ms ")) {
    auto param = token.substr(7);
    return pg ? fmt::format("({} + ({})::bigint * interval '1 millisecond')", now, param)
              : fmt::format("strftime('%Y-%m-%d %H:%M:%f', {}, (({}) / 1000.0) || ' seconds')", now,
                            param);
  }
  if (token.starts_with("age_s ")) {
    auto expr = token.substr(6);
    return pg ? fmt::format("extract(epoch from ({} - ({})))", now, expr)
              : fmt::format("((julianday({}) - julianday({})) * 86400.0)", now, expr);
  }
  throw DbError(fmt::format("unknown SQL token {{{}}}", token));
}

constexpr std::string_view kClockTokens[] = {"now}", "now+ms ", "age_s ", "clock_ms}"};

bool starts_token(std::string_view rest) {
  for (std::string_view prefix : kClockTokens) {
    if (rest.starts_with(prefix)) return true;
  }
  return rest.starts_with("skip_locked}") || rest.starts_with("for_update}");
}

bool reads_clock(std::string_view sql) {
  for (auto open = sql.find('{'); open != std::string_view::npos; open = sql.find('{', open + 1)) {
    for (std::string_view prefix : kClockTokens) {
      if (sql.substr(open + 1).starts_with(prefix)) return true;
    }
  }
  return false;
}

}  // namespace

int clock_parameter(std::string_view sql) {
  return reads_clock(sql) ? highest_parameter(sql) + 1 : 0;
}

std::string sql_time(core::Clock::time_point time, Backend backend) {
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  const auto fraction = micros % 1'000'000;
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &utc);
  return backend == Backend::kPostgres ? fmt::format("{}.{:06}+00", date, fraction)
                                       : fmt::format("{}.{:03}", date, fraction / 1000);
}

std::string to_dialect(std::string_view sql, Backend backend) {
  const std::string now = backend == Backend::kPostgres
                              ? fmt::format("${}::timestamptz", clock_parameter(sql))
                              : std::string(":nc_now");
  std::string out;
  out.reserve(sql.size() + 64);
  std::size_t pos = 0;
  while (pos < sql.size()) {
    auto open = sql.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(sql.substr(pos));
      break;
    }
    out.append(sql.substr(pos, open - pos));
    auto close = sql.find('}', open);
    // Braces that are not our tokens (JSON in a literal) pass through untouched.
    if (close == std::string_view::npos || !starts_token(sql.substr(open + 1))) {
      out.push_back('{');
      pos = open + 1;
      continue;
    }
    out.append(replace_token(sql.substr(open + 1, close - open - 1), backend, now));
    pos = close + 1;
  }
  return out;
}

}  // namespace nc::store
