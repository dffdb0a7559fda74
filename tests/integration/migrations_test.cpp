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
  for (const char* table : {"users", "jobs", "credit_ledger", "conversations",
                            "processed_updates", "settings"}) {
    EXPECT_NO_THROW(test_db.db().execute(std::string("SELECT COUNT(*) AS n FROM ") + table))
        << table;
  }
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
