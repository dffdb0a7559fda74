#include "bot/dispatcher.hpp"

namespace nc::bot {

Handled Dispatcher::handle(const Incoming& in, const Prepared& prepared) {
  bool jobs_created = false;
  std::int64_t charged = 0;
  auto handled = database_.transaction([&](store::Connection& connection) {
    Handled result;
    if (!store::first_time_update(connection, in.update_id)) {
      result.duplicate = true;
      return result;
    }
    Replies replies(in.chat_id);
    const auto turn = router_.apply(connection, in, prepared, replies);
    jobs_created = turn.jobs_created;
    charged = turn.credits_charged;
    for (const auto& call : replies.calls()) {
      result.calls.push_back(store::Outbox::add(connection, call, owner_, kSendLease));
    }
    return result;
  });
  if (jobs_created) database_.notify_jobs_due();
  if (charged > 0 && on_credits_charged) on_credits_charged(charged);
  // Button answers first: the client shows a spinner until then.
  std::stable_sort(handled.calls.begin(), handled.calls.end(), [](const auto& a, const auto& b) {
    return (a.method == "answerCallbackQuery") > (b.method == "answerCallbackQuery");
  });
  return handled;
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
