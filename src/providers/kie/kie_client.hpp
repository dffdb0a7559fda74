// The KIE.ai provider (contracts/kie-api.md): Veo 3.1 on its own endpoints and every other model
// on the Market jobs API, file upload for input photos, and the account's credit balance.
//
// Requests are checked against the model registry before anything is sent, task creation waits
// for the create throttle, and every answer is classified (kie_reply.hpp). Nothing is retried
// here: a retried create could start a second, paid task behind the worker's back.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/models.hpp"
#include "net/http_client.hpp"
#include "providers/create_throttle.hpp"
#include "providers/kie/callback.hpp"
#include "providers/kie/kie_reply.hpp"
#include "providers/provider.hpp"

namespace nc::providers::kie {

struct KieOptions {
  std::string api_base = "https://api.kie.ai";
  std::string upload_base = "https://kieai.redpandaai.co";
  std::string api_key;
  // Sent on every request whatever the HttpClient's default: Cloudflare answers a missing or
  // odd one with 403 "error code: 1010". Empty means the default below.
  std::string user_agent = "NeuroCards/0.1";
  std::string upload_path = "neurocards";  // folder on KIE's file host, no slashes around it
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds upload_timeout{120'000};
  std::chrono::milliseconds connect_timeout{10'000};
  // KIE deletes uploaded files after 3 days.
  std::chrono::seconds upload_lifetime = std::chrono::hours(72);
  // Set: each create names a signed callback URL, so KIE makes the job due as the task ends.
  std::string public_base_url;
  std::string callback_secret;
};

class KieProvider final : public Provider {
 public:
  // http and throttle must outlive the provider; calls run on http's io_context thread.
  KieProvider(net::HttpClient& http, core::ModelRegistry registry, CreateThrottle& throttle,
              KieOptions options);

  std::string_view name() const override { return "kie"; }
  Capabilities capabilities() const override { return {}; }
  std::string callback_url(std::string_view job_id) const override {
    return callbacks_.url_for(job_id);
  }
  boost::asio::awaitable<SubmitResult> submit(const SubmitRequest& request) override;
  // model picks the API family; a model no longer in the registry is taken as Veo when its id
  // starts with "veo", as Market otherwise.
  boost::asio::awaitable<TaskStatus> status(const std::string& model,
                                            const std::string& task_id) override;
  boost::asio::awaitable<UploadResult> upload_image(const std::string& local_path,
                                                    const std::string& unique_name) override;
  boost::asio::awaitable<std::optional<double>> account_balance() override;

 private:
  net::HttpRequest make_request(std::string method, std::string url,
                                std::chrono::milliseconds timeout) const;
  boost::asio::awaitable<KieReply> exchange(net::HttpRequest request, KieCall call);

  net::HttpClient& http_;
  core::ModelRegistry registry_;
  CreateThrottle& throttle_;
  KieOptions options_;
  KieCallbacks callbacks_;
};

}  // namespace nc::providers::kie
