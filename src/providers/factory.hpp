// The one place that knows which providers exist: the service and the commands build theirs
// here from the configuration, and get back only the Provider and CallbackEndpoint interfaces.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "core/models.hpp"
#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "net/http_client.hpp"
#include "providers/create_throttle.hpp"
#include "providers/provider.hpp"

namespace nc::providers {

struct ProviderSettings {
  std::string kind = "local";  // PROVIDER: "kie" or "local"
  std::string kie_api_url;
  std::string kie_upload_url;
  std::string kie_api_key;
  std::string user_agent;
  std::string public_base_url;  // empty: no callbacks
  std::string callback_secret;
  std::string data_dir;
};

// Calls from the provider to our HTTP server; nullptr for one that never calls back.
std::unique_ptr<CallbackEndpoint> make_callback_endpoint(const ProviderSettings& settings);

// `throttle` paces creates across every worker sharing the provider account.
std::unique_ptr<Provider> make_provider(boost::asio::io_context& io, net::BlockingPool& pool,
                                        net::HttpClient& http, const core::ModelRegistry& models,
                                        const media::Imaging& imaging, CreateThrottle& throttle,
                                        const ProviderSettings& settings);

}  // namespace nc::providers
