#include "app/service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>

#include "app/build_info.hpp"
#include "app/janitor.hpp"
#include "app/private_files.hpp"
#include "app/service_metrics.hpp"
#include "app/store_watch.hpp"
#include "app/wiring.hpp"
#include "bot/worker_messages.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "http/files_route.hpp"
#include "http/health_route.hpp"
#include "http/metrics_route.hpp"
#include "http/provider_callback_route.hpp"
#include "http/ready_route.hpp"
#include "http/webhook_route.hpp"
#include "net/blocking_pool.hpp"
#include "net/event.hpp"
#include "net/hmac.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "providers/factory.hpp"
#include "store/ids.hpp"
#include "store/settings.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/poller.hpp"
#include "telegram/webhook.hpp"
#include "worker/shared_create_throttle.hpp"
#include "worker/worker.hpp"

namespace nc::app {
namespace {

namespace asio = boost::asio;

// On stop, the worker hands back its jobs and queued replies go out, within a bound well
// inside systemd's TimeoutStopSec; replies not sent by then stay in the outbox for the next
// sweep (this front's or another's).
constexpr auto kStopBound = std::chrono::seconds(10);

asio::awaitable<void> finish_parts(net::Event& worker_finished, telegram::OutboxSender& sender) {
  co_await worker_finished.wait();
  co_await sender.drained();
}

std::string secret_setting(store::Database& database, const std::string& key) {
  return store::Settings(database).get_or_put(key, net::random_token(32));
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
  make_private_directory(config.data_dir);
  auto database = open_migrated_store(config);
  const http::BuildIdentity identity{kVersion, kBuildId};

  obs::Registry registry;  // outlives every part that reports to it
  ServiceMetrics metrics(registry);
  asio::io_context io(1);
  net::BlockingPool pool(4);
  net::HttpClient http(io, net::HttpClientOptions{.user_agent = user_agent()});
  telegram::BotApi api(
      io, http,
      telegram::BotApiOptions{.base_url = config.telegram_api_url, .token = config.bot_token});
  metrics.watch(api);

  const auto catalog = load_templates();
  const auto models = core::ModelRegistry::defaults();
  const media::Imaging imaging;  // libvips loads at the first image, if one ever comes
  Conversation conversation(io, api, *database, pool, imaging, catalog, models, config, owner);
  auto& sender = conversation.sender;
  metrics.watch(conversation.dispatcher);
  metrics.watch(sender);
  metrics.watch(conversation.front);
  CountingSink intake(conversation.front, metrics);  // updates are counted, then handled

  // Update intake: a webhook when configured, long polling otherwise.
  const bool webhook_mode = roles.bot && config.bot_mode == "webhook";
  std::unique_ptr<telegram::WebhookIntake> webhook;
  std::unique_ptr<http::WebhookRoute> webhook_route;
  std::unique_ptr<telegram::Poller> poller;
  if (webhook_mode) {
    const auto secret = !config.webhook_secret.empty()
                            ? config.webhook_secret
                            : secret_setting(*database, "webhook.secret");
    telegram::WebhookOptions options{
        .url = config.public_base_url + std::string(http::WebhookRoute::kPath), .secret = secret};
    if (!config.tls_cert.empty() && telegram::is_self_signed_certificate(config.tls_cert)) {
      options.certificate_path = config.tls_cert;
    }
    webhook = std::make_unique<telegram::WebhookIntake>(io, api, options);
    webhook_route = std::make_unique<http::WebhookRoute>(intake, secret);
  } else if (roles.bot) {
    poller = std::make_unique<telegram::Poller>(io, api, *database, pool, intake,
                                                telegram::PollerOptions{.owner = owner});
  }

  // The provider, and what it reaches us by: signed links to input photos, signed callbacks.
  const auto link_secret = secret_setting(*database, "links.secret");
  const auto provider_config =
      provider_settings(config, secret_setting(*database, "callbacks.secret"));
  const auto callbacks = providers::make_callback_endpoint(provider_config);

  // HTTP: every route is a unit of its own (src/http/).
  http::HealthRoute health(identity);
  StoreWatch store_watch(*database, pool, metrics);
  http::ReadyRoute ready(
      http::Readiness{.mode = roles.bot ? config.bot_mode : "worker",
                      .store_answers = [&] { return store_watch.store_answers(); },
                      .intake_runs = roles.bot ? std::function<bool()>([&] {
                        return webhook ? webhook->registered() : poller && poller->polling();
                      })
                                               : std::function<bool()>()},
      identity);
  http::MetricsRoute metrics_route(registry, config.metrics_token);
  http::FilesRoute files(std::filesystem::path(config.data_dir) / "inputs", link_secret,
                         [&clock = database->clock()] { return clock.unix_seconds(); });
  std::unique_ptr<http::ProviderCallbackRoute> callback_route;
  if (callbacks) {
    callback_route = std::make_unique<http::ProviderCallbackRoute>(*database, pool, *callbacks);
  }
  net::HttpServer server(
      io, net::HttpServerOptions{.host = config.http_host,
                                 .port = static_cast<unsigned short>(config.http_port),
                                 .tls_cert_file = config.tls_cert,
                                 .tls_key_file = config.tls_key});
  for (http::Route* route : std::initializer_list<http::Route*>{
           &health, &ready, &metrics_route, &files, webhook_route.get(), callback_route.get()}) {
    if (route) http::mount(server, *route);
  }
  server.start();
  spdlog::info("HTTP server on {}:{}{}", config.http_host, server.port(),
               config.tls_cert.empty() ? "" : " (HTTPS)");

  asio::co_spawn(io, sender.sweep_forever(std::chrono::seconds(5)), asio::detached);
  asio::co_spawn(io, store_watch.run(), asio::detached);
  if (webhook) asio::co_spawn(io, webhook->register_webhook(), asio::detached);
  if (poller) asio::co_spawn(io, poller->run(), asio::detached);

  // Task creation across every worker on every host: the provider allows 20 per 10 s per account.
  worker::SharedCreateThrottle create_throttle(
      *database, pool, worker::SharedCreateThrottle::account_of(config.kie_api_key));
  bot::WorkerMessages worker_messages;
  std::unique_ptr<providers::Provider> provider;
  std::unique_ptr<worker::Worker> worker;
  net::Event worker_finished(io);
  if (roles.worker) {
    provider =
        providers::make_provider(io, pool, http, models, imaging, create_throttle, provider_config);
    worker = std::make_unique<worker::Worker>(worker::WorkerParts{.io = io,
                                                                  .database = *database,
                                                                  .pool = pool,
                                                                  .provider = *provider,
                                                                  .telegram = api,
                                                                  .outbox = sender,
                                                                  .http = http,
                                                                  .models = models,
                                                                  .catalog = catalog,
                                                                  .messages = worker_messages,
                                                                  .imaging = imaging},
                                              worker_options(config, owner, link_secret));
    metrics.watch(*worker);
    metrics.watch(*provider);
    asio::co_spawn(io, worker->run(), [&](std::exception_ptr error) {
      worker_finished.set();
      if (error) {
        spdlog::critical("the worker stopped unexpectedly");
        io.stop();
      }
    });
  } else {
    worker_finished.set();
  }

  // Old update ids, sent replies and files past their retention go, at start and every 10 min.
  Janitor janitor(*database, config.data_dir, retention_policy(config));
  asio::co_spawn(io, janitor.run(), asio::detached);

  // Graceful stop: intake ends at once, the worker finishes its steps in progress (or hands
  // their jobs back), replies already decided are sent; a second signal stops immediately.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer stop_bound(io);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping (in-flight steps finish, leases are handed back)", signal);
    server.stop();
    if (poller) poller->stop();
    if (worker) worker->stop();
    asio::co_spawn(io, finish_parts(worker_finished, sender),
                   [&](std::exception_ptr) { io.stop(); });
    stop_bound.expires_after(kStopBound);
    stop_bound.async_wait([&](const boost::system::error_code& cancelled) {
      if (cancelled) return;
      spdlog::warn("{} replies not sent yet; the next start (or another front) sends them",
                   sender.queued());
      io.stop();
    });
    signals.async_wait([&](const boost::system::error_code& again, int) {
      if (again) return;
      spdlog::warn("second signal: stopping now");
      io.stop();
    });
  });
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace nc::app
