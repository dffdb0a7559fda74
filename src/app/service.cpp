#include "app/service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/build_info.hpp"
#include "bot/bot_front.hpp"
#include "bot/dispatcher.hpp"
#include "bot/router.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "net/blocking_pool.hpp"
#include "net/hmac.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "store/ids.hpp"
#include "store/migrations.hpp"
#include "store/settings.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/poller.hpp"
#include "telegram/webhook.hpp"

namespace nc::app {
namespace {

namespace asio = boost::asio;

core::TemplateCatalog load_templates() {
  auto catalog = core::TemplateCatalog::defaults();
  const std::filesystem::path file = "templates/templates.toml";
  if (std::filesystem::exists(file)) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    catalog.apply_toml(text.str(), file.string());
    spdlog::info("video formats: {} (with overrides from {})", catalog.all().size(),
                 file.string());
  }
  return catalog;
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

  auto database = store::open_database(config.database_url);
  const auto migrated = store::migrate(*database);
  spdlog::info("store {} at schema version {}", database->describe(), migrated.version_after);

  asio::io_context io(1);
  net::BlockingPool pool(4);
  net::HttpClient http(io, net::HttpClientOptions{.user_agent = std::string("NeuroCards/") + kVersion});
  telegram::BotApi api(io, http,
                       telegram::BotApiOptions{.base_url = config.telegram_api_url,
                                               .token = config.bot_token});

  const auto catalog = load_templates();
  const auto models = core::ModelRegistry::defaults();
  bot::Router router(bot::BotDeps{catalog, models,
                                  bot::BotSettings{.admin_ids = config.admin_ids,
                                                   .start_credits = config.start_credits,
                                                   .default_model = config.video_model}});
  bot::Dispatcher dispatcher(*database, router, owner);
  telegram::OutboxSender sender(io, api, *database, pool, owner);
  bot::BotFront front(api, dispatcher, sender, pool, config.data_dir);

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

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping", signal);
    server.stop();
    if (poller) poller->release();
    io.stop();
  });
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace nc::app
