// One libpq connection, shared by the pooled driver and the LISTEN-based job waker.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"

namespace nc::store {

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const std::string& url);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  using Connection::execute;
  Rows execute(std::string_view sql, std::span<const Value> params) override;
  void execute_script(std::string_view sql) override;
  void defer(std::string_view sql) override;
  Backend backend() const override { return Backend::kPostgres; }
  bool healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

  PGconn* raw() { return conn_; }

 private:
  // Past this many named statements per connection, the rest run unnamed (parsed every time).
  static constexpr std::size_t kMaxPrepared = 256;

  Rows collect(PGresult* result, std::string_view sql);
  // The server-side prepared statement for `sql`, prepared on first use; nullptr when the
  // connection already holds kMaxPrepared.
  const std::string* prepared_name(std::string_view sql, int param_count);
  // Runs the deferred statements and this one in one round trip.
  Rows execute_after_deferred(const std::string* name, const std::string& text, int count,
                              const char* const* values, std::string_view sql);

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // neutral SQL text -> name
  std::vector<std::string> deferred_;                      // see Connection::defer
};

}  // namespace nc::store
