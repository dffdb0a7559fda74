// Sends the outbox: the calls a handled update produced go out right away, in order per chat
// (button answers first, never behind uploads); a sweeper resends what a crashed front left
// unsent. 403 "blocked" marks the user and ends the call; a bad request is logged and ended;
// a call that still fails after the client's retries is tried again later.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "net/blocking_pool.hpp"
#include "store/database.hpp"
#include "store/outbox.hpp"
#include "telegram/bot_api.hpp"

namespace nc::telegram {

class OutboxSender {
 public:
  OutboxSender(boost::asio::io_context& io, BotTransport& api, store::Database& database,
               net::BlockingPool& pool, std::string owner);

  // Queues calls leased to this front (from the dispatcher); returns at once.
  void enqueue(std::vector<store::PendingCall> calls);
  // Every `period`, takes over calls whose lease ran out and sends them.
  boost::asio::awaitable<void> sweep_forever(std::chrono::milliseconds period);
  std::size_t queued() const;

 private:
  boost::asio::awaitable<void> drain(std::int64_t chat_id);
  boost::asio::awaitable<void> send(store::PendingCall call);

  boost::asio::io_context& io_;
  BotTransport& api_;
  store::Database& database_;
  net::BlockingPool& pool_;
  std::string owner_;
  std::unordered_map<std::int64_t, std::deque<store::PendingCall>> per_chat_;
  // Outbox ids queued or being sent here: their leases are renewed, and the sweeper never
  // takes them again (a second copy would be a duplicate message).
  std::unordered_set<std::int64_t> known_;
};

}  // namespace nc::telegram
