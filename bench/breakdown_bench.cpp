// Where one update's time goes, in-process (no HTTP, no contention): parsing the Update JSON,
// the handling transaction (dedupe, user, conversation, outbox rows) alone and as one of 32
// sharing group transactions, a redelivery, one bare statement, and for SQLite the cost of
// compiling the statements one update runs (the store keeps them compiled per connection; this
// is what that saves). Google Benchmark.
//
//   nc_breakdown_bench --sqlite /tmp/b.db [--pg postgresql://…/empty_db] [--benchmark_… flags]
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bot/dispatcher.hpp"
#include "bot/from_update.hpp"
#include "bot/router.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "telegram/json.hpp"

namespace {

using namespace nc;

constexpr std::int64_t kFirstUser = 1000000;
constexpr std::int64_t kUsers = 10000;

// The same updates bench/webhook.lua sends: id % 3 picks "/start", "/balance" or a press on
// the balance button.
std::string update_json(std::int64_t id) {
  const auto user = kFirstUser + id % kUsers;
  if (id % 3 == 2) {
    return fmt::format(
        R"({{"update_id":{0},"callback_query":{{"id":"cb{0}","from":{{"id":{1},"is_bot":false,)"
        R"("first_name":"Bench","language_code":"en"}},"message":{{"message_id":1,"chat":{{"id":)"
        R"({1},"type":"private"}},"date":1735689600,"text":"menu"}},"chat_instance":"1",)"
        R"("data":"m:balance"}}}})",
        id, user);
  }
  const std::string command = id % 3 == 0 ? "/start" : "/balance";
  return fmt::format(
      R"({{"update_id":{0},"message":{{"message_id":{0},"from":{{"id":{1},"is_bot":false,)"
      R"("first_name":"Bench","language_code":"en"}},"chat":{{"id":{1},"first_name":"Bench",)"
      R"("type":"private"}},"date":1735689600,"text":"{2}","entities":[{{"offset":0,)"
      R"("length":{3},"type":"bot_command"}}]}}}})",
      id, user, command, command.size());
}

bot::Incoming incoming(std::int64_t id) {
  auto update = telegram::parse_update(update_json(id));
  if (!update.ok()) throw std::runtime_error("bench update does not parse");
  auto in = bot::from_update(update.value());
  if (!in) throw std::runtime_error("bench update is not handled");
  return *in;
}

// A connection that notes each statement it runs, so one update's statements can be counted
// and compiled on their own.
class RecordingConnection final : public store::Connection {
 public:
  RecordingConnection(store::PooledConnection inner, store::Backend backend,
                      std::vector<std::string>*& log)
      : inner_(std::move(inner)), backend_(backend), log_(log) {}
  store::Rows execute(std::string_view sql, std::span<const store::Value> params) override {
    if (log_) log_->emplace_back(sql);
    return inner_->execute(sql, params);
  }
  void execute_script(std::string_view sql) override {
    if (log_) log_->emplace_back(sql);
    inner_->execute_script(sql);
  }
  // Kept apart from the log of statements: on PostgreSQL it travels with the next statement.
  void defer(std::string_view sql) override { inner_->defer(sql); }
  store::Backend backend() const override { return backend_; }
  bool healthy() const override { return true; }

 private:
  store::PooledConnection inner_;
  store::Backend backend_;
  std::vector<std::string>*& log_;
};

class RecordingDatabase final : public store::Database {
 public:
  // `inner` must outlive this: the pooled connections here hold connections of it.
  explicit RecordingDatabase(store::Database& inner) : inner_(inner) {}
  store::Backend backend() const override { return inner_.backend(); }
  std::string describe() const override { return inner_.describe(); }
  std::unique_ptr<store::SessionLock> try_session_lock(const std::string& name) override {
    return inner_.try_session_lock(name);
  }
  store::Database& inner() { return inner_; }
  // Statements run while recording is on go to `log`.
  void record_into(std::vector<std::string>* log) { log_ = log; }

 protected:
  std::unique_ptr<store::Connection> open_connection() override {
    return std::make_unique<RecordingConnection>(inner_.acquire(), backend(), log_);
  }
  // As the backends begin (SqliteDatabase takes the write lock at once).
  void begin(store::Connection& connection) override {
    connection.execute_script(backend() == store::Backend::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  }

 private:
  store::Database& inner_;
  std::vector<std::string>* log_ = nullptr;
};

// A database with the bot's handling path wired to it as `neurocards bot` wires it.
struct Wired {
  Wired(const std::string& url, std::int64_t first_id)
      : backing(store::open_database(url)),
        database(*backing),
        catalog(core::TemplateCatalog::defaults()),
        models(core::ModelRegistry::defaults()),
        router(bot::BotDeps{catalog, models, bot::BotSettings{}}),
        dispatcher(database, router, "breakdown-bench"),
        next_id(first_id) {
    store::migrate(*backing);
  }

  std::unique_ptr<store::Database> backing;  // declared before `database`: outlives it
  RecordingDatabase database;
  core::TemplateCatalog catalog;
  core::ModelRegistry models;
  bot::Router router;
  bot::Dispatcher dispatcher;
  std::int64_t next_id;
};

void parse_update(benchmark::State& state) {
  std::vector<std::string> bodies{update_json(3), update_json(4), update_json(5)};
  std::size_t i = 0;
  for (auto _ : state) {
    auto update = telegram::parse_update(bodies[i++ % bodies.size()]);
    benchmark::DoNotOptimize(bot::from_update(update.value()));
  }
}

// One update alone through the path the bot front takes (a group transaction of one update),
// waited for; a failure is thrown here.
bot::Handled handle_alone(Wired* backend, const bot::Incoming& in) {
  boost::asio::io_context io;
  bot::Handled handled;
  const bot::Prepared nothing;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        handled = co_await backend->dispatcher.handle_in_batch(in, nothing);
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  return handled;
}

// The statements one new update of each kind runs, BEGIN, savepoint and COMMIT included.
std::vector<std::vector<std::string>> statements_per_kind(Wired* backend) {
  std::vector<std::vector<std::string>> kinds(3);
  for (auto& statements : kinds) {
    backend->database.record_into(&statements);
    handle_alone(backend, incoming(backend->next_id++));
  }
  backend->database.record_into(nullptr);
  return kinds;
}

// One new update per iteration, alone: the whole handling transaction, replies written to the
// outbox.
void handle_update(benchmark::State& state, Wired* backend) {
  const auto recorded = statements_per_kind(backend);
  const std::vector<bot::Incoming> kinds{incoming(0), incoming(1), incoming(2)};
  for (auto _ : state) {
    auto in = kinds[backend->next_id % 3];
    in.update_id = backend->next_id++;
    in.user_id = in.chat_id = kFirstUser + in.update_id % kUsers;
    in.callback_id = "cb" + std::to_string(in.update_id);
    benchmark::DoNotOptimize(handle_alone(backend, in));
  }
  state.counters["statements"] =
      static_cast<double>(recorded[0].size() + recorded[1].size() + recorded[2].size()) / 3;
}

// As the bot front handles them under load: 32 new updates arrive together and share group
// transactions (CommitBatcher), each in its own savepoint. Time per update.
void handle_group(benchmark::State& state, Wired* backend) {
  constexpr int kGroup = 32;
  const std::vector<bot::Incoming> kinds{incoming(0), incoming(1), incoming(2)};
  for (auto _ : state) {
    boost::asio::io_context io;
    std::vector<bot::Incoming> group;
    for (int i = 0; i < kGroup; ++i) {
      auto& in = group.emplace_back(kinds[backend->next_id % 3]);
      in.update_id = backend->next_id++;
      in.user_id = in.chat_id = kFirstUser + in.update_id % kUsers;
      in.callback_id = "cb" + std::to_string(in.update_id);
    }
    const bot::Prepared nothing;
    for (const auto& in : group) {
      boost::asio::co_spawn(
          io,
          [&]() -> boost::asio::awaitable<void> {
            auto handled = co_await backend->dispatcher.handle_in_batch(in, nothing);
            benchmark::DoNotOptimize(handled);
          },
          boost::asio::detached);
    }
    io.run();
  }
  state.SetItemsProcessed(state.iterations() * kGroup);
  state.counters["us_per_update"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kGroup),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// An update seen before: only the dedupe insert, then the rollback-free early return.
void handle_redelivery(benchmark::State& state, Wired* backend) {
  const auto in = incoming(backend->next_id++);
  handle_alone(backend, in);
  for (auto _ : state) {
    benchmark::DoNotOptimize(handle_alone(backend, in));
  }
}

// The floor under every statement: a trivial one on a pooled connection (for PostgreSQL, one
// network round trip).
void trivial_statement(benchmark::State& state, Wired* backend) {
  auto connection = backend->database.inner().acquire();
  for (auto _ : state) {
    benchmark::DoNotOptimize(connection->execute("SELECT 1 AS one"));
  }
}

// What the SQLite store pays per update to compile its statements (sqlite3_prepare_v2 and
// finalize every time, no statement cache), measured apart from running them.
void compile_statements(benchmark::State& state, Wired* backend, std::string path) {
  std::vector<std::vector<std::string>> texts;
  for (const auto& statements : statements_per_kind(backend)) {
    auto& kind = texts.emplace_back();
    for (const auto& sql : statements) {
      kind.push_back(store::to_dialect(sql, store::Backend::kSqlite));
    }
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    state.SkipWithError("cannot open the SQLite file");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    for (const auto& text : texts[i++ % texts.size()]) {
      sqlite3_stmt* statement = nullptr;
      sqlite3_prepare_v2(db, text.c_str(), static_cast<int>(text.size()), &statement, nullptr);
      sqlite3_finalize(statement);
    }
  }
  sqlite3_close(db);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  CLI::App app{"Per-update cost breakdown of the bot's handling path"};
  std::string sqlite_path, pg_url;
  app.add_option("--sqlite", sqlite_path, "SQLite file to create (must not exist)")->required();
  app.add_option("--pg", pg_url, "An empty PostgreSQL database (optional)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  try {
    std::vector<std::unique_ptr<Wired>> backends;
    benchmark::RegisterBenchmark("parse_update", parse_update);
    auto add = [&](const std::string& name, const std::string& url) {
      backends.push_back(std::make_unique<Wired>(url, 1));
      auto* backend = backends.back().get();
      benchmark::RegisterBenchmark(("handle_update/" + name).c_str(), handle_update, backend);
      benchmark::RegisterBenchmark(("handle_group/" + name).c_str(), handle_group, backend)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("handle_redelivery/" + name).c_str(), handle_redelivery,
                                   backend);
      benchmark::RegisterBenchmark(("trivial_statement/" + name).c_str(), trivial_statement,
                                   backend);
      return backend;
    };
    auto* sqlite = add("sqlite", "sqlite:" + sqlite_path);
    benchmark::RegisterBenchmark("compile_statements/sqlite", compile_statements, sqlite,
                                 sqlite_path);
    if (!pg_url.empty()) add("postgresql", pg_url);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  } catch (const std::exception& error) {
    std::cerr << "breakdown bench: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
