#include <gtest/gtest.h>

#include "store/database.hpp"

namespace nc::store {

TEST(Dialect, RewritesTimeTokensPerBackend) {
  EXPECT_EQ(to_dialect("SELECT {now}", Backend::kPostgres), "SELECT now()");
  EXPECT_EQ(to_dialect("SELECT {now}", Backend::kSqlite),
            "SELECT strftime('%Y-%m-%d %H:%M:%f','now')");
  EXPECT_EQ(to_dialect("x < {now+ms $2}", Backend::kPostgres),
            "x < (now() + ($2)::bigint * interval '1 millisecond')");
  EXPECT_EQ(to_dialect("LIMIT 1 {skip_locked}", Backend::kSqlite), "LIMIT 1 ");
  EXPECT_EQ(to_dialect("LIMIT 1 {skip_locked}", Backend::kPostgres),
            "LIMIT 1 FOR UPDATE SKIP LOCKED");
  EXPECT_EQ(to_dialect("SELECT {clock_ms}", Backend::kPostgres),
            "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint");
}

TEST(Dialect, LeavesJsonLiteralsAlone) {
  const std::string sql = R"(INSERT INTO t VALUES ('{"text": "now}"}', '{}'))";
  EXPECT_EQ(to_dialect(sql, Backend::kPostgres), sql);
  EXPECT_EQ(to_dialect("{", Backend::kSqlite), "{");
}

}  // namespace nc::store
