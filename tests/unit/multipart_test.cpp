// Tests of the multipart/form-data parser: well-formed uploads and the garbage it must refuse.
#include "net/multipart.hpp"

#include <gtest/gtest.h>

namespace nc::net {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=XyZ";

TEST(Multipart, ParsesFieldsAndFilesInOrder) {
  std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"chat_id\"\r\n"
      "\r\n"
      "42\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"video\"; filename=\"clip.mp4\"\r\n"
      "Content-Type: video/mp4\r\n"
      "\r\n" +
      std::string("\0\x01\r\n--Xy\r\nZ", 12) +
      "\r\n"
      "--XyZ--\r\n"
      "epilogue";
  auto fields = parse_multipart(kType, body);
  ASSERT_TRUE(fields.has_value());
  ASSERT_EQ(fields->size(), 2u);
  EXPECT_EQ((*fields)[0].name, "chat_id");
  EXPECT_FALSE((*fields)[0].filename.has_value());
  EXPECT_EQ((*fields)[0].data, "42");
  EXPECT_EQ((*fields)[1].name, "video");
  EXPECT_EQ((*fields)[1].filename, "clip.mp4");
  EXPECT_EQ((*fields)[1].content_type, "video/mp4");
  EXPECT_EQ((*fields)[1].data, std::string("\0\x01\r\n--Xy\r\nZ", 12));
}

TEST(Multipart, AcceptsQuotedBoundaryPreambleAndEscapes) {
  std::string body =
      "preamble\r\n"
      "--a b\r\n"
      "content-disposition: FORM-DATA; name=\"say \\\"hi\\\"\"; filename=\"\"\r\n"
      "\r\n"
      "\r\n"
      "--a b--";
  auto fields = parse_multipart("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"", body);
  ASSERT_TRUE(fields.has_value());
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ((*fields)[0].name, "say \"hi\"");
  EXPECT_EQ((*fields)[0].filename, "");
  EXPECT_EQ((*fields)[0].data, "");
}

TEST(Multipart, RejectsMalformedInput) {
  const std::string part = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n";
  EXPECT_TRUE(parse_multipart(kType, part + "--XyZ--").has_value());
  EXPECT_FALSE(parse_multipart(kType, part).has_value()) << "no closing delimiter";
  EXPECT_FALSE(parse_multipart("multipart/form-data", part + "--XyZ--")) << "no boundary";
  EXPECT_FALSE(parse_multipart("application/json; boundary=XyZ", part + "--XyZ--"));
  EXPECT_FALSE(parse_multipart("multipart/form-data; boundary=" + std::string(71, 'b'), ""));
  EXPECT_FALSE(
      parse_multipart(kType, "--XyZ\r\nContent-Disposition: form-data\r\n\r\n1\r\n--XyZ--"))
      << "part without a name";
  EXPECT_FALSE(parse_multipart(kType, "--XyZ\r\nContent-Type: text/plain\r\n\r\n1\r\n--XyZ--"))
      << "part without Content-Disposition";
  EXPECT_FALSE(parse_multipart(kType, "--XyZ\r\nno colon here\r\n\r\n1\r\n--XyZ--"));
  EXPECT_FALSE(parse_multipart(kType,
                               "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\n1"
                               "\r\n--XyZ--"))
      << "unterminated quote";
  EXPECT_FALSE(parse_multipart(kType, "--XyZjunk\r\n")) << "delimiter followed by junk";
  EXPECT_FALSE(parse_multipart(kType, "")) << "empty body";
  EXPECT_FALSE(parse_multipart(kType, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n" +
                                          std::string(9000, 'x') + "\r\n\r\n1\r\n--XyZ--"))
      << "oversized part headers";
}

}  // namespace
}  // namespace nc::net
