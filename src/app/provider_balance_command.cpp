#include "app/provider_balance_command.hpp"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/build_info.hpp"
#include "app/wiring.hpp"
#include "core/models.hpp"
#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "net/http_client.hpp"
#include "providers/create_throttle.hpp"
#include "providers/factory.hpp"

namespace nc::app {

int print_provider_balance(const Config& config, bool as_json) {
  if (config.kie_api_key.empty()) {
    std::cerr << "KIE_API_KEY is not set: the provider balance is read with the KIE account's "
                 "key\n";
    return 2;
  }
  boost::asio::io_context io(1);
  net::HttpClient http(io, net::HttpClientOptions{.user_agent = user_agent()});
  net::BlockingPool pool(1);
  const media::Imaging imaging;
  const auto models = core::ModelRegistry::defaults();
  providers::LocalCreateThrottle unused_for_reads;
  auto settings = provider_settings(config, "");
  settings.kind = "kie";
  auto kie = providers::make_provider(io, pool, http, models, imaging, unused_for_reads, settings);
  auto balance = boost::asio::co_spawn(io, kie->account_balance(), boost::asio::use_future);
  io.run();
  const auto credits = balance.get();
  if (!credits) {
    std::cerr << "could not read the KIE balance from " << config.kie_api_url
              << " (the reason is logged above)\n";
    return 1;
  }
  if (as_json) {
    std::cout << nlohmann::json{{"provider", "kie"}, {"credits", *credits}}.dump() << '\n';
  } else {
    std::cout << fmt::format("KIE credits left: {:g}\n", *credits);
  }
  return 0;
}

}  // namespace nc::app
