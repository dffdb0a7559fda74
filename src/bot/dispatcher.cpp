#include "bot/dispatcher.hpp"

#include "store/commit_in_batch.hpp"

namespace nc::bot {

namespace asio = boost::asio;

Dispatcher::Dispatcher(store::Database& database, const Router& router, std::string owner)
    : database_(database),
      router_(router),
      owner_(std::move(owner)),
      batcher_(database, store::batching_for(database.backend())) {}

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
  result.pack_bought = turn.pack_bought;
  result.stars_paid = turn.stars_paid;
  for (const auto& call : replies.calls()) {
    result.calls.push_back(store::Outbox::add(connection, call, owner_, kSendLease));
  }
  return result;
}

void Dispatcher::after_commit(Handled& handled) {
  if (handled.jobs_created) database_.notify_jobs_due();
  if (handled.credits_charged > 0 && on_credits_charged)
    on_credits_charged(handled.credits_charged);
  if (!handled.pack_bought.empty() && on_pack_bought) {
    on_pack_bought(handled.pack_bought, handled.stars_paid);
  }
  // Button answers first: the client shows a spinner until then.
  std::stable_sort(handled.calls.begin(), handled.calls.end(), [](const auto& a, const auto& b) {
    return (a.method == "answerCallbackQuery") > (b.method == "answerCallbackQuery");
  });
}

asio::awaitable<Handled> Dispatcher::handle_in_batch(const Incoming& in, const Prepared& prepared) {
  Handled handled;
  auto work = [&](store::Connection& connection) { handled = handle(connection, in, prepared); };
  co_await store::commit_in_batch(batcher_, work);
  after_commit(handled);
  co_return handled;
}

void Dispatcher::skip(std::int64_t update_id) {
  database_.transaction(
      [&](store::Connection& connection) { store::first_time_update(connection, update_id); });
}

PreCheckoutAnswer Dispatcher::decide_pre_checkout(const PreCheckout& query) {
  auto connection = database_.acquire();
  return router_.decide_pre_checkout(*connection, query);
}

bool Dispatcher::wants_photo(std::int64_t user_id) {
  auto connection = database_.acquire();
  return Router::wants_photo(*connection, user_id);
}

}  // namespace nc::bot
