#include "app/wiring.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/build_info.hpp"
#include "store/migrations.hpp"

namespace nc::app {

core::TemplateCatalog load_templates() {
  auto catalog = core::TemplateCatalog::defaults();
  const std::filesystem::path file = "templates/templates.toml";
  if (std::filesystem::exists(file)) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    catalog.apply_toml(text.str(), file.string());
    spdlog::info("video formats: {} (with overrides from {})", catalog.all().size(), file.string());
  }
  return catalog;
}

std::unique_ptr<store::Database> open_store(const Config& config) {
  auto database = store::open_database(config.database_url);
  store::migrate(*database);
  return database;
}

std::unique_ptr<store::Database> open_migrated_store(const Config& config) {
  auto database = store::open_database(config.database_url);
  const auto migrated = store::migrate(*database);
  spdlog::info("store {} at schema version {}", database->describe(), migrated.version_after);
  return database;
}

Conversation::Conversation(boost::asio::io_context& io, telegram::BotTransport& telegram,
                           store::Database& database, net::BlockingPool& pool,
                           const media::Imaging& imaging, const core::TemplateCatalog& catalog,
                           const core::ModelRegistry& models, const Config& config,
                           const std::string& owner)
    : router(bot::BotDeps{catalog, models,
                          bot::BotSettings{.admin_ids = config.admin_ids,
                                           .start_credits = config.start_credits,
                                           .default_model = config.video_model,
                                           .packs = config.credit_packs,
                                           .paysupport_text = config.paysupport_text,
                                           .terms_text = config.terms_text}}),
      dispatcher(database, router, owner),
      sender(io, telegram, database, pool, owner),
      retention(database, config.data_dir, retention_policy(config)),
      front(telegram, dispatcher, sender, pool, imaging, config.data_dir, retention) {}

store::RetentionPolicy retention_policy(const Config& config) {
  return store::RetentionPolicy{.records = std::chrono::hours(24 * config.retention_days),
                                .files = std::chrono::hours(24 * config.file_retention_days),
                                .max_photos_per_user = config.max_photos_per_user};
}

worker::WorkerOptions worker_options(const Config& config, const std::string& owner,
                                     const std::string& link_secret) {
  return worker::WorkerOptions{
      .owner = owner,
      .concurrency = config.worker_concurrency,
      .lease = std::chrono::seconds(config.job_lease_seconds),
      .deadline = std::chrono::minutes(config.job_deadline_minutes),
      .data_dir = config.data_dir,
      .public_base_url = config.public_base_url,
      .link_secret = link_secret,
      .default_model = config.video_model,
      .results_from_private_addresses = config.results_from_private_addresses,
      .admin_ids = config.admin_ids,
      .delivery_deadline = std::chrono::minutes(config.delivery_deadline_minutes),
      .operator_pause = std::chrono::seconds(config.operator_pause_seconds)};
}

providers::ProviderSettings provider_settings(const Config& config,
                                              const std::string& callback_secret) {
  return providers::ProviderSettings{.kind = config.provider,
                                     .kie_api_url = config.kie_api_url,
                                     .kie_upload_url = config.kie_upload_url,
                                     .kie_api_key = config.kie_api_key,
                                     .user_agent = user_agent(),
                                     .public_base_url = config.public_base_url,
                                     .callback_secret = callback_secret,
                                     .data_dir = config.data_dir};
}

}  // namespace nc::app
