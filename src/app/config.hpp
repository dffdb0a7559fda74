// Configuration: environment variables, also read from ./.env, overridden by command-line
// flags; validated at start-up with one clear line per problem. Names are part of the product.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/credit_packs.hpp"

namespace nc::app {

struct Config {
  std::string bot_token;
  std::string telegram_api_url = "https://api.telegram.org";
  std::string bot_mode;  // "webhook" or "polling"
  std::string public_base_url;
  std::string http_host = "0.0.0.0";
  int http_port = 10000;
  std::string tls_cert;
  std::string tls_key;
  std::string webhook_secret;  // empty: generated once and stored in the database
  std::string database_url = "sqlite:data/neurocards.db";
  std::string data_dir = "data";
  std::string provider;  // "kie" or "local"
  std::string kie_api_key;
  std::string kie_api_url = "https://api.kie.ai";
  std::string kie_upload_url = "https://kieai.redpandaai.co";
  bool results_from_private_addresses = false;
  std::string metrics_token;  // set: /metrics wants "Authorization: Bearer <token>"
  std::string video_model = "veo3_fast";
  std::vector<std::int64_t> admin_ids;
  std::int64_t start_credits = 0;
  std::vector<core::CreditPack> credit_packs;  // empty: top-ups with Stars are off
  std::string paysupport_text;                 // empty: the built-in text
  std::string terms_text;                      // empty: the built-in text
  int worker_concurrency = 64;
  int job_deadline_minutes = 20;
  int delivery_deadline_minutes = 10;
  int job_lease_seconds = 30;
  int operator_pause_seconds = 120;
  int retention_days = 30;       // handled update ids, sent replies
  int file_retention_days = 7;   // photos never ordered, provider inputs, results of finished jobs
  int max_photos_per_user = 20;  // photos kept per seller that no order uses
  std::string log_level = "info";
  std::string log_format = "text";

  bool is_admin(std::int64_t tg_user_id) const;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One variable the product reads: its name, the command-line flag that overrides it, a line of
// help for --help and .env.example, and whether its value must never be printed.
struct Setting {
  const char* name;
  const char* flag;
  const char* help;
  bool secret = false;
};
const std::vector<Setting>& settings();

using Values = std::map<std::string, std::string>;

// Parses a .env file: NAME=VALUE lines, # comments, optional "export ", quoted values.
// A missing file gives no values; a malformed line throws ConfigError naming the line.
Values read_dotenv(const std::string& path);

// Merges the sources, later ones winning: .env, then the process environment, then flags.
Values merge_sources(const Values& dotenv, const Values& environment, const Values& flags);
Values process_environment();

enum class Needs { kStoreOnly, kBot, kWorker, kAll };

// Builds and validates the configuration; throws ConfigError with one line naming the variable,
// what is wrong and what is expected. Secrets are never part of the message.
Config parse_config(const Values& values, Needs needs);

}  // namespace nc::app
