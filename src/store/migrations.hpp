// Numbered schema migrations per backend, compiled into the binary from
// src/store/migrations/<backend>/NNN_name.sql and recorded in schema_migrations.
#pragma once

#include <string>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

struct Migration {
  int number;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& postgres_migrations();
const std::vector<Migration>& sqlite_migrations();

struct MigrationReport {
  int version_before = 0;
  int version_after = 0;
  std::vector<std::string> applied;  // names, in order
};

// Applies every migration not recorded yet (also one numbered below the latest applied), each
// in its own transaction. Safe to run from several
// processes at once (PostgreSQL: advisory lock; SQLite: the write lock).
MigrationReport migrate(Database& database);

// The highest applied migration number; 0 for an empty database.
int schema_version(Database& database);
int latest_schema_version(Backend backend);

}  // namespace nc::store
