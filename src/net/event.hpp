// A one-shot event on the event loop: coroutines wait() until someone calls set(); waits
// after set() complete at once. For shutdown, where a part's end is awaited, not polled.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nc::net {

class Event {
 public:
  explicit Event(boost::asio::io_context& io)
      : timer_(io, boost::asio::steady_timer::time_point::max()) {}

  void set() {
    set_ = true;
    timer_.cancel();
  }
  bool is_set() const { return set_; }

  boost::asio::awaitable<void> wait() {
    while (!set_) {
      boost::system::error_code woken;
      co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, woken));
    }
  }

 private:
  boost::asio::steady_timer timer_;
  bool set_ = false;
};

}  // namespace nc::net
