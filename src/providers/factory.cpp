#include "providers/factory.hpp"

#include "providers/kie/callback.hpp"
#include "providers/kie/kie_client.hpp"
#include "providers/local/local_provider.hpp"

namespace nc::providers {

std::unique_ptr<CallbackEndpoint> make_callback_endpoint(const ProviderSettings& settings) {
  if (settings.kind != "kie") return nullptr;
  return std::make_unique<kie::KieCallbacks>(settings.public_base_url, settings.callback_secret);
}

std::unique_ptr<Provider> make_provider(boost::asio::io_context& io, net::BlockingPool& pool,
                                        net::HttpClient& http, const core::ModelRegistry& models,
                                        const media::Imaging& imaging, CreateThrottle& throttle,
                                        const ProviderSettings& settings) {
  if (settings.kind == "kie") {
    return std::make_unique<kie::KieProvider>(
        http, models, throttle,
        kie::KieOptions{.api_base = settings.kie_api_url,
                        .upload_base = settings.kie_upload_url,
                        .api_key = settings.kie_api_key,
                        .user_agent = settings.user_agent,
                        .public_base_url = settings.public_base_url,
                        .callback_secret = settings.callback_secret});
  }
  return std::make_unique<LocalProvider>(io, pool, http, imaging, settings.data_dir);
}

}  // namespace nc::providers
