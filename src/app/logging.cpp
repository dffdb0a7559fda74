#include "app/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "obs/json_log_formatter.hpp"
#include "obs/text_log_formatter.hpp"

namespace nc::app {

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("neurocards");
  if (format == "json") {
    logger->set_formatter(std::make_unique<obs::JsonLogFormatter>());
  } else {
    logger->set_formatter(obs::make_text_log_formatter());
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace nc::app
