#include "obs/json_log_formatter.hpp"

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>

#include <ctime>
#include <nlohmann/json.hpp>

namespace nc::obs {
namespace {

std::string utc_timestamp(spdlog::log_clock::time_point time) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds).count();
  const std::time_t whole = spdlog::log_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

std::string_view view(spdlog::string_view_t text) {
  return {text.data(), text.size()};
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  nlohmann::ordered_json line;
  line["ts"] = utc_timestamp(msg.time);
  line["level"] = view(spdlog::level::to_string_view(msg.level));
  line["logger"] = view(msg.logger_name);
  line["msg"] = view(msg.payload);
  // Bytes that are not UTF-8 (a file name, a provider's answer) become U+FFFD instead of
  // throwing; the rest of the message is kept as is.
  const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  dest.append(text.data(), text.data() + text.size());
  dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

}  // namespace nc::obs
