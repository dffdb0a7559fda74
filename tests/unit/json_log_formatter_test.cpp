#include "obs/json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace nc::obs {
namespace {

std::vector<nlohmann::json> lines_of(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    if (nlohmann::json::accept(line)) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

class JsonLogFormatterTest : public ::testing::Test {
 protected:
  JsonLogFormatterTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(out_)),
        logger_("neurocards", sink_) {
    logger_.set_formatter(std::make_unique<JsonLogFormatter>());
    logger_.set_level(spdlog::level::trace);
  }

  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
  spdlog::logger logger_;
};

TEST_F(JsonLogFormatterTest, EveryMessageIsOneParsableLine) {
  const std::vector<std::string> messages = {
      "plain",
      "a \"quoted\" word",
      "back\\slash C:\\data\\x",
      "two\nlines\r\nand a tab\t",
      "Привет, мир 👋 — «Термокружка»",
      "control \x01\x1f bytes",
      "",
  };
  for (const auto& message : messages)
    logger_.info("{}", message);
  const auto lines = lines_of(out_.str());
  ASSERT_EQ(lines.size(), messages.size()) << out_.str();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(lines[i]["msg"], messages[i]);
    EXPECT_EQ(lines[i]["level"], "info");
    EXPECT_EQ(lines[i]["logger"], "neurocards");
  }
}

TEST_F(JsonLogFormatterTest, CarriesLevelAndAnIsoUtcTimestamp) {
  logger_.warn("job {}: lease lost", "abc");
  logger_.error("boom");
  const auto lines = lines_of(out_.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["level"], "warning");
  EXPECT_EQ(lines[0]["msg"], "job abc: lease lost");
  EXPECT_EQ(lines[1]["level"], "error");
  const std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(lines[0]["ts"].get<std::string>(), iso)) << lines[0]["ts"];
  // The fields come in a fixed order, for people reading raw lines.
  EXPECT_TRUE(out_.str().starts_with("{\"ts\":\"")) << out_.str();
}

TEST_F(JsonLogFormatterTest, BytesThatAreNotUtf8AreReplacedNotDropped) {
  logger_.info("file {}", std::string("bad\xff\xfe name"));
  const auto lines = lines_of(out_.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "file bad\xEF\xBF\xBD\xEF\xBF\xBD name");
}

TEST_F(JsonLogFormatterTest, ClonesFormatTheSame) {
  auto clone = JsonLogFormatter().clone();
  spdlog::details::log_msg msg("other", spdlog::level::debug, "x \"y\"");
  spdlog::memory_buf_t buffer;
  clone->format(msg, buffer);
  const auto line = nlohmann::json::parse(std::string(buffer.data(), buffer.size()));
  EXPECT_EQ(line["logger"], "other");
  EXPECT_EQ(line["level"], "debug");
  EXPECT_EQ(line["msg"], "x \"y\"");
}

}  // namespace
}  // namespace nc::obs
