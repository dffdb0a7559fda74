#include "app/store_watch.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace nc::app {

namespace asio = boost::asio;

asio::awaitable<void> StoreWatch::run() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    co_await check();
    timer.expires_after(every_);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> StoreWatch::check() {
  bool answers = true;
  try {
    co_await pool_.run([this] { database_.ping(); });
  } catch (const std::exception& error) {
    answers = false;
    if (store_answers()) spdlog::warn("the store does not answer: {}", error.what());
  }
  if (answers && !store_answers()) spdlog::info("the store answers again");
  store_answers_.store(answers, std::memory_order_relaxed);
  if (answers) co_await metrics_.refresh_queue(database_, pool_);
}

}  // namespace nc::app
