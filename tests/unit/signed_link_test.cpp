#include "net/signed_link.hpp"

#include <gtest/gtest.h>

namespace nc::net {

TEST(SignedLink, VerifiesUntilItExpires) {
  const auto query = sign_link("abc.jpg", 1000, "secret");
  ASSERT_EQ(query.substr(0, 13), "exp=1000&sig=");
  const auto signature = query.substr(13);
  EXPECT_EQ(signature.size(), 64u);
  EXPECT_TRUE(verify_link("abc.jpg", "1000", signature, 999, "secret"));
  EXPECT_FALSE(verify_link("abc.jpg", "1000", signature, 1001, "secret"));     // expired
  EXPECT_FALSE(verify_link("abd.jpg", "1000", signature, 999, "secret"));      // other file
  EXPECT_FALSE(verify_link("abc.jpg", "2000", signature, 999, "secret"));      // longer life
  EXPECT_FALSE(verify_link("abc.jpg", "1000", signature, 999, "other"));       // other key
  EXPECT_FALSE(verify_link("abc.jpg", "10x", signature, 999, "secret"));
}

TEST(SignedLink, OnlyPlainFileNamesAreServed) {
  EXPECT_TRUE(is_safe_file_name("0f3a-9x16.jpg"));
  EXPECT_FALSE(is_safe_file_name("../etc/passwd"));
  EXPECT_FALSE(is_safe_file_name(".env"));
  EXPECT_FALSE(is_safe_file_name("a/b.jpg"));
  EXPECT_FALSE(is_safe_file_name("a.b.jpg"));
  EXPECT_FALSE(is_safe_file_name(""));
}

}  // namespace nc::net
