// Bookings of new provider tasks, shared by every worker on every host through the database:
// at most `max_creates` bookings fall in any window-long interval per provider account. Each
// booking is one short transaction; the caller then waits until its slot.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "store/database.hpp"

namespace nc::store {

class ProviderCreates {
 public:
  explicit ProviderCreates(Database& database) : database_(database) {}

  // Books the earliest slot at or after the database's clock that keeps the limit; returns how
  // long to wait for it (zero when the slot is now). Slots are handed out in booking order.
  std::chrono::milliseconds book(const std::string& account, int max_creates,
                                 std::chrono::milliseconds window);

 private:
  Database& database_;
};

}  // namespace nc::store
