// Log set-up: one line per event on stderr, text for people or JSON for machines.
#pragma once

#include <string>

namespace nc::app {

void setup_logging(const std::string& level, const std::string& format);

}  // namespace nc::app
