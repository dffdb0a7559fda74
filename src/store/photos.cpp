#include "store/photos.hpp"

namespace nc::store {

bool Photos::has(Connection& connection, const std::string& name) {
  return !connection.execute("SELECT 1 AS present FROM photos WHERE name = $1", {name}).empty();
}

void Photos::put(Connection& connection, const std::string& name, const std::string& base64) {
  connection.execute(
      "INSERT INTO photos (name, jpeg_base64) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
      {name, base64});
}

std::optional<std::string> Photos::get(const std::string& name) {
  auto rows = database_.execute("SELECT jpeg_base64 FROM photos WHERE name = $1", {name});
  if (rows.empty()) return std::nullopt;
  return rows.front().text("jpeg_base64");
}

}  // namespace nc::store
