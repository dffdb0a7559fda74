#include "store/sqlite/sqlite_database.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <unordered_map>

namespace nc::store {
namespace {

constexpr int kBusyTimeoutMs = 30000;

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, std::shared_ptr<WalCheckpointer> checkpointer)
      : checkpointer_(std::move(checkpointer)) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DbError(fmt::format("cannot open SQLite database {}: {}", path, message));
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    execute_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    checkpointer_->watch(db_);
  }
  ~SqliteConnection() override {
    for (auto& [sql, prepared] : cache_)
      sqlite3_finalize(prepared.statement);
    sqlite3_finalize(uncached_.statement);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Backend backend() const override { return Backend::kSqlite; }

  void execute_script(std::string_view sql) override {
    std::string text(sql);
    char* error = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw DbError("SQLite: " + message);
    }
  }

  Rows execute(std::string_view sql, std::span<const Value> params) override {
    Prepared& prepared = prepare(sql);
    sqlite3_stmt* statement = prepared.statement;
    // Ready for the next use however this one ends.
    struct Reset {
      sqlite3_stmt* statement;
      ~Reset() {
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
      }
    } reset{statement};
    bind(prepared, params);

    Rows rows(prepared.columns);
    const int column_count = static_cast<int>(prepared.columns->size());
    for (;;) {
      const int step = sqlite3_step(statement);
      if (step == SQLITE_DONE) break;
      if (step != SQLITE_ROW) throw error_for(step);
      std::vector<std::optional<std::string>> values;
      values.reserve(column_count);
      for (int i = 0; i < column_count; ++i) {
        if (sqlite3_column_type(statement, i) == SQLITE_NULL) {
          values.emplace_back();
        } else {
          const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
          values.emplace_back(std::string(data, sqlite3_column_bytes(statement, i)));
        }
      }
      rows.add(std::move(values));
    }
    rows.affected = sqlite3_changes(db_);
    return rows;
  }

 private:
  // A compiled statement kept for the connection's lifetime: compiling is a good part of a
  // short statement's cost. SQLite recompiles it by itself when the schema changes.
  struct Prepared {
    sqlite3_stmt* statement = nullptr;
    std::shared_ptr<const std::vector<std::string>> columns;
    std::vector<int> slots;  // slots[i]: where $i+1 binds, 0 when the statement does not use it
    int clock_slot = 0;      // where :nc_now binds (see to_dialect), 0 when it reads no clock
  };
  // Statements built at run time could grow the cache without end; past this many, the rest
  // are compiled per use.
  static constexpr std::size_t kMaxCached = 256;

  Prepared& prepare(std::string_view sql) {
    if (auto it = cache_.find(std::string(sql)); it != cache_.end()) return it->second;
    const std::string text = to_dialect(sql, Backend::kSqlite);
    Prepared prepared;
    if (sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                           SQLITE_PREPARE_PERSISTENT, &prepared.statement, nullptr) != SQLITE_OK) {
      throw DbError(fmt::format("SQLite: {} in: {}", sqlite3_errmsg(db_), text));
    }
    std::vector<std::string> columns;
    const int column_count = sqlite3_column_count(prepared.statement);
    for (int i = 0; i < column_count; ++i) {
      columns.emplace_back(sqlite3_column_name(prepared.statement, i));
    }
    prepared.columns = std::make_shared<const std::vector<std::string>>(std::move(columns));
    const int slot_count = sqlite3_bind_parameter_count(prepared.statement);
    for (int slot = 1; slot <= slot_count; ++slot) {
      const char* name = sqlite3_bind_parameter_name(prepared.statement, slot);
      if (!name || name[0] != '$') continue;
      const auto number = static_cast<std::size_t>(std::atoi(name + 1));
      if (number == 0) continue;
      if (prepared.slots.size() < number) prepared.slots.resize(number, 0);
      prepared.slots[number - 1] = slot;
    }
    prepared.clock_slot = sqlite3_bind_parameter_index(prepared.statement, ":nc_now");
    if (cache_.size() >= kMaxCached) {
      sqlite3_finalize(uncached_.statement);
      uncached_ = std::move(prepared);
      return uncached_;
    }
    return cache_.emplace(std::string(sql), std::move(prepared)).first->second;
  }

  DbError error_for(int code) const {
    if ((code & 0xff) == SQLITE_CONSTRAINT) {
      return DbError(std::string("constraint violated: ") + sqlite3_errmsg(db_));
    }
    return DbError(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }

  void bind(const Prepared& prepared, std::span<const Value> params) {
    sqlite3_stmt* statement = prepared.statement;
    if (prepared.clock_slot > 0) {
      const auto now = sql_time(clock_now(), Backend::kSqlite);
      const int rc = sqlite3_bind_text(statement, prepared.clock_slot, now.data(),
                                       static_cast<int>(now.size()), SQLITE_TRANSIENT);
      if (rc != SQLITE_OK) throw error_for(rc);
    }
    for (std::size_t i = 0; i < params.size() && i < prepared.slots.size(); ++i) {
      const int index = prepared.slots[i];
      if (index == 0) continue;  // parameter not used by this statement
      int rc = SQLITE_OK;
      std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              rc = sqlite3_bind_null(statement, index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              rc = sqlite3_bind_int64(statement, index, value);
            } else if constexpr (std::is_same_v<T, double>) {
              rc = sqlite3_bind_double(statement, index, value);
            } else {
              rc = sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()),
                                     SQLITE_TRANSIENT);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) throw error_for(rc);
    }
  }

  std::shared_ptr<WalCheckpointer> checkpointer_;    // outlives db_: declared before it
  std::unordered_map<std::string, Prepared> cache_;  // by the neutral SQL text
  Prepared uncached_;                                // the last statement past the cache's size
  sqlite3* db_ = nullptr;
};

}  // namespace

SqliteDatabase::SqliteDatabase(std::string path)
    : path_(std::move(path)), checkpointer_(std::make_shared<WalCheckpointer>(path_)) {
  const auto parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

std::unique_ptr<Connection> SqliteDatabase::open_connection() {
  return std::make_unique<SqliteConnection>(path_, checkpointer_);
}

namespace {

class FileLock final : public SessionLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() override { ::close(fd_); }
  bool still_held() override { return true; }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<SessionLock> SqliteDatabase::try_session_lock(const std::string& name) {
  const std::string path = path_ + "." + name + ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw DbError(fmt::format("cannot open lock file {}", path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<FileLock>(fd);
}

std::unique_lock<std::timed_mutex> SqliteDatabase::lock_writer() {
  std::unique_lock lock(writer_, std::chrono::milliseconds(kBusyTimeoutMs));
  if (!lock.owns_lock()) {
    throw DbError(
        fmt::format("SQLite: database is locked (a transaction of this process has "
                    "held it for {} s)",
                    kBusyTimeoutMs / 1000));
  }
  return lock;
}

void SqliteDatabase::begin(Connection& connection) {
  connection.execute_script("BEGIN IMMEDIATE");
}

}  // namespace nc::store
