#include "store/postgres/pg_database.hpp"

#include <regex>

#include "store/postgres/pg_connection.hpp"

namespace nc::store {

PgDatabase::PgDatabase(std::string url) : url_(std::move(url)) {}

std::string PgDatabase::describe() const { return redact_url_password(url_); }

std::unique_ptr<Connection> PgDatabase::open_connection() {
  return std::make_unique<PgConnection>(url_);
}

void PgDatabase::begin(Connection& connection) { connection.execute_script("BEGIN"); }

std::string redact_url_password(const std::string& url) {
  static const std::regex password(R"(^([a-z]+://[^:/@]*):[^@]*@)");
  return std::regex_replace(url, password, "$1:***@");
}

}  // namespace nc::store
