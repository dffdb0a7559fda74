// Small durable facts the service keeps about itself (the polling offset, the generated
// webhook secret).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.hpp"

namespace nc::store {

class Settings {
 public:
  explicit Settings(Database& database) : database_(database) {}

  std::optional<std::string> get(const std::string& key);
  void put(const std::string& key, const std::string& value);
  static void put(Connection& connection, const std::string& key, const std::string& value);
  // True for the one caller (of any process on any host) that finds `key` unset or set at
  // least `period_seconds` ago by the database's clock; it records the time.
  static bool claim_once_per(Connection& connection, const std::string& key,
                             std::int64_t period_seconds);
  // Stores `value` unless the key exists; returns whichever value is stored (first one wins
  // when several processes race).
  std::string get_or_put(const std::string& key, const std::string& value);

 private:
  Database& database_;
};

}  // namespace nc::store
