// Product photos kept in the database beside the jobs that use them: the bot front writes a
// photo when an order is placed; a worker whose DATA_DIR lacks the file (another host) reads it
// back. Files stay the fast path; this is what makes hosts independent of a shared disk.
#pragma once

#include <optional>
#include <string>

#include "store/database.hpp"

namespace nc::store {

class Photos {
 public:
  explicit Photos(Database& database) : database_(database) {}

  static bool has(Connection& connection, const std::string& name);
  // Keeps the first copy of a name (names are content hashes, so copies are equal).
  static void put(Connection& connection, const std::string& name, const std::string& base64);
  std::optional<std::string> get(const std::string& name);

 private:
  Database& database_;
};

}  // namespace nc::store
