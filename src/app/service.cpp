#include "app/service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/build_info.hpp"
#include "app/wiring.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "net/blocking_pool.hpp"
#include "net/hmac.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "store/ids.hpp"
#include "store/settings.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/poller.hpp"
#include "telegram/webhook.hpp"
#include "bot/worker_messages.hpp"
#include "net/signed_link.hpp"
#include "providers/kie/callback.hpp"
#include "providers/kie/create_throttle.hpp"
#include "providers/kie/kie_client.hpp"
#include "providers/local/local_provider.hpp"
#include "worker/worker.hpp"

namespace nc::app {
namespace {

namespace asio = boost::asio;

net::HttpServerResponse text_response(int status, std::string body) {
  net::HttpServerResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

net::HttpServerResponse json_response(int status, const nlohmann::json& body) {
  net::HttpServerResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

}  // namespace

std::string instance_name() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return fmt::format("{}:{}:{}", host, getpid(), store::new_uuid().substr(0, 4));
}

int run_service(const Config& config, Roles roles) {
  const auto owner = instance_name();
  spdlog::info("neurocards {} (build {}) starting as {}{}{}", kVersion, kBuildId,
               roles.bot ? "bot" : "", roles.bot && roles.worker ? "+" : "",
               roles.worker ? "worker" : "");
  std::filesystem::create_directories(config.data_dir);

  auto database = open_migrated_store(config);

  asio::io_context io(1);
  net::BlockingPool pool(4);
  net::HttpClient http(io, net::HttpClientOptions{.user_agent = std::string("NeuroCards/") + kVersion});
  telegram::BotApi api(io, http,
                       telegram::BotApiOptions{.base_url = config.telegram_api_url,
                                               .token = config.bot_token});

  const auto catalog = load_templates();
  const auto models = core::ModelRegistry::defaults();
  Conversation conversation(io, api, *database, pool, catalog, models, config, owner);
  auto& sender = conversation.sender;
  auto& front = conversation.front;

  net::HttpServer server(io, net::HttpServerOptions{.host = config.http_host,
                                                    .port = static_cast<unsigned short>(config.http_port),
                                                    .tls_cert_file = config.tls_cert,
                                                    .tls_key_file = config.tls_key});
  std::unique_ptr<telegram::Poller> poller;
  std::unique_ptr<telegram::WebhookIntake> webhook;
  const bool webhook_mode = config.bot_mode == "webhook";
  if (roles.bot && webhook_mode) {
    const std::string secret =
        !config.webhook_secret.empty()
            ? config.webhook_secret
            : store::Settings(*database).get_or_put("webhook.secret", net::random_token(32));
    telegram::WebhookOptions options{.url = config.public_base_url + telegram::WebhookIntake::kPath,
                                     .secret = secret};
    if (!config.tls_cert.empty() && telegram::is_self_signed_certificate(config.tls_cert)) {
      options.certificate_path = config.tls_cert;
    }
    webhook = std::make_unique<telegram::WebhookIntake>(io, api, front, options);
    server.route("POST", telegram::WebhookIntake::kPath, webhook->handler());
  }
  server.route("GET", "/healthz", [](net::HttpServerRequest) -> asio::awaitable<net::HttpServerResponse> {
    co_return json_response(200, {{"status", "ok"}, {"version", kVersion}, {"build", kBuildId}});
  });
  server.route("GET", "/readyz", [&](net::HttpServerRequest) -> asio::awaitable<net::HttpServerResponse> {
    bool store_ok = true;
    try {
      co_await pool.run([&] { database->execute("SELECT 1 AS ok"); });
    } catch (const std::exception&) {
      store_ok = false;
    }
    const bool intake_ok = !roles.bot || (webhook ? webhook->registered() : poller && poller->polling());
    const bool ready = store_ok && intake_ok;
    co_return json_response(ready ? 200 : 503, {{"ready", ready},
                                                {"store", store_ok},
                                                {"intake", intake_ok},
                                                {"mode", roles.bot ? config.bot_mode : "worker"},
                                                {"version", kVersion},
                                                {"build", kBuildId}});
  });
  // Signed links to input photos (for the provider) and provider callbacks.
  const auto link_secret =
      store::Settings(*database).get_or_put("links.secret", net::random_token(32));
  const auto callback_secret =
      store::Settings(*database).get_or_put("callbacks.secret", net::random_token(32));
  const auto inputs_dir = std::filesystem::path(config.data_dir) / "inputs";
  server.route("GET", "/files/", [&, inputs_dir](net::HttpServerRequest request)
                                     -> asio::awaitable<net::HttpServerResponse> {
    const auto name = request.path.substr(7);
    const auto exp = request.query.count("exp") ? request.query.at("exp") : "";
    const auto sig = request.query.count("sig") ? request.query.at("sig") : "";
    if (!net::is_safe_file_name(name) ||
        !net::verify_link(name, exp, sig, net::unix_now(), link_secret) ||
        !std::filesystem::exists(inputs_dir / name)) {
      co_return text_response(404, "not found");
    }
    net::HttpServerResponse response;
    response.content_type = "image/jpeg";
    response.file_path = (inputs_dir / name).string();
    co_return response;
  });
  server.route("POST", "/kie/callback/", [&](net::HttpServerRequest request)
                                             -> asio::awaitable<net::HttpServerResponse> {
    const auto job_id = request.path.substr(std::string("/kie/callback/").size());
    const auto sig = request.query.count("sig") ? request.query.at("sig") : "";
    if (!store::is_uuid(job_id) || !providers::kie::verify_callback(job_id, sig, callback_secret)) {
      spdlog::warn("provider callback for {} with a bad signature; ignored", job_id.substr(0, 40));
      co_return text_response(403, "forbidden");
    }
    // Only a hint: the job becomes due now and the worker asks the provider for the truth.
    co_await pool.run([&] {
      database->execute(
          "UPDATE jobs SET next_run_at = {now} WHERE id = $1 AND status = 'generating' AND "
          "(lease_until IS NULL OR lease_until < {now})",
          {job_id});
      database->notify_jobs_due();
    });
    co_return text_response(200, "ok");
  });
  server.start();
  spdlog::info("HTTP server on {}:{}{}", config.http_host, server.port(),
               config.tls_cert.empty() ? "" : " (HTTPS)");

  if (roles.bot) {
    asio::co_spawn(io, sender.sweep_forever(std::chrono::seconds(5)), asio::detached);
    if (webhook) {
      asio::co_spawn(io, webhook->register_webhook(), asio::detached);
    } else {
      poller = std::make_unique<telegram::Poller>(io, api, *database, pool, front,
                                                  telegram::PollerOptions{.owner = owner});
      asio::co_spawn(io, poller->run(), asio::detached);
    }
  }

  bot::WorkerMessages worker_messages;
  std::unique_ptr<providers::Provider> provider;
  std::unique_ptr<worker::Worker> worker;
  // One gate for task creation in this process: the provider allows 20 per 10 s per account.
  providers::kie::LocalCreateThrottle create_throttle;
  if (roles.worker) {
    if (config.provider == "kie") {
      provider = std::make_unique<providers::kie::KieProvider>(
          http, models, create_throttle,
          providers::kie::KieOptions{.api_base = config.kie_api_url,
                                     .upload_base = config.kie_upload_url,
                                     .api_key = config.kie_api_key,
                                     .user_agent = std::string("NeuroCards/") + kVersion});
    } else {
      provider = std::make_unique<providers::LocalProvider>(io, pool, http, config.data_dir);
    }
    worker = std::make_unique<worker::Worker>(
        io, *database, pool, *provider, api, sender, http, models, catalog, worker_messages,
        worker_options(config, owner, link_secret, callback_secret));
    if (!roles.bot) asio::co_spawn(io, sender.sweep_forever(std::chrono::seconds(5)), asio::detached);
    asio::co_spawn(io, worker->run(), [&](std::exception_ptr error) {
      if (error) spdlog::critical("the worker stopped unexpectedly");
      io.stop();
    });
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping (in-flight steps finish, leases are handed back)", signal);
    server.stop();
    if (poller) poller->release();
    if (worker) {
      worker->stop();  // the worker's run() ends the loop once its leases are released
    } else {
      io.stop();
    }
  });
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace nc::app
