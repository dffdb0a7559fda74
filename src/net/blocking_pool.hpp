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
    // Named values instead of `co_return co_await …`: g++ 12 destroys some temporaries of a
    // co_await expression twice.
    auto task = [work = std::move(work)]() mutable -> boost::asio::awaitable<Result> {
      if constexpr (std::is_void_v<Result>) {
        work();
        co_return;
      } else {
        Result value = work();
        co_return value;
      }
    };
    if constexpr (std::is_void_v<Result>) {
      co_await boost::asio::co_spawn(pool_.get_executor(), std::move(task),
                                     boost::asio::use_awaitable);
    } else {
      Result value = co_await boost::asio::co_spawn(pool_.get_executor(), std::move(task),
                                                    boost::asio::use_awaitable);
      co_return value;
    }
  }

  void stop() { pool_.stop(); }
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace nc::net
