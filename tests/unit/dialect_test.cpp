#include <gtest/gtest.h>

#include "store/database.hpp"

namespace nc::store {

TEST(Dialect, NowIsTheClockBoundAsOneMoreParameter) {
  EXPECT_EQ(to_dialect("SELECT {now}", Backend::kPostgres), "SELECT $1::timestamptz");
  EXPECT_EQ(to_dialect("SELECT {now}", Backend::kSqlite), "SELECT :nc_now");
  EXPECT_EQ(to_dialect("x < {now+ms $2} AND y = $1", Backend::kPostgres),
            "x < ($3::timestamptz + ($2)::bigint * interval '1 millisecond') AND y = $1");
  EXPECT_EQ(to_dialect("x < {now+ms $1}", Backend::kSqlite),
            "x < strftime('%Y-%m-%d %H:%M:%f', :nc_now, (($1) / 1000.0) || ' seconds')");
  EXPECT_EQ(to_dialect("SELECT {clock_ms}", Backend::kPostgres),
            "SELECT (extract(epoch from $1::timestamptz) * 1000)::bigint");
  EXPECT_EQ(clock_parameter("UPDATE t SET a = $1, b = {now} WHERE c = $12"), 13);
  EXPECT_EQ(clock_parameter("SELECT $1"), 0);
}

TEST(Dialect, RewritesLocks) {
  EXPECT_EQ(to_dialect("LIMIT 1 {skip_locked}", Backend::kSqlite), "LIMIT 1 ");
  EXPECT_EQ(to_dialect("LIMIT 1 {skip_locked}", Backend::kPostgres),
            "LIMIT 1 FOR UPDATE SKIP LOCKED");
  EXPECT_EQ(to_dialect("WHERE id = $1 {for_update}", Backend::kPostgres),
            "WHERE id = $1 FOR UPDATE");
}

TEST(Dialect, WritesTimesAsEachBackendStoresThem) {
  const auto time = std::chrono::system_clock::time_point(
      std::chrono::microseconds(1'796'495'670'123'456));  // 2026-12-05 18:34:30.123456 UTC
  EXPECT_EQ(sql_time(time, Backend::kSqlite), "2026-12-05 18:34:30.123");
  EXPECT_EQ(sql_time(time, Backend::kPostgres), "2026-12-05 18:34:30.123456+00");
}

TEST(Dialect, LeavesJsonLiteralsAlone) {
  const std::string sql = R"(INSERT INTO t VALUES ('{"text": "now}"}', '{}'))";
  EXPECT_EQ(to_dialect(sql, Backend::kPostgres), sql);
  EXPECT_EQ(to_dialect("{", Backend::kSqlite), "{");
}

}  // namespace nc::store
