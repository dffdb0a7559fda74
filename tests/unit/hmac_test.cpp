#include "net/hmac.hpp"

#include <gtest/gtest.h>

namespace nc::net {

TEST(Hmac, MatchesRfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, AcceptsAnEmptyKeyAndMessage) {
  EXPECT_EQ(to_hex(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Hmac, HexEncodesEveryByte) {
  EXPECT_EQ(to_hex(std::string("\x00\x7f\x80\xff", 4)), "007f80ff");
  EXPECT_EQ(to_hex(""), "");
}

TEST(Hmac, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zg=="), "f");
  EXPECT_EQ(base64_decode("Zm8="), "fo");
  EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64_decode(""), "");
}

TEST(Hmac, Base64RoundTripsBinary) {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  for (std::size_t size : {0u, 1u, 2u, 3u, 254u, 255u, 256u}) {
    const auto decoded = base64_decode(base64_encode(bytes.substr(0, size)));
    ASSERT_TRUE(decoded.has_value()) << size;
    EXPECT_EQ(*decoded, bytes.substr(0, size)) << size;
  }
  EXPECT_EQ(base64_encode("\xff\xfe"), "//4=");
}

TEST(Hmac, Base64RejectsMalformedInput) {
  EXPECT_FALSE(base64_decode("Zg=").has_value());       // length not a multiple of 4
  EXPECT_FALSE(base64_decode("Zm9v!mFy").has_value());  // foreign character
  EXPECT_FALSE(base64_decode("Zg==Zm9v").has_value());  // padding in the middle
  EXPECT_FALSE(base64_decode("Z===").has_value());      // too much padding
  EXPECT_FALSE(base64_decode(" Zm9").has_value());      // whitespace
  EXPECT_FALSE(base64_decode("Zm9v\nYmFy").has_value());
}

TEST(Hmac, ConstantTimeEqualComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokeN"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-toke"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

TEST(Hmac, RandomTokenIsHexOfTheAskedLengthAndVaries) {
  const auto a = random_token(16);
  const auto b = random_token(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
  EXPECT_EQ(random_token(0), "");
}

}  // namespace nc::net
