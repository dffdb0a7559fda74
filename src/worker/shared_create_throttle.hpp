// The provider's account-wide limit on new tasks (20 per 10 s at KIE), kept by every worker
// process on every host together: a create takes a slot in the database only when one is free,
// and waits here (without blocking a thread, cancellable) until then.
#pragma once

#include <string>

#include "net/blocking_pool.hpp"
#include "providers/create_throttle.hpp"
#include "store/database.hpp"

namespace nc::worker {

class SharedCreateThrottle final : public providers::CreateThrottle {
 public:
  // account: who shares the limit (derived from the API key by account_of, never the key).
  SharedCreateThrottle(store::Database& database, net::BlockingPool& pool, std::string account,
                       providers::CreateLimits limits = {});

  boost::asio::awaitable<void> acquire() override;

  // A stable, non-secret name for the account behind an API key.
  static std::string account_of(std::string_view api_key);

 private:
  store::Database& database_;
  net::BlockingPool& pool_;
  std::string account_;
  providers::CreateLimits limits_;
};

}  // namespace nc::worker
