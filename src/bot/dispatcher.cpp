#include "bot/dispatcher.hpp"

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <thread>

namespace nc::bot {
namespace {

namespace asio = boost::asio;

// SQLite has one writer per process anyway. PostgreSQL overlaps a few transactions: each
// statement is a round trip to another process, and a lone writer would wait on every one;
// more writers than cores (the server is often on the same host) only add contention. Measured
// on 2 cores: 1 writer 1,040 updates/s, 2 writers 3,670, 4 writers 2,930.
store::CommitBatcherOptions batching_for(store::Backend backend) {
  const std::size_t cores = std::thread::hardware_concurrency();
  return store::CommitBatcherOptions{
      .max_batch = 32,
      .writers = backend == store::Backend::kSqlite ? 1 : std::clamp<std::size_t>(cores, 2, 4)};
}

// Runs `work` in the batcher's next transaction; resumes the awaiting coroutine on its own
// executor once that committed, rethrowing the failure otherwise.
template <typename Work>
asio::awaitable<void> commit_in_batch(store::CommitBatcher& batcher, Work& work) {
  auto initiate = [&batcher, &work](auto handler) {
    auto waiting = std::make_shared<decltype(handler)>(std::move(handler));
    batcher.submit([&work](store::Connection& connection) { work(connection); },
                   [waiting](std::exception_ptr failure) {
                     // On the writer thread: hand the outcome to the coroutine's own thread.
                     auto executor = asio::get_associated_executor(*waiting);
                     asio::post(executor, [waiting, failure] { (*waiting)(failure); });
                   });
  };
  co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr)>(
      initiate, asio::use_awaitable);
}

}  // namespace

Dispatcher::Dispatcher(store::Database& database, const Router& router, std::string owner)
    : database_(database),
      router_(router),
      owner_(std::move(owner)),
      batcher_(database, batching_for(database.backend())) {}

Handled Dispatcher::handle(store::Connection& connection, const Incoming& in,
                           const Prepared& prepared) {
  Handled result;
  if (!store::first_time_update(connection, in.update_id)) {
    result.duplicate = true;
    return result;
  }
  Replies replies(in.chat_id);
  const auto turn = router_.apply(connection, in, prepared, replies);
  result.jobs_created = turn.jobs_created;
  result.credits_charged = turn.credits_charged;
  for (const auto& call : replies.calls()) {
    result.calls.push_back(store::Outbox::add(connection, call, owner_, kSendLease));
  }
  return result;
}

void Dispatcher::after_commit(Handled& handled) {
  if (handled.jobs_created) database_.notify_jobs_due();
  if (handled.credits_charged > 0 && on_credits_charged) on_credits_charged(handled.credits_charged);
  // Button answers first: the client shows a spinner until then.
  std::stable_sort(handled.calls.begin(), handled.calls.end(), [](const auto& a, const auto& b) {
    return (a.method == "answerCallbackQuery") > (b.method == "answerCallbackQuery");
  });
}

Handled Dispatcher::handle(const Incoming& in, const Prepared& prepared) {
  auto handled = database_.transaction(
      [&](store::Connection& connection) { return handle(connection, in, prepared); });
  after_commit(handled);
  return handled;
}

asio::awaitable<Handled> Dispatcher::handle_in_batch(const Incoming& in, const Prepared& prepared) {
  Handled handled;
  auto work = [&](store::Connection& connection) { handled = handle(connection, in, prepared); };
  co_await commit_in_batch(batcher_, work);
  after_commit(handled);
  co_return handled;
}

void Dispatcher::skip(std::int64_t update_id) {
  database_.transaction(
      [&](store::Connection& connection) { store::first_time_update(connection, update_id); });
}

bool Dispatcher::wants_photo(std::int64_t user_id) {
  auto connection = database_.acquire();
  return Router::wants_photo(*connection, user_id);
}

}  // namespace nc::bot
