// A fresh, migrated database per test: a SQLite file in a temp dir, or a new database in the
// throwaway PostgreSQL cluster the test script starts (NC_TEST_PG_URL).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "store/database.hpp"

namespace nc::testing {

class TestDatabase {
 public:
  explicit TestDatabase(store::Backend backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  store::Database& db() { return *database_; }
  // The clock db() reads: the real one until a test moves it forward (leases expire, deadlines
  // pass, rows age) instead of sleeping. Handles from open_another() read it too.
  core::ShiftedClock& clock() { return clock_; }
  const std::string& url() const { return url_; }
  // Opens another independent handle on the same database (another "process").
  std::unique_ptr<store::Database> open_another() const;

 private:
  store::Backend backend_;
  std::string url_;
  std::string pg_name_;
  std::string temp_dir_;
  core::ShiftedClock clock_;  // outlives database_: declared before it
  std::unique_ptr<store::Database> database_;
};

// The earlier system's hand-written job INSERT (from its operators' notes), verbatim apart from
// the Telegram user id; operators still paste it into psql.
std::string seed_insert_sql(std::int64_t tg_user_id);

// The PostgreSQL cluster's URL with the database name replaced.
std::string pg_url_for(const std::string& database_name);

inline std::string backend_name(const ::testing::TestParamInfo<store::Backend>& info) {
  return info.param == store::Backend::kPostgres ? "Postgres" : "Sqlite";
}

#define NC_BOTH_BACKENDS(Suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(                                                              \
      Backends, Suite,                                                                   \
      ::testing::Values(::nc::store::Backend::kSqlite, ::nc::store::Backend::kPostgres), \
      ::nc::testing::backend_name)

}  // namespace nc::testing
