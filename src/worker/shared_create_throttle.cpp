#include "worker/shared_create_throttle.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/hmac.hpp"
#include "store/provider_creates.hpp"

namespace nc::worker {

namespace asio = boost::asio;

SharedCreateThrottle::SharedCreateThrottle(store::Database& database, net::BlockingPool& pool,
                                           std::string account, providers::kie::CreateLimits limits)
    : database_(database), pool_(pool), account_(std::move(account)), limits_(limits) {}

std::string SharedCreateThrottle::account_of(std::string_view api_key) {
  return net::to_hex(net::hmac_sha256("neurocards provider account", api_key)).substr(0, 16);
}

asio::awaitable<void> SharedCreateThrottle::acquire() {
  const auto wait = co_await pool_.run([this] {
    return store::ProviderCreates(database_).book(account_, limits_.max_creates, limits_.window);
  });
  if (wait.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, wait);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace nc::worker
