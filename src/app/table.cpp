#include "app/table.hpp"

#include <algorithm>

#include "core/utf16.hpp"

namespace nc::app {
namespace {

std::size_t display_width(const std::string& text) { return core::utf8_characters(text); }

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
  return core::utf8_prefix(flat, max - 1) + "…";
}

std::string short_time(const std::string& timestamp) { return timestamp.substr(0, 19); }

}  // namespace nc::app
