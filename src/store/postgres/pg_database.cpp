#include "store/postgres/pg_database.hpp"

#include <poll.h>

#include <regex>

#include "store/postgres/pg_connection.hpp"

namespace nc::store {

PgDatabase::PgDatabase(std::string url) : url_(std::move(url)) {}

std::string PgDatabase::describe() const {
  return redact_url_password(url_);
}

std::unique_ptr<Connection> PgDatabase::open_connection() {
  return std::make_unique<PgConnection>(url_);
}

namespace {

class PgJobWaiter final : public JobWaiter {
 public:
  explicit PgJobWaiter(const std::string& url) : connection_(url) {
    connection_.execute_script("LISTEN nc_jobs");
  }

  bool wait(std::chrono::milliseconds timeout) override {
    if (drain()) return true;
    pollfd descriptor{.fd = PQsocket(connection_.raw()), .events = POLLIN, .revents = 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return false;
    if (!PQconsumeInput(connection_.raw())) {
      throw DbError("lost the PostgreSQL connection that listens for new jobs");
    }
    return drain();
  }

 private:
  bool drain() {
    bool any = false;
    while (PGnotify* notification = PQnotifies(connection_.raw())) {
      PQfreemem(notification);
      any = true;
    }
    return any;
  }

  PgConnection connection_;
};

}  // namespace

namespace {

class AdvisoryLock final : public SessionLock {
 public:
  explicit AdvisoryLock(std::unique_ptr<PgConnection> connection)
      : connection_(std::move(connection)) {}
  bool still_held() override {
    try {
      connection_->execute("SELECT 1 AS alive", {});
      return true;
    } catch (const DbError&) {
      return false;
    }
  }

 private:
  std::unique_ptr<PgConnection> connection_;  // closing it releases the lock
};

std::int64_t lock_key(const std::string& name) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : name)
    hash = (hash ^ c) * 1099511628211ULL;
  return static_cast<std::int64_t>(hash);
}

}  // namespace

std::unique_ptr<SessionLock> PgDatabase::try_session_lock(const std::string& name) {
  auto connection = std::make_unique<PgConnection>(url_);
  auto taken = connection->execute("SELECT pg_try_advisory_lock($1) AS taken", {lock_key(name)});
  if (taken.front().text("taken") != "t") return nullptr;
  return std::make_unique<AdvisoryLock>(std::move(connection));
}

std::unique_ptr<JobWaiter> PgDatabase::make_job_waiter() {
  return std::make_unique<PgJobWaiter>(url_);
}

void PgDatabase::begin(Connection& connection) {
  connection.execute_script("BEGIN");
}

std::string redact_url_password(const std::string& url) {
  static const std::regex in_user_info(R"(^([a-z]+://[^:/@]*):[^@]*@)");
  // ?password=… in a URL, password=… in a key=value connection string.
  static const std::regex as_parameter(R"((^|[?&\s])password=('[^']*'|[^&\s]*))",
                                       std::regex::icase);
  const auto redacted = std::regex_replace(url, in_user_info, "$1:***@");
  return std::regex_replace(redacted, as_parameter, "$1password=***");
}

}  // namespace nc::store
