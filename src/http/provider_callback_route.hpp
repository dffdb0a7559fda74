// POST <provider's callback path><job id>?sig=: a provider saying a job's task changed. Only
// a hint: the job becomes due at once (or, when its creator was cut off inside the create,
// adopts the task the call names); the worker then reads the task's status from the provider.
// A call that is not genuine is 403 and changes nothing.
#pragma once

#include "http/route.hpp"
#include "net/blocking_pool.hpp"
#include "net/repeated_warning.hpp"
#include "providers/provider.hpp"
#include "store/database.hpp"

namespace nc::http {

class ProviderCallbackRoute final : public Route {
 public:
  ProviderCallbackRoute(store::Database& database, net::BlockingPool& pool,
                        const providers::CallbackEndpoint& endpoint)
      : database_(database), pool_(pool), endpoint_(endpoint) {}
  std::string_view method() const override { return "POST"; }
  std::string_view path() const override { return endpoint_.path(); }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  store::Database& database_;
  net::BlockingPool& pool_;
  const providers::CallbackEndpoint& endpoint_;
  net::RepeatedWarning refusals_;
};

}  // namespace nc::http
