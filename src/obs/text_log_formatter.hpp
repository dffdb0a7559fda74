// The text log format: "2026-12-05 18:34:30.123 warn  message", one entry per line. Control
// characters in the message (which may carry what a client sent) are written as escapes, so a
// request cannot forge log lines or terminal sequences.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace nc::obs {

std::unique_ptr<spdlog::formatter> make_text_log_formatter();

// `text` with \n, \r, \t as such escapes and other control characters as \xNN.
std::string escape_control_characters(std::string_view text);

}  // namespace nc::obs
