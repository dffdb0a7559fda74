#include "store/database.hpp"

#include <fmt/format.h>

#include <charconv>

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
  return PooledConnection(this, open_connection());
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

constexpr std::string_view kSqliteNow = "strftime('%Y-%m-%d %H:%M:%f','now')";

std::string replace_token(std::string_view token, Backend backend) {
  const bool pg = backend == Backend::kPostgres;
  if (token == "now") return pg ? "now()" : std::string(kSqliteNow);
  if (token == "skip_locked") return pg ? "FOR UPDATE SKIP LOCKED" : "";
  if (token == "for_update") return pg ? "FOR UPDATE" : "";
  // Wall-clock milliseconds since the epoch, read when the statement runs (not at BEGIN).
  if (token == "clock_ms") {
    return pg ? "(extract(epoch from clock_timestamp()) * 1000)::bigint"
              : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  }
  if (token.starts_with("now+ms ")) {
    auto param = token.substr(7);
    return pg ? fmt::format("(now() + ({})::bigint * interval '1 millisecond')", param)
              : fmt::format("strftime('%Y-%m-%d %H:%M:%f','now', (({}) / 1000.0) || ' seconds')",
                            param);
  }
  if (token.starts_with("age_s ")) {
    auto expr = token.substr(6);
    return pg ? fmt::format("extract(epoch from (now() - ({})))", expr)
              : fmt::format("((julianday('now') - julianday({})) * 86400.0)", expr);
  }
  throw DbError(fmt::format("unknown SQL token {{{}}}", token));
}

bool starts_token(std::string_view rest) {
  for (std::string_view prefix :
       {"now}", "now+ms ", "age_s ", "skip_locked}", "for_update}", "clock_ms}"}) {
    if (rest.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

std::string to_dialect(std::string_view sql, Backend backend) {
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
    out.append(replace_token(sql.substr(open + 1, close - open - 1), backend));
    pos = close + 1;
  }
  return out;
}

}  // namespace nc::store
