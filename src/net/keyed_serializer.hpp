// Runs coroutines one at a time per key (a user), different keys in parallel: updates from
// one user are handled in order while other users go on. Single-threaded use on one executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

namespace nc::net {

class KeyedSerializer {
 public:
  using Work = std::function<boost::asio::awaitable<void>()>;

  boost::asio::awaitable<void> run(std::int64_t key, Work work);
  std::size_t busy_keys() const { return queues_.size(); }

 private:
  // Waiters of one key; the front is running. A waiter sleeps on a timer that never expires
  // by itself and is woken by cancel().
  using Waiters = std::deque<std::shared_ptr<boost::asio::steady_timer>>;
  void wake_next(std::int64_t key);

  std::unordered_map<std::int64_t, Waiters> queues_;
};

}  // namespace nc::net
