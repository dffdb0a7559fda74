#include "app/table.hpp"

#include <algorithm>

namespace nc::app {
namespace {

std::size_t display_width(const std::string& text) {
  // Counts code points: continuation bytes (10xxxxxx) do not start a character.
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string value = i < row.size() ? row[i] : "";
      line += value;
      if (i + 1 < widths.size()) line += std::string(widths[i] - display_width(value) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print_row(header_);
  for (const auto& row : rows_) print_row(row);
}

std::string cell(const std::string& text, std::size_t max) {
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  if (display_width(flat) <= max) return flat;
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < flat.size(); ++i) {
    const bool starts = (static_cast<unsigned char>(flat[i]) & 0xC0) != 0x80;
    if (starts && ++count > max - 1) break;
    out += flat[i];
  }
  return out + "…";
}

std::string short_time(const std::string& timestamp) { return timestamp.substr(0, 19); }

}  // namespace nc::app
