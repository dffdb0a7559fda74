// One libpq connection, shared by the pooled driver and the LISTEN-based job waker.
#pragma once

#include <libpq-fe.h>

#include <string>

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
  Backend backend() const override { return Backend::kPostgres; }
  bool healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

  PGconn* raw() { return conn_; }

 private:
  Rows collect(PGresult* result, const std::string& sql);

  PGconn* conn_ = nullptr;
};

}  // namespace nc::store
