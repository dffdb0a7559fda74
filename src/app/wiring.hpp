// The parts every process is built from, wired one way for the service (run_service) and the
// offline demo: the store, the conversation side and the worker's options.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "bot/bot_front.hpp"
#include "bot/dispatcher.hpp"
#include "bot/router.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "providers/factory.hpp"
#include "store/database.hpp"
#include "store/retention.hpp"
#include "telegram/bot_api.hpp"
#include "telegram/outbox_sender.hpp"
#include "worker/worker.hpp"

namespace nc::app {

// The built-in video formats, with overrides from ./templates/templates.toml when present.
core::TemplateCatalog load_templates();

// Opens DATABASE_URL and brings its schema up to date.
std::unique_ptr<store::Database> open_migrated_store(const Config& config);
// The same without the log line, for commands whose output is the operator's.
std::unique_ptr<store::Database> open_store(const Config& config);

// RETENTION_DAYS, FILE_RETENTION_DAYS and MAX_PHOTOS_PER_USER.
store::RetentionPolicy retention_policy(const Config& config);

// The conversation: updates go into `front`, replies leave through `sender`.
struct Conversation {
  Conversation(boost::asio::io_context& io, telegram::BotTransport& telegram,
               store::Database& database, net::BlockingPool& pool, const media::Imaging& imaging,
               const core::TemplateCatalog& catalog, const core::ModelRegistry& models,
               const Config& config, const std::string& owner);

  bot::Router router;
  bot::Dispatcher dispatcher;
  telegram::OutboxSender sender;
  store::Retention retention;  // the cap on each seller's photos no order uses
  bot::BotFront front;
};

// PROVIDER and its settings; the callback secret signs the URLs a provider calls us back at.
providers::ProviderSettings provider_settings(const Config& config,
                                              const std::string& callback_secret);

// The link secret is empty where nothing is signed (no public address, the local provider).
worker::WorkerOptions worker_options(const Config& config, const std::string& owner,
                                     const std::string& link_secret);

}  // namespace nc::app
