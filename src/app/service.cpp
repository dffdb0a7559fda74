#include "app/service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/build_info.hpp"
#include "app/janitor.hpp"
#include "app/service_metrics.hpp"
#include "app/wiring.hpp"
#include "bot/worker_messages.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "net/blocking_pool.hpp"
#include "net/hmac.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/signed_link.hpp"
#include "providers/kie/callback.hpp"
#include "providers/kie/create_throttle.hpp"
#include "providers/kie/kie_client.hpp"
#include "providers/local/local_provider.hpp"
#include "store/ids.hpp"
#include "store/job_queue.hpp"
#include "store/settings.hpp"
#include "telegram/outbox_sender.hpp"
#include "telegram/poller.hpp"
#include "telegram/webhook.hpp"
#include "worker/shared_create_throttle.hpp"
#include "worker/worker.hpp"

namespace nc::app {
namespace {

namespace asio = boost::asio;

net::HttpServerResponse json_response(int status, const nlohmann::json& body) {
  net::HttpServerResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

// Waits for the worker to hand back its jobs and for queued replies to go out, within a bound
// well inside systemd's TimeoutStopSec, then ends the loop.
asio::awaitable<void> finish_then_stop(asio::io_context& io, const bool& worker_finished,
                                       const telegram::OutboxSender& sender, bool has_worker) {
  // The worker cancels what its steps wait on after a short grace; replies not sent by then
  // stay in the outbox for the next sweep.
  const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  asio::steady_timer pause(io);
  while (std::chrono::steady_clock::now() < bound &&
         ((has_worker && !worker_finished) || sender.queued() > 0)) {
    pause.expires_after(std::chrono::milliseconds(50));
    co_await pause.async_wait(asio::use_awaitable);
  }
  if (sender.queued() > 0) {
    spdlog::warn("{} replies not sent yet; the next start (or another front) sends them",
                 sender.queued());
  }
  io.stop();
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

  obs::Registry registry;  // outlives every part that reports to it
  ServiceMetrics metrics(registry);
  asio::io_context io(1);
  net::BlockingPool pool(4);
  net::HttpClient http(io,
                       net::HttpClientOptions{.user_agent = std::string("NeuroCards/") + kVersion});
  telegram::BotApi api(
      io, http,
      telegram::BotApiOptions{.base_url = config.telegram_api_url, .token = config.bot_token});
  metrics.watch(api);

  const auto catalog = load_templates();
  const auto models = core::ModelRegistry::defaults();
  Conversation conversation(io, api, *database, pool, catalog, models, config, owner);
  auto& sender = conversation.sender;
  auto& front = conversation.front;
  metrics.watch(conversation.dispatcher);
  metrics.watch(sender);
  metrics.watch(front);
  CountingSink intake(front, metrics);  // intake hands updates here: counted, then handled

  net::HttpServer server(
      io, net::HttpServerOptions{.host = config.http_host,
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
    webhook = std::make_unique<telegram::WebhookIntake>(io, api, intake, options);
    server.route("POST", telegram::WebhookIntake::kPath, webhook->handler());
  }
  server.route("GET", "/healthz",
               [](net::HttpServerRequest) -> asio::awaitable<net::HttpServerResponse> {
                 co_return json_response(
                     200, {{"status", "ok"}, {"version", kVersion}, {"build", kBuildId}});
               });
  server.route("GET", "/readyz",
               [&](net::HttpServerRequest) -> asio::awaitable<net::HttpServerResponse> {
                 bool store_ok = true;
                 try {
                   co_await pool.run([&] { database->execute("SELECT 1 AS ok"); });
                 } catch (const std::exception&) {
                   store_ok = false;
                 }
                 const bool intake_ok =
                     !roles.bot || (webhook ? webhook->registered() : poller && poller->polling());
                 const bool ready = store_ok && intake_ok;
                 co_return json_response(ready ? 200 : 503,
                                         {{"ready", ready},
                                          {"store", store_ok},
                                          {"intake", intake_ok},
                                          {"mode", roles.bot ? config.bot_mode : "worker"},
                                          {"version", kVersion},
                                          {"build", kBuildId}});
               });
  server.route("GET", "/metrics", metrics.scrape_handler(*database, pool));
  // Signed links to input photos (for the provider) and provider callbacks.
  const auto link_secret =
      store::Settings(*database).get_or_put("links.secret", net::random_token(32));
  const auto callback_secret =
      store::Settings(*database).get_or_put("callbacks.secret", net::random_token(32));
  const auto inputs_dir = std::filesystem::path(config.data_dir) / "inputs";
  server.route(
      "GET", "/files/",
      [&, inputs_dir](net::HttpServerRequest request) -> asio::awaitable<net::HttpServerResponse> {
        const auto name = request.path.substr(7);
        const auto exp = request.query.count("exp") ? request.query.at("exp") : "";
        const auto sig = request.query.count("sig") ? request.query.at("sig") : "";
        if (!net::is_safe_file_name(name) ||
            !net::verify_link(name, exp, sig, net::unix_now(), link_secret) ||
            !std::filesystem::exists(inputs_dir / name)) {
          co_return net::HttpServerResponse::text(404, "not found");
        }
        net::HttpServerResponse response;
        response.content_type = "image/jpeg";
        response.file_path = (inputs_dir / name).string();
        co_return response;
      });
  server.route("POST", "/kie/callback/",
               [&](net::HttpServerRequest request) -> asio::awaitable<net::HttpServerResponse> {
                 const auto job_id = request.path.substr(std::string("/kie/callback/").size());
                 const auto sig = request.query.count("sig") ? request.query.at("sig") : "";
                 if (!store::is_uuid(job_id) ||
                     !providers::kie::verify_callback(job_id, sig, callback_secret)) {
                   spdlog::warn("provider callback for {} with a bad signature; ignored",
                                job_id.substr(0, 40));
                   co_return net::HttpServerResponse::text(403, "forbidden");
                 }
                 // Only a hint; it may also name the task of a job whose creator was cut off.
                 const auto hint = providers::kie::parse_callback(request.body);
                 std::optional<std::string> task_id;
                 if (hint.ok()) task_id = hint.value().task_id;
                 co_await pool.run([&] {
                   if (store::JobQueue(*database).on_provider_callback(job_id, task_id)) {
                     spdlog::warn(
                         "job {}: adopted task {} from its callback (its creator was cut off)",
                         job_id, *task_id);
                   }
                 });
                 co_return net::HttpServerResponse::text(200, "ok");
               });
  server.start();
  spdlog::info("HTTP server on {}:{}{}", config.http_host, server.port(),
               config.tls_cert.empty() ? "" : " (HTTPS)");

  if (roles.bot) {
    asio::co_spawn(io, sender.sweep_forever(std::chrono::seconds(5)), asio::detached);
    if (webhook) {
      asio::co_spawn(io, webhook->register_webhook(), asio::detached);
    } else {
      poller = std::make_unique<telegram::Poller>(io, api, *database, pool, intake,
                                                  telegram::PollerOptions{.owner = owner});
      asio::co_spawn(io, poller->run(), asio::detached);
    }
  }

  bot::WorkerMessages worker_messages;
  std::unique_ptr<providers::Provider> provider;
  std::unique_ptr<worker::Worker> worker;
  bool worker_finished = false;
  // Task creation across every worker on every host: the provider allows 20 per 10 s per account.
  worker::SharedCreateThrottle create_throttle(
      *database, pool, worker::SharedCreateThrottle::account_of(config.kie_api_key));
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
    metrics.watch(*worker);
    metrics.watch(*provider);
    if (!roles.bot)
      asio::co_spawn(io, sender.sweep_forever(std::chrono::seconds(5)), asio::detached);
    asio::co_spawn(io, worker->run(), [&](std::exception_ptr error) {
      worker_finished = true;
      if (error) {
        spdlog::critical("the worker stopped unexpectedly");
        io.stop();
      }
    });
  }

  // Old update ids, sent replies and files past their retention go, at start and every 10 min.
  Janitor janitor(*database, config.data_dir, retention_policy(config));
  asio::co_spawn(io, janitor.run(), asio::detached);

  // Graceful stop: intake ends at once, the worker finishes its steps in progress (or hands
  // their jobs back), replies already decided are sent; a second signal stops immediately.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    spdlog::info("signal {}: stopping (in-flight steps finish, leases are handed back)", signal);
    server.stop();
    if (poller) poller->stop();
    if (worker) worker->stop();
    asio::co_spawn(io, finish_then_stop(io, worker_finished, sender, worker != nullptr),
                   asio::detached);
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
