// Runs blocking work (database calls, image and video processing) on a bounded thread pool
// and resumes the awaiting coroutine on its own executor, so network waits and blocking work
// never share a thread.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

namespace nc::net {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  ~BlockingPool() { pool_.join(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // co_await pool.run([&] { return blocking_call(); }); exceptions are rethrown to the caller.
  template <typename Work>
  auto run(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    using Result = std::invoke_result_t<Work&>;
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [work = std::move(work)]() mutable -> boost::asio::awaitable<Result> {
          if constexpr (std::is_void_v<Result>) {
            work();
            co_return;
          } else {
            co_return work();
          }
        },
        boost::asio::use_awaitable);
  }

  void stop() { pool_.stop(); }
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace nc::net
