// The small database layer both backends implement: parameters, result rows, connections from a
// pool, transactions. SQL is written once in a neutral form and adapted per dialect.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"

namespace nc::store {

enum class Backend { kSqlite, kPostgres };

// A bound parameter. Text for everything the database converts itself (json, uuid, timestamps).
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One row of a result; every value comes back as text (or null), typed on access.
class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> columns,
      std::vector<std::optional<std::string>> values)
      : columns_(std::move(columns)), values_(std::move(values)) {}

  bool is_null(std::string_view column) const { return !values_[index(column)].has_value(); }
  bool has(std::string_view column) const;
  std::string text(std::string_view column) const;  // "" when null
  std::optional<std::string> optional_text(std::string_view column) const;
  std::int64_t integer(std::string_view column) const;  // 0 when null
  std::optional<std::int64_t> optional_integer(std::string_view column) const;
  double real(std::string_view column) const;

 private:
  std::size_t index(std::string_view column) const;

  std::shared_ptr<const std::vector<std::string>> columns_;  // shared by a result's rows
  std::vector<std::optional<std::string>> values_;
};

class Rows {
 public:
  Rows() = default;
  explicit Rows(std::vector<std::string> columns)
      : columns_(std::make_shared<const std::vector<std::string>>(std::move(columns))) {}
  explicit Rows(std::shared_ptr<const std::vector<std::string>> columns)
      : columns_(std::move(columns)) {}

  void add(std::vector<std::optional<std::string>> values) {
    rows_.emplace_back(columns_, std::move(values));
  }
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const Row& operator[](std::size_t i) const { return rows_.at(i); }
  const Row& front() const { return rows_.at(0); }
  auto begin() const { return rows_.begin(); }
  auto end() const { return rows_.end(); }
  std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

 private:
  std::shared_ptr<const std::vector<std::string>> columns_;
  std::vector<Row> rows_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement written in the neutral dialect (see Dialect) with $1..$N parameters.
  virtual Rows execute(std::string_view sql, std::span<const Value> params = {}) = 0;
  // Runs several statements as they are (migrations); no parameters, no rewriting.
  virtual void execute_script(std::string_view sql) = 0;
  virtual Backend backend() const = 0;
  // False once the link to the server is lost; such a connection is not reused.
  virtual bool healthy() const { return true; }
  // Runs `sql` (one statement, no parameters, no result) no later than the next statement of
  // this connection: PostgreSQL sends both in one round trip, and that statement reports the
  // failure of either; SQLite runs it at once. Still deferred at ROLLBACK: dropped.
  virtual void defer(std::string_view sql) { execute(sql, std::span<const Value>()); }

  Rows execute(std::string_view sql, std::initializer_list<Value> params) {
    return execute(sql, std::span<const Value>(params.begin(), params.size()));
  }

 protected:
  // What {now} binds to in this connection's statements: its database's clock.
  core::Clock::time_point clock_now() const {
    return (clock_ ? clock_->load(std::memory_order_relaxed) : &core::real_clock())->now();
  }

 private:
  friend class Database;
  const std::atomic<const core::Clock*>* clock_ = nullptr;
};

class Database;

// Sleeps until a job may have become due (or the timeout passes). Returns true when woken.
class JobWaiter {
 public:
  virtual ~JobWaiter() = default;
  virtual bool wait(std::chrono::milliseconds timeout) = 0;
};

// A lock held for as long as this object lives, released by the operating system or the
// database server when the process dies (no lease to wait out after a crash).
class SessionLock {
 public:
  virtual ~SessionLock() = default;
  // False when the lock was lost (the database connection behind it broke).
  virtual bool still_held() = 0;
};

// A connection borrowed from the pool, returned when it goes out of scope.
class PooledConnection {
 public:
  PooledConnection(Database* owner, std::unique_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}
  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();

  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }
  // A connection left in an unknown state is closed instead of going back to the pool.
  void discard() { broken_ = true; }

 private:
  Database* owner_;
  std::unique_ptr<Connection> connection_;
  bool broken_ = false;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Backend backend() const = 0;
  // Where it is, with any password hidden: for logs and errors.
  virtual std::string describe() const = 0;
  PooledConnection acquire();

  // Runs `work(Connection&)` in one transaction: commits when it returns, rolls back when it
  // throws. SQLite transactions take the write lock at the start (one writer at a time).
  template <typename Work>
  auto transaction(Work&& work) {
    auto writing = lock_writer();
    auto connection = acquire();
    begin(*connection);
    try {
      if constexpr (std::is_void_v<decltype(work(*connection))>) {
        work(*connection);
        commit(*connection);
      } else {
        auto result = work(*connection);
        commit(*connection);
        return result;
      }
    } catch (...) {
      rollback_quietly(connection);
      throw;
    }
  }

  // Wakes this process's job waiters. PostgreSQL also wakes other processes by itself (a
  // trigger NOTIFYs on every due job, even one inserted by hand).
  void notify_jobs_due();
  virtual std::unique_ptr<JobWaiter> make_job_waiter();
  // Takes the named lock if nobody holds it (any process on any host sharing this database);
  // nullptr when it is taken.
  virtual std::unique_ptr<SessionLock> try_session_lock(const std::string& name) = 0;

  // The clock every {now} of this database's statements reads (the real one unless a test
  // says otherwise). `clock` must outlive the database.
  void use_clock(const core::Clock& clock) { clock_.store(&clock); }
  const core::Clock& clock() const { return *clock_.load(); }

  // Throws when the database cannot be reached (readiness checks).
  void ping() { execute("SELECT 1 AS ok"); }

  // Runs one statement outside an explicit transaction.
  Rows execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    auto connection = acquire();
    return connection->execute(sql, params);
  }

 protected:
  friend class PooledConnection;
  virtual std::unique_ptr<Connection> open_connection() = 0;
  virtual void begin(Connection& connection) = 0;
  // Held from before BEGIN until after COMMIT or ROLLBACK; none by default. SQLite: one
  // transaction at a time in this process, so its writers queue on a mutex instead of sleeping
  // in SQLite's busy handler (which polls with sleeps of 1 to 100 ms).
  virtual std::unique_lock<std::timed_mutex> lock_writer() { return {}; }
  void commit(Connection& connection) { connection.execute_script("COMMIT"); }
  void release(std::unique_ptr<Connection> connection, bool broken);

 private:
  void rollback_quietly(PooledConnection& connection);

  friend class LocalJobWaiter;

  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::atomic<const core::Clock*> clock_{&core::real_clock()};

  std::mutex signal_mutex_;
  std::condition_variable signal_;
  std::uint64_t signal_generation_ = 0;
};

// Opens DATABASE_URL: "sqlite:PATH" or "postgresql://…" (also "postgres://…").
std::unique_ptr<Database> open_database(const std::string& url);

// Rewrites neutral SQL for a backend. Tokens: {now}, {now+ms $N} (now plus $N milliseconds),
// {age_s EXPR} (seconds since the timestamp EXPR), {skip_locked} (row locks for claiming),
// {for_update} (holds the rows read to the end of the transaction),
// {clock_ms} (now as epoch milliseconds). "Now" is the database's clock when the statement
// runs, bound as one extra parameter: ":nc_now" on SQLite, $K on PostgreSQL (see
// clock_parameter).
std::string to_dialect(std::string_view sql, Backend backend);

// The number K of the parameter that carries the clock in the PostgreSQL form of `sql` (one
// past its highest $N); 0 when `sql` does not read the clock.
int clock_parameter(std::string_view sql);

// A time as the backend's timestamps are written: "2026-12-05 18:34:30.123" (SQLite, what
// strftime('%Y-%m-%d %H:%M:%f') gives) or "2026-12-05 18:34:30.123456+00" (PostgreSQL).
std::string sql_time(core::Clock::time_point time, Backend backend);

}  // namespace nc::store
