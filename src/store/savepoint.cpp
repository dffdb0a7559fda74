#include "store/savepoint.hpp"

#include <spdlog/spdlog.h>

namespace nc::store {

Savepoint::Savepoint(Connection& connection, std::string name)
    : connection_(connection), name_(std::move(name)) {
  connection_.execute_script("SAVEPOINT " + name_);
}

Savepoint::~Savepoint() {
  if (!open_) return;
  try {
    connection_.execute_script("ROLLBACK TO SAVEPOINT " + name_);
    connection_.execute_script("RELEASE SAVEPOINT " + name_);
  } catch (const std::exception& error) {
    // The transaction around it is failing anyway (a lost connection); it rolls back whole.
    spdlog::warn("rolling back savepoint {}: {}", name_, error.what());
  }
}

void Savepoint::release() {
  connection_.execute_script("RELEASE SAVEPOINT " + name_);
  open_ = false;
}

}  // namespace nc::store
