#include "store/settings.hpp"

namespace nc::store {
namespace {

constexpr const char* kGet = "SELECT value FROM settings WHERE key = $1";
constexpr const char* kPut =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value, updated_at = {now}";
constexpr const char* kPutIfAbsent =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

constexpr const char* kAcquire =
    "INSERT INTO locks (name, owner, until) VALUES ($1, $2, {now+ms $3}) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
    "WHERE locks.owner = excluded.owner OR locks.until < {now} RETURNING owner";
constexpr const char* kRelease = "DELETE FROM locks WHERE name = $1 AND owner = $2";
constexpr const char* kHolder = "SELECT owner FROM locks WHERE name = $1 AND until >= {now}";

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

bool Locks::acquire(const std::string& name, const std::string& owner,
                    std::chrono::milliseconds ttl) {
  return !database_
              .transaction([&](Connection& connection) {
                return connection.execute(kAcquire, {name, owner, std::int64_t{ttl.count()}});
              })
              .empty();
}

void Locks::release(const std::string& name, const std::string& owner) {
  database_.execute(kRelease, {name, owner});
}

std::optional<std::string> Locks::holder(const std::string& name) {
  auto rows = database_.execute(kHolder, {name});
  if (rows.empty()) return std::nullopt;
  return rows.front().text("owner");
}

}  // namespace nc::store
