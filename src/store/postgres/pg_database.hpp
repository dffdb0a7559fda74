// PostgreSQL driver over libpq: a pool of connections, text-format parameters, UTC session time.
#pragma once

#include <string>

#include "store/database.hpp"

namespace nc::store {

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(std::string url);
  Backend backend() const override { return Backend::kPostgres; }
  std::string describe() const override;
  const std::string& url() const { return url_; }
  // LISTENs on the channel the jobs trigger notifies, on a connection of its own.
  std::unique_ptr<JobWaiter> make_job_waiter() override;
  // A session-level advisory lock on a connection of its own.
  std::unique_ptr<SessionLock> try_session_lock(const std::string& name) override;

 protected:
  std::unique_ptr<Connection> open_connection() override;
  void begin(Connection& connection) override;

 private:
  std::string url_;
};

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db".
std::string redact_url_password(const std::string& url);

}  // namespace nc::store
