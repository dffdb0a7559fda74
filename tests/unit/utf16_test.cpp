// Tests for core/utf16.hpp: UTF-16 counting the way Telegram counts, safe truncation, checks.
#include "core/utf16.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace nc::core {
namespace {

const std::string kGrinning = "\xF0\x9F\x98\x80";  // U+1F600, a surrogate pair in UTF-16
const std::string kCyrillic = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82";  // "Привет"
const std::string kEuro = "\xE2\x82\xAC";  // U+20AC, three bytes, one unit

TEST(Utf16, CountsCodeUnits) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("hello"), 5u);
  EXPECT_EQ(utf16_length(kCyrillic), 6u);
  EXPECT_EQ(kCyrillic.size(), 12u);
  EXPECT_EQ(utf16_length(kEuro), 1u);
  EXPECT_EQ(utf16_length(kGrinning), 2u);
  // Family emoji: man ZWJ woman ZWJ girl = 3 pairs + 2 joiners.
  const std::string family =
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
  EXPECT_EQ(utf16_length(family), 8u);
  EXPECT_EQ(utf16_length("a" + kGrinning + kCyrillic), 9u);
}

TEST(Utf16, InvalidBytesCountOneEach) {
  EXPECT_EQ(utf16_length("\xFF\xFE"), 2u);
  EXPECT_EQ(utf16_length("a\xF0\x9F"), 3u);  // a truncated 4-byte sequence: two stray bytes
}

TEST(Utf16, TruncateNeverSplitsACharacter) {
  const std::string text = "ab" + kGrinning + "c";
  EXPECT_EQ(utf8_truncate(text, 0), "");
  EXPECT_EQ(utf8_truncate(text, 2), "ab");
  EXPECT_EQ(utf8_truncate(text, 3), "ab");  // half a surrogate pair is not kept
  EXPECT_EQ(utf8_truncate(text, 4), "ab" + kGrinning);
  EXPECT_EQ(utf8_truncate(text, 5), text);
  EXPECT_EQ(utf8_truncate(text, 100), text);
  EXPECT_EQ(utf8_truncate(kCyrillic, 3), "\xD0\x9F\xD1\x80\xD0\xB8");  // "При"
}

TEST(Utf16, TruncateAtTheMessageLimit) {
  constexpr std::size_t kLimit = 4096;
  const std::string fits = std::string(4094, 'a') + kGrinning;
  EXPECT_EQ(utf16_length(fits), 4096u);
  EXPECT_EQ(utf8_truncate(fits, kLimit), fits);

  const std::string over = std::string(4095, 'a') + kGrinning;
  EXPECT_EQ(utf16_length(over), 4097u);
  EXPECT_EQ(utf8_truncate(over, kLimit), std::string(4095, 'a'));

  std::string emoji_only;
  for (int i = 0; i < 2049; ++i)
    emoji_only += kGrinning;
  const std::string cut = utf8_truncate(emoji_only, kLimit);
  EXPECT_EQ(utf16_length(cut), 4096u);
  EXPECT_EQ(cut.size(), 2048u * 4);

  std::string cyrillic;
  for (int i = 0; i < 700; ++i)
    cyrillic += kCyrillic;  // 4200 units, 8400 bytes
  const std::string cyrillic_cut = utf8_truncate(cyrillic, kLimit);
  EXPECT_EQ(utf16_length(cyrillic_cut), 4096u);
  EXPECT_EQ(cyrillic_cut.size(), 8192u);
  EXPECT_TRUE(valid_utf8(cyrillic_cut));
}

TEST(Utf16, SliceByEntityOffsets) {
  const std::string text = kGrinning + " /start " + kCyrillic;
  EXPECT_EQ(utf16_slice(text, 3, 6), "/start");
  EXPECT_EQ(utf16_slice(text, 10, 6), kCyrillic);
  EXPECT_EQ(utf16_slice(text, 0, 2), kGrinning);
  EXPECT_EQ(utf16_slice(text, 16, 0), "");
  EXPECT_EQ(utf16_slice(text, 1, 2), std::nullopt);   // starts inside the pair
  EXPECT_EQ(utf16_slice(text, 0, 1), std::nullopt);   // ends inside the pair
  EXPECT_EQ(utf16_slice(text, 10, 7), std::nullopt);  // past the end
  EXPECT_EQ(utf16_slice(text, SIZE_MAX, 2), std::nullopt);
}

TEST(Utf16, ValidatesUtf8Strictly) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8(kCyrillic + kGrinning + kEuro));
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(valid_utf8(std::string("a\0b", 3)));

  EXPECT_FALSE(valid_utf8("\xFF"));
  EXPECT_FALSE(valid_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong '/', three bytes
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xD0"));              // cut after the lead byte
  EXPECT_FALSE(valid_utf8("\xF0\x9F\x98"));      // cut inside an emoji
  EXPECT_FALSE(valid_utf8("\xE2\x28\xA1"));      // bad continuation
}

}  // namespace
}  // namespace nc::core
