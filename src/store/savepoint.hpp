// A savepoint inside the caller's transaction: work done while it lives is undone when it goes
// out of scope unless release() was called, so one step can fail without undoing the rest.
#pragma once

#include <string>

#include "store/database.hpp"

namespace nc::store {

class Savepoint {
 public:
  // `name` is an SQL identifier written in the code, never input.
  Savepoint(Connection& connection, std::string name);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  // Keeps the work done since the savepoint.
  void release();

 private:
  Connection& connection_;
  std::string name_;
  bool open_ = true;
};

}  // namespace nc::store
