// Sends the outbox: the calls a handled update produced go out right away, in order per chat
// (button answers first, never behind uploads), up to a window of calls at a time while a
// backlog waits in a compact line; a sweeper resends what a crashed front left unsent.
// 403 "blocked" marks the user and ends the call; a bad request is logged and ended; a call
// that still fails after the client's retries is tried again later.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <list>
#include <optional>
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
  // Completes once nothing is queued or being sent here (at once when that is so already).
  boost::asio::awaitable<void> drained();

 private:
  // Calls handed to the Bot API client (each one a booking in its limiter and a coroutine) at
  // once, per lane; the rest wait in line. Telegram takes ~30 of each per second.
  static constexpr std::size_t kMaxSending = 64;
  // Calls whose details stay in memory; past that, a call waits as its id and is read back
  // from the outbox when its turn comes (a backlog costs ~80 bytes a reply, not kilobytes).
  static constexpr std::size_t kCallsKept = 256;

  void wait_in_line(store::PendingCall call);
  void forget(std::int64_t id);  // sent or left to the sweeper: wakes drained() at the last one
  void send_what_fits();
  boost::asio::awaitable<std::optional<store::PendingCall>> take(std::int64_t id);
  boost::asio::awaitable<void> send_by_id(std::int64_t id);
  boost::asio::awaitable<void> send_next(std::int64_t chat_id);
  boost::asio::awaitable<void> send_answer(std::int64_t id);
  boost::asio::awaitable<void> send(store::PendingCall call);

  boost::asio::io_context& io_;
  BotTransport& api_;
  store::Database& database_;
  net::BlockingPool& pool_;
  std::string owner_;
  // Message ids per chat, in order; the front one is being sent when the chat is not in
  // ready_. (A list: a deque would take a 512-byte block for each of thousands of chats.)
  std::unordered_map<std::int64_t, std::list<std::int64_t>> per_chat_;
  std::deque<std::int64_t> ready_;    // chats with a message waiting and none being sent
  std::deque<std::int64_t> answers_;  // button answers waiting (no order among them)
  std::unordered_map<std::int64_t, store::PendingCall> kept_;  // by id, at most kCallsKept
  std::size_t sending_messages_ = 0;
  std::size_t sending_answers_ = 0;
  std::size_t waiting_ = 0;
  // Outbox ids queued or being sent here: their leases are renewed, and the sweeper never
  // takes them again (a second copy would be a duplicate message).
  std::unordered_set<std::int64_t> known_;
  boost::asio::steady_timer idle_;  // never expires; cancelled when known_ empties
};

}  // namespace nc::telegram
