// Text logs a client cannot forge or flood.
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "net/repeated_warning.hpp"
#include "obs/text_log_formatter.hpp"

namespace nc::obs {
namespace {

using namespace std::chrono_literals;

// Everything logged through spdlog's default logger while it lives, in the text format.
class CapturedLog {
 public:
  CapturedLog()
      : previous_(spdlog::default_logger()),
        logger_(std::make_shared<spdlog::logger>(
            "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_))) {
    logger_->set_formatter(make_text_log_formatter());
    spdlog::set_default_logger(logger_);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);)
      result.push_back(line);
    return result;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::logger> logger_;
};

TEST(TextLog, WhatAClientSentCannotStartALineOfItsOwn) {
  CapturedLog log;
  spdlog::warn("unreadable update: {}", "x\n2026-12-05 00:00:00.000 info  admin granted\x1b[2J");
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"(x\n2026-12-05 00:00:00.000 info  admin granted\x1b[2J)"),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(escape_control_characters("tab\there\r\x7f"), R"(tab\there\r\x7f)");
  EXPECT_EQ(escape_control_characters("Кружка 450 мл"), "Кружка 450 мл");
}

TEST(RepeatedWarning, AFloodBecomesOneLineAPeriod) {
  CapturedLog log;
  auto now = std::chrono::steady_clock::now();
  net::RepeatedWarning warning(60s, [&] { return now; });
  for (int i = 0; i < 1000; ++i)
    warning.warn("webhook: bad secret");
  EXPECT_EQ(log.lines().size(), 1u);
  now += 61s;
  warning.warn("webhook: bad secret");
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("webhook: bad secret (999 more like it in the last 60 s)"),
            std::string::npos)
      << lines[1];
}

}  // namespace
}  // namespace nc::obs
