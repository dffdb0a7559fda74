#include "store/postgres/pg_connection.hpp"

#include <fmt/format.h>

#include <algorithm>

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
    throw DbError(
        fmt::format("cannot connect to PostgreSQL at {}: {}", redact_url_password(url), message));
  }
  execute_script("SET TIME ZONE 'UTC'; SET client_min_messages = warning;");
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

void PgConnection::defer(std::string_view sql) {
  deferred_.emplace_back(sql);
}

void PgConnection::execute_script(std::string_view sql) {
  if (sql == "ROLLBACK") deferred_.clear();  // moot: the whole transaction goes
  // The simple protocol takes several statements at once: the deferred ones go first.
  std::string text;
  for (const auto& statement : deferred_)
    text += statement + "; ";
  deferred_.clear();
  text += sql;
  ResultGuard guard{PQexec(conn_, text.c_str())};
  const auto status = PQresultStatus(guard.result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw DbError("PostgreSQL: " + first_line(PQerrorMessage(conn_)));
  }
}

Rows PgConnection::execute(std::string_view sql, std::span<const Value> params) {
  const auto clock_param = static_cast<std::size_t>(clock_parameter(sql));
  const std::size_t total = std::max(params.size(), clock_param);
  std::vector<std::string> storage(total);
  std::vector<const char*> values(total, nullptr);
  if (clock_param > 0) {
    storage[clock_param - 1] = sql_time(clock_now(), Backend::kPostgres);
    values[clock_param - 1] = storage[clock_param - 1].c_str();
  }
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
  const int count = static_cast<int>(total);
  const auto* name = prepared_name(sql, count);
  const std::string text = name ? std::string() : to_dialect(sql, Backend::kPostgres);
  if (!deferred_.empty()) return execute_after_deferred(name, text, count, values.data(), sql);
  PGresult* result =
      name ? PQexecPrepared(conn_, name->c_str(), count, values.data(), nullptr, nullptr, 0)
           : PQexecParams(conn_, text.c_str(), count, nullptr, values.data(), nullptr, nullptr, 0);
  return collect(result, sql);
}

Rows PgConnection::execute_after_deferred(const std::string* name, const std::string& text,
                                          int count, const char* const* values,
                                          std::string_view sql) {
  std::vector<std::string> deferred;
  deferred.swap(deferred_);
  // Pipeline mode: the deferred statements and this one go out together, their results come
  // back together, one round trip.
  if (PQenterPipelineMode(conn_) != 1) {
    throw DbError("PostgreSQL: no pipeline mode: " + first_line(PQerrorMessage(conn_)));
  }
  for (const auto& statement : deferred) {
    PQsendQueryParams(conn_, statement.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
  }
  if (name) {
    PQsendQueryPrepared(conn_, name->c_str(), count, values, nullptr, nullptr, 0);
  } else {
    PQsendQueryParams(conn_, text.c_str(), count, nullptr, values, nullptr, nullptr, 0);
  }
  PQpipelineSync(conn_);
  std::string failure;  // the first one; the statements after it are skipped by the server
  PGresult* last = nullptr;
  for (std::size_t i = 0; i <= deferred.size(); ++i) {
    PGresult* result = PQgetResult(conn_);
    if (!result) {
      failure = first_line(PQerrorMessage(conn_));
      break;
    }
    while (PGresult* end = PQgetResult(conn_))
      PQclear(end);  // up to this statement's end
    if (i == deferred.size()) {
      last = result;
    } else {
      if (failure.empty() && PQresultStatus(result) != PGRES_COMMAND_OK) {
        failure = first_line(PQresultErrorMessage(result)) + " in: " + deferred[i];
      }
      PQclear(result);
    }
  }
  if (PGresult* sync = PQgetResult(conn_)) PQclear(sync);
  PQexitPipelineMode(conn_);
  if (!failure.empty()) {
    if (last) PQclear(last);
    throw DbError("PostgreSQL: " + failure);
  }
  return collect(last, sql);
}

const std::string* PgConnection::prepared_name(std::string_view sql, int param_count) {
  const std::string key(sql);
  if (auto it = prepared_.find(key); it != prepared_.end()) return &it->second;
  if (prepared_.size() >= kMaxPrepared) return nullptr;  // statements built at run time
  const std::string text = to_dialect(sql, Backend::kPostgres);
  std::string name = fmt::format("nc{}", prepared_.size() + 1);
  // Parsed and planned once per connection instead of on every use. Not transactional: it
  // stays prepared even when the transaction it was made in rolls back.
  collect(PQprepare(conn_, name.c_str(), text.c_str(), param_count, nullptr), text);
  return &prepared_.emplace(key, std::move(name)).first->second;
}

Rows PgConnection::collect(PGresult* result, std::string_view sql) {
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
  for (int c = 0; c < columns; ++c)
    names.emplace_back(PQfname(result, c));
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
