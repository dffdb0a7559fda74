#include "worker/shared_create_throttle.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "net/hmac.hpp"
#include "store/provider_creates.hpp"

namespace nc::worker {

namespace asio = boost::asio;

SharedCreateThrottle::SharedCreateThrottle(store::Database& database, net::BlockingPool& pool,
                                           std::string account, providers::CreateLimits limits)
    : database_(database), pool_(pool), account_(std::move(account)), limits_(limits) {}

std::string SharedCreateThrottle::account_of(std::string_view api_key) {
  return net::to_hex(net::hmac_sha256("neurocards provider account", api_key)).substr(0, 16);
}

// Asks until a slot is free. Waiting holds nothing in the database, so a worker that is killed
// or stopped while it waits (its timer is cancelled with the step) costs the others nothing.
asio::awaitable<void> SharedCreateThrottle::acquire() {
  static thread_local std::mt19937 random{std::random_device{}()};
  // Waiters that wake for the same freed slot spread out a little instead of all asking at once.
  std::uniform_int_distribution<int> spread_ms(0, 50);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    const auto wait = co_await pool_.run([this] {
      return store::ProviderCreates(database_).take(account_, limits_.max_creates, limits_.window);
    });
    if (wait.count() <= 0) co_return;
    timer.expires_after(wait + std::chrono::milliseconds(spread_ms(random)));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace nc::worker
