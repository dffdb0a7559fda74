// Task creations at the provider, shared by every worker on every host through the database: at
// most `max_creates` creates fall in any window-long interval per provider account. A slot is
// taken only at the moment it is free and recorded as it is taken, so a worker that dies or
// stops holds nothing in the future: a crash loop can never push later creates out.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "store/database.hpp"

namespace nc::store {

class ProviderCreates {
 public:
  explicit ProviderCreates(Database& database) : database_(database) {}

  // Takes a create slot now when the window has room and returns zero; otherwise takes nothing
  // and returns how long until the oldest create in the window leaves it (ask again then).
  std::chrono::milliseconds take(const std::string& account, int max_creates,
                                 std::chrono::milliseconds window);

 private:
  Database& database_;
};

}  // namespace nc::store
