#include "app/demo/demo_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/build_info.hpp"
#include "app/demo/seller_walk.hpp"
#include "app/demo/transcript.hpp"
#include "app/logging.hpp"
#include "app/service.hpp"
#include "app/wiring.hpp"
#include "bot/worker_messages.hpp"
#include "core/scratch_dir.hpp"
#include "fakes/fake_bot_api.hpp"
#include "fakes/scripted_seller.hpp"
#include "imaging/imaging.hpp"
#include "imaging/product_photo.hpp"
#include "net/http_client.hpp"
#include "providers/factory.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/poller.hpp"

namespace nc::app {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::int64_t kSellerId = 424242;

// Everything in the temp folder; the renderer on this machine; no credits until the seller buys
// a pack with Stars.
Config demo_config(const fs::path& scratch) {
  Config config;
  config.data_dir = (scratch / "data").string();
  config.database_url = "sqlite:" + (scratch / "data" / "neurocards.db").string();
  config.provider = "local";
  config.video_model = "local";
  config.start_credits = 0;
  config.credit_packs = {{.credits = 10, .stars = 150}, {.credits = 30, .stars = 400}};
  config.worker_concurrency = 3;
  return config;
}

// The seller as Telegram describes them.
json seller_user(const DemoOptions& options) {
  const bool english = options.language == "en";
  return json{{"first_name", english ? "Anna" : "Анна"},
              {"username", "anna_ceramics"},
              {"language_code", options.language}};
}

demo::WalkScript walk_script(const DemoOptions& options) {
  const bool english = options.language == "en";
  demo::WalkScript script;
  script.language = options.language;
  script.photo_file_id = "demo-product-photo";
  script.photo_name = "product.jpg";
  script.photo_width = media::kPhotoWidth;
  script.photo_height = media::kPhotoHeight;
  script.product =
      english ? "Handmade ceramic mug, 350 ml" : "Керамическая кружка ручной работы, 350 мл";
  script.pack_credits = 10;
  script.pack_stars = 150;
  script.reply_timeout = options.reply_timeout;
  script.videos_timeout = options.videos_timeout;
  return script;
}

}  // namespace

int run_demo(const DemoOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  std::string failure;
  std::vector<demo::Video> videos;
  try {
    fs::create_directories(options.out_dir);
    // The demo's own store and files, removed however the demo ends.
    const core::ScratchDir scratch(fs::temp_directory_path(), "neurocards-demo-");
    const auto config = demo_config(scratch.path());
    fs::create_directories(config.data_dir);
    const auto photo = (scratch.path() / "product.jpg").string();
    const media::Imaging imaging;
    imaging.draw_product_photo(photo);
    fs::copy_file(photo, fs::path(options.out_dir) / "product.jpg",
                  fs::copy_options::overwrite_existing);

    // Telegram on loopback: the bot polls it and sends to it as it would to the real one;
    // delivered videos are kept in the output folder.
    fakes::FakeBotApi telegram_api(fakes::FakeBotApiOptions{.keep_uploads_in = options.out_dir});
    telegram_api.start();
    telegram_api.add_file("demo-product-photo", photo);

    auto database = open_migrated_store(config);
    asio::io_context io(1);
    net::BlockingPool pool(4);
    net::HttpClient http(io, net::HttpClientOptions{.user_agent = user_agent()});
    telegram::BotApi api(io, http,
                         telegram::BotApiOptions{.base_url = telegram_api.base_url(),
                                                 .token = telegram_api.token()});
    demo::Transcript transcript(std::cout);

    const auto catalog = load_templates();
    const auto models = core::ModelRegistry::defaults();
    const auto owner = instance_name();
    Conversation conversation(io, api, *database, pool, imaging, catalog, models, config, owner);
    // Short long polls: once stopped, the poller is done within a second.
    telegram::Poller poller(io, api, *database, pool, conversation.front,
                            telegram::PollerOptions{.owner = owner, .long_poll_seconds = 1});
    providers::LocalCreateThrottle no_limit;
    const auto provider = providers::make_provider(io, pool, http, models, imaging, no_limit,
                                                   provider_settings(config, ""));
    bot::WorkerMessages worker_messages;
    worker::Worker worker(worker::WorkerParts{.io = io,
                                              .database = *database,
                                              .pool = pool,
                                              .provider = *provider,
                                              .telegram = api,
                                              .outbox = conversation.sender,
                                              .http = http,
                                              .models = models,
                                              .catalog = catalog,
                                              .messages = worker_messages,
                                              .imaging = imaging},
                          worker_options(config, owner, ""));
    fakes::ScriptedSeller seller(telegram_api, kSellerId, seller_user(options));
    std::atomic<bool> stopping = false;
    demo::SellerWalk walk(seller, catalog, transcript, walk_script(options), stopping);

    // The seller's walk ends the demo: the worker and the poller are stopped, and once both
    // have ended the loop stops.
    auto finish = [&](std::string problem) {
      if (failure.empty()) failure = std::move(problem);
      stopping = true;
      poller.stop();
      worker.stop();
    };
    int running = 2;
    auto ended = [&] {
      if (--running == 0) io.stop();
    };
    asio::co_spawn(io, conversation.sender.sweep_forever(std::chrono::seconds(5)), asio::detached);
    asio::co_spawn(io, poller.run(), [&](std::exception_ptr error) {
      if (error && failure.empty()) failure = "Polling the demo's Telegram stopped unexpectedly.";
      finish("");
      ended();
    });
    asio::co_spawn(io, worker.run(), [&](std::exception_ptr error) {
      if (error && failure.empty()) failure = "The worker stopped unexpectedly.";
      finish("");
      ended();
    });
    std::thread walker([&] {
      std::string problem;
      try {
        videos = walk.run();
      } catch (const std::exception& stopped) {
        problem = stopped.what();
      }
      asio::post(io, [&finish, problem] { finish(problem); });
    });
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int) {
      if (!error) finish("Interrupted.");
    });
    io.run();
    walker.join();
    telegram_api.stop();
    // A render still running (after a failure) finishes before what it uses goes away.
    pool.join();
  } catch (const std::exception& error) {
    failure = error.what();
  }

  if (!failure.empty()) {
    std::cout.flush();
    std::cerr << "The demo failed: " << failure << '\n';
    return 1;
  }
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::error_code ignored;
  const auto folder = fs::absolute(options.out_dir, ignored).lexically_normal().string();
  std::cout << fmt::format("\n📁 {} videos and the product photo are in {} ({:.0f} s).\n",
                           videos.size(), folder, seconds);
  std::cout
      << "   The real bot needs a token from @BotFather: BOT_TOKEN=… in .env, then scripts/run.\n";
  return 0;
}

void add_demo_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<DemoOptions>();
  auto* command = app.add_subcommand(
      "demo", "The whole product offline: a scripted seller, a built-in Telegram, real videos");
  command->add_option("--out", options->out_dir, "Folder for the videos (default neurocards-demo)");
  command->add_option("--lang", options->language, "The seller's language: ru or en (default ru)")
      ->check(CLI::IsMember({"ru", "en"}));
  command->callback([options, &exit_code] {
    // Logs go to stderr and only when something is wrong: stdout is the conversation.
    setup_logging("warn", "text");
    exit_code = run_demo(*options);
  });
}

}  // namespace nc::app
