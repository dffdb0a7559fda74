// Plain-text tables for the operator's terminal: aligned columns, UTF-8 aware.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nc::app {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Shortens a cell to `max` characters (UTF-8 aware) with an ellipsis; newlines become spaces.
std::string cell(const std::string& text, std::size_t max = 60);
// "2026-11-26 01:19:19.123+00" -> "2026-11-26 01:19:19"
std::string short_time(const std::string& timestamp);

}  // namespace nc::app
