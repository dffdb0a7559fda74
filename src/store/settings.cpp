#include "store/settings.hpp"

namespace nc::store {
namespace {

constexpr const char* kGet = "SELECT value FROM settings WHERE key = $1";
constexpr const char* kPut =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value, updated_at = {now}";
// Stores the time unless the key holds one later than $3: the row comes back only to the
// caller that wrote it (a concurrent writer waits on the row and then finds it too recent).
constexpr const char* kClaimOnce =
    "INSERT INTO settings (key, value) VALUES ($1, CAST({clock_ms} / 1000 AS TEXT)) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = {now} "
    "WHERE CAST(settings.value AS BIGINT) <= {clock_ms} / 1000 - $2 RETURNING key";
constexpr const char* kPutIfAbsent =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

}  // namespace

std::optional<std::string> Settings::get(const std::string& key) {
  auto rows = database_.execute(kGet, {key});
  if (rows.empty()) return std::nullopt;
  return rows.front().text("value");
}

bool Settings::claim_once_per(Connection& connection, const std::string& key,
                              std::int64_t period_seconds) {
  return !connection.execute(kClaimOnce, {key, period_seconds}).empty();
}

void Settings::put(Connection& connection, const std::string& key, const std::string& value) {
  connection.execute(kPut, {key, value});
}

void Settings::put(const std::string& key, const std::string& value) {
  database_.execute(kPut, {key, value});
}

std::string Settings::get_or_put(const std::string& key, const std::string& value) {
  return database_.transaction([&](Connection& connection) {
    connection.execute(kPutIfAbsent, {key, value});
    return connection.execute(kGet, {key}).front().text("value");
  });
}

}  // namespace nc::store
