#include "store/migrations.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace nc::store {
namespace {

// Any fixed number; it only has to be the same in every NeuroCards process.
constexpr std::int64_t kMigrationLockId = 0x4e43'0001;

const std::vector<Migration>& migrations_for(Backend backend) {
  return backend == Backend::kPostgres ? postgres_migrations() : sqlite_migrations();
}

void ensure_table(Connection& connection) {
  connection.execute_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY, name text NOT NULL,"
      " applied_at text NOT NULL DEFAULT CURRENT_TIMESTAMP)");
}

int current_version(Connection& connection) {
  return static_cast<int>(
      connection.execute("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations", {})
          .front()
          .integer("v"));
}

bool is_applied(Connection& connection, int number) {
  return !connection
              .execute("SELECT 1 AS x FROM schema_migrations WHERE version = $1",
                       {std::int64_t{number}})
              .empty();
}

}  // namespace

int latest_schema_version(Backend backend) {
  const auto& list = migrations_for(backend);
  return list.empty() ? 0 : list.back().number;
}

int schema_version(Database& database) {
  auto connection = database.acquire();
  auto exists = connection->execute(
      database.backend() == Backend::kPostgres
          ? "SELECT 1 AS x FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()"
          : "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
      {});
  return exists.empty() ? 0 : current_version(*connection);
}

MigrationReport migrate(Database& database) {
  const bool pg = database.backend() == Backend::kPostgres;
  auto connection = database.acquire();
  MigrationReport report;
  if (pg) connection->execute("SELECT pg_advisory_lock($1)", {kMigrationLockId});
  try {
    ensure_table(*connection);
    report.version_before = current_version(*connection);
    report.version_after = report.version_before;
    // Every migration not recorded yet, also one numbered below the latest applied: branches
    // that added 006 and 007 side by side may reach a database in either order.
    for (const auto& migration : migrations_for(database.backend())) {
      if (is_applied(*connection, migration.number)) continue;
      connection->execute_script(pg ? "BEGIN" : "BEGIN IMMEDIATE");
      try {
        // Another process may have applied it while we waited for the lock (SQLite).
        if (is_applied(*connection, migration.number)) {
          connection->execute_script("ROLLBACK");
          continue;
        }
        connection->execute_script(migration.sql);
        connection->execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                            {std::int64_t{migration.number}, std::string(migration.name)});
        connection->execute_script("COMMIT");
      } catch (const DbError& error) {
        connection->execute_script("ROLLBACK");
        throw DbError(fmt::format("migration {} failed: {}", migration.name, error.what()));
      }
      report.applied.emplace_back(migration.name);
      report.version_after = std::max(report.version_after, migration.number);
    }
  } catch (...) {
    if (pg) connection->execute("SELECT pg_advisory_unlock($1)", {kMigrationLockId});
    throw;
  }
  if (pg) connection->execute("SELECT pg_advisory_unlock($1)", {kMigrationLockId});
  return report;
}

}  // namespace nc::store
