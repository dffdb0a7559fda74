#include <fmt/format.h>

#include "store/database.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace nc::store {

std::unique_ptr<Database> open_database(const std::string& url) {
  if (url.starts_with("sqlite:")) {
    std::string path = url.substr(7);
    if (path.starts_with("//")) path = path.substr(2);  // sqlite://relative or sqlite:///absolute
    if (path.empty()) throw DbError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:data/neurocards.db");
    return std::make_unique<SqliteDatabase>(path);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return std::make_unique<PgDatabase>(url);
  }
  throw DbError(fmt::format(
      "DATABASE_URL '{}' is not supported: expected sqlite:PATH or postgresql://user:pass@host:port/db",
      redact_url_password(url)));
}

}  // namespace nc::store
