#include "net/keyed_serializer.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>

namespace nc::net {

boost::asio::awaitable<void> KeyedSerializer::run(std::int64_t key, Work work) {
  auto executor = co_await boost::asio::this_coro::executor;
  auto timer = std::make_shared<boost::asio::steady_timer>(executor);
  timer->expires_at(boost::asio::steady_timer::time_point::max());
  auto& waiters = queues_[key];
  waiters.push_back(timer);
  if (waiters.size() > 1) {
    boost::system::error_code ignored;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
  try {
    co_await work();
  } catch (...) {
    wake_next(key);
    throw;
  }
  wake_next(key);
}

void KeyedSerializer::wake_next(std::int64_t key) {
  auto it = queues_.find(key);
  if (it == queues_.end()) return;
  it->second.pop_front();
  if (it->second.empty()) {
    queues_.erase(it);
  } else {
    it->second.front()->cancel();
  }
}

}  // namespace nc::net
