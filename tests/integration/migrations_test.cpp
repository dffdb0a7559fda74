#include "store/migrations.hpp"

#include <gtest/gtest.h>

#include "integration/test_database.hpp"

namespace nc::store {
namespace {

class MigrationsTest : public ::testing::TestWithParam<Backend> {};

TEST_P(MigrationsTest, AppliesOnceAndRecordsTheVersion) {
  nc::testing::TestDatabase test_db(GetParam());  // migrated on creation
  EXPECT_EQ(schema_version(test_db.db()), latest_schema_version(GetParam()));
  auto again = migrate(test_db.db());
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.version_before, again.version_after);
  for (const char* table : {"users", "jobs", "credit_ledger", "conversations", "processed_updates",
                            "settings", "photo_uploads"}) {
    EXPECT_NO_THROW(test_db.db().execute(std::string("SELECT COUNT(*) AS n FROM ") + table))
        << table;
  }
}

// Migrations made side by side (006 and 007 on two branches) may reach a database in either
// order: one below the latest applied number is still applied.
TEST_P(MigrationsTest, AppliesAMigrationNumberedBelowTheLatest) {
  nc::testing::TestDatabase test_db(GetParam());
  test_db.db().execute("DROP TABLE provider_creates");
  test_db.db().execute("DROP TABLE provider_accounts");
  test_db.db().execute("DELETE FROM schema_migrations WHERE version = 4");
  auto report = migrate(test_db.db());
  ASSERT_EQ(report.applied, std::vector<std::string>{"004_provider_creates"});
  EXPECT_EQ(report.version_after, latest_schema_version(GetParam()));
  EXPECT_NO_THROW(test_db.db().execute("SELECT COUNT(*) AS n FROM provider_creates"));
  EXPECT_TRUE(migrate(test_db.db()).applied.empty());
}

TEST_P(MigrationsTest, BackendsHaveTheSameMigrationNumbers) {
  ASSERT_EQ(postgres_migrations().size(), sqlite_migrations().size());
  for (std::size_t i = 0; i < postgres_migrations().size(); ++i) {
    EXPECT_EQ(postgres_migrations()[i].number, sqlite_migrations()[i].number);
    EXPECT_STREQ(postgres_migrations()[i].name, sqlite_migrations()[i].name);
  }
}

NC_BOTH_BACKENDS(MigrationsTest);

}  // namespace
}  // namespace nc::store
