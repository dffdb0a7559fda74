#include "store/postgres/pg_connection.hpp"

#include <fmt/format.h>

#include "store/postgres/pg_database.hpp"

namespace nc::store {
namespace {

struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { PQclear(result); }
};

std::string first_line(const char* message) {
  std::string text = message ? message : "";
  if (auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  return text;
}

}  // namespace

PgConnection::PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = first_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw DbError(fmt::format("cannot connect to PostgreSQL at {}: {}", redact_url_password(url),
                              message));
  }
  execute_script("SET TIME ZONE 'UTC'; SET client_min_messages = warning;");
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

void PgConnection::execute_script(std::string_view sql) {
  std::string text(sql);
  ResultGuard guard{PQexec(conn_, text.c_str())};
  const auto status = PQresultStatus(guard.result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw DbError("PostgreSQL: " + first_line(PQerrorMessage(conn_)));
  }
}

Rows PgConnection::execute(std::string_view sql, std::span<const Value> params) {
  const std::string text = to_dialect(sql, Backend::kPostgres);
  std::vector<std::string> storage(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            values[i] = nullptr;
          } else if constexpr (std::is_same_v<T, std::string>) {
            values[i] = value.c_str();
          } else {
            storage[i] = fmt::format("{}", value);
            values[i] = storage[i].c_str();
          }
        },
        params[i]);
  }
  PGresult* result = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
  return collect(result, text);
}

Rows PgConnection::collect(PGresult* result, const std::string& sql) {
  ResultGuard guard{result};
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    std::string message = first_line(PQresultErrorMessage(result));
    if (message.empty()) message = first_line(PQerrorMessage(conn_));
    if (state && std::string_view(state).starts_with("23")) {
      throw DbError("constraint violated: " + message);
    }
    throw DbError(fmt::format("PostgreSQL: {} in: {}", message, sql));
  }
  const int columns = PQnfields(result);
  std::vector<std::string> names;
  names.reserve(columns);
  for (int c = 0; c < columns; ++c) names.emplace_back(PQfname(result, c));
  Rows rows(std::move(names));
  const int count = PQntuples(result);
  for (int r = 0; r < count; ++r) {
    std::vector<std::optional<std::string>> values;
    values.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) {
        values.emplace_back();
      } else {
        values.emplace_back(std::string(PQgetvalue(result, r, c), PQgetlength(result, r, c)));
      }
    }
    rows.add(std::move(values));
  }
  const char* affected = PQcmdTuples(result);
  rows.affected = (affected && *affected) ? std::stoll(affected) : 0;
  return rows;
}

}  // namespace nc::store
