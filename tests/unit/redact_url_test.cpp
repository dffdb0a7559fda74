// Database URLs reach logs and error messages with every form of password hidden.
#include <gtest/gtest.h>

#include "store/postgres/pg_database.hpp"

namespace nc::store {

TEST(RedactUrl, HidesThePasswordInEveryForm) {
  EXPECT_EQ(redact_url_password("postgresql://nc:s3cret@db.example:5432/nc"),
            "postgresql://nc:***@db.example:5432/nc");
  EXPECT_EQ(
      redact_url_password("postgresql://db.example/nc?user=nc&password=s3cret&sslmode=require"),
      "postgresql://db.example/nc?user=nc&password=***&sslmode=require");
  EXPECT_EQ(redact_url_password("postgresql://db.example/nc?PASSWORD=s3cret"),
            "postgresql://db.example/nc?password=***");
  EXPECT_EQ(redact_url_password("host=db user=nc password='s3 cret' dbname=nc"),
            "host=db user=nc password=*** dbname=nc");
  EXPECT_EQ(redact_url_password("postgresql://nc@db.example/nc"), "postgresql://nc@db.example/nc");
}

}  // namespace nc::store
