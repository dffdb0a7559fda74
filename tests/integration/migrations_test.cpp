#include "store/migrations.hpp"

#include <gtest/gtest.h>

#include "integration/test_database.hpp"
#include "store/job_queue.hpp"
#include "store/users.hpp"

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

// 008 moves the expiry out of "url<TAB>unix seconds" into a column of its own; a job that
// uploaded its photo before the upgrade keeps both halves.
TEST_P(MigrationsTest, InputExpiryMovesFromTheUrlIntoItsOwnColumn) {
  nc::testing::TestDatabase test_db(GetParam());
  auto& db = test_db.db();
  const auto user = Users(db).upsert(7, "seller", "ru", 0);
  const auto uploaded =
      JobQueue(db).enqueue({.user_id = user.id, .tg_user_id = 7, .idempotency_key = "a"}).job_id;
  const auto not_uploaded =
      JobQueue(db).enqueue({.user_id = user.id, .tg_user_id = 7, .idempotency_key = "b"}).job_id;
  db.execute("ALTER TABLE jobs DROP COLUMN provider_input_expires_at");
  db.execute("DELETE FROM schema_migrations WHERE version = 8");
  db.execute("UPDATE jobs SET provider_input_url = $1 WHERE id = $2",
             {std::string("https://files.example/in/a.jpg\t1796495670"), uploaded});

  ASSERT_EQ(migrate(db).applied, std::vector<std::string>{"008_input_expiry"});
  const auto moved = JobQueue(db).find(uploaded);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->provider_input_url, "https://files.example/in/a.jpg");
  EXPECT_EQ(moved->provider_input_expires_at, std::optional<std::int64_t>(1796495670));
  const auto untouched = JobQueue(db).find(not_uploaded);
  EXPECT_EQ(untouched->provider_input_url, "");
  EXPECT_FALSE(untouched->provider_input_expires_at);
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
