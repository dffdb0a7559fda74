// Log lines for machines: one JSON object per line with ts (UTC, milliseconds), level, logger
// and msg, every string escaped, so quotes, newlines or odd bytes in a message never break a line.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace nc::obs {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace nc::obs
