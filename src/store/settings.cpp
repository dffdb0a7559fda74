#include "store/settings.hpp"

namespace nc::store {
namespace {

constexpr const char* kGet = "SELECT value FROM settings WHERE key = $1";
constexpr const char* kPut =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value, updated_at = {now}";
constexpr const char* kPutIfAbsent =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

}  // namespace

std::optional<std::string> Settings::get(const std::string& key) {
  auto rows = database_.execute(kGet, {key});
  if (rows.empty()) return std::nullopt;
  return rows.front().text("value");
}

std::optional<std::string> Settings::get(Connection& connection, const std::string& key) {
  auto rows = connection.execute(kGet, {key});
  if (rows.empty()) return std::nullopt;
  return rows.front().text("value");
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
