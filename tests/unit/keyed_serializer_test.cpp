#include "net/keyed_serializer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "net/blocking_pool.hpp"

namespace nc::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

TEST(KeyedSerializer, SameKeyInOrderOtherKeysInParallel) {
  asio::io_context io;
  KeyedSerializer serializer;
  std::string log;
  auto task = [&](std::int64_t key, char name, std::chrono::milliseconds work) {
    asio::co_spawn(
        io,
        serializer.run(key,
                       [&, name, work]() -> asio::awaitable<void> {
                         log += std::string(1, name) + "(";
                         co_await sleep_for(work);
                         log += std::string(1, name) + ")";
                       }),
        asio::detached);
  };
  task(1, 'a', 30ms);  // user 1, slow
  task(1, 'b', 1ms);   // user 1, must wait for a
  task(2, 'x', 1ms);   // user 2, runs at once
  io.run();
  EXPECT_EQ(log, "a(x(x)a)b(b)");
  EXPECT_EQ(serializer.busy_keys(), 0u);
}

TEST(KeyedSerializer, AFailingStepDoesNotBlockTheNext) {
  asio::io_context io;
  KeyedSerializer serializer;
  int ran = 0;
  asio::co_spawn(io, serializer.run(7, []() -> asio::awaitable<void> {
    throw std::runtime_error("boom");
    co_return;
  }), [](std::exception_ptr error) { EXPECT_TRUE(error); });
  asio::co_spawn(io, serializer.run(7, [&]() -> asio::awaitable<void> {
    ++ran;
    co_return;
  }), asio::detached);
  io.run();
  EXPECT_EQ(ran, 1);
}

TEST(BlockingPool, RunsWorkOffTheLoopAndReturnsItsResult) {
  asio::io_context io;
  BlockingPool pool(2);
  const auto loop_thread = std::this_thread::get_id();
  std::thread::id work_thread;
  int result = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    result = co_await pool.run([&] {
      work_thread = std::this_thread::get_id();
      return 42;
    });
    EXPECT_TRUE(std::this_thread::get_id() == loop_thread);  // resumed on the loop
  }, asio::detached);
  io.run();
  EXPECT_EQ(result, 42);
  EXPECT_TRUE(work_thread != loop_thread);
}

}  // namespace
}  // namespace nc::net
