#include "app/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

extern char** environ;

namespace nc::app {
namespace {

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

template <typename Int>
Int parse_int(const std::string& name, const std::string& text, Int min, Int max) {
  Int value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw ConfigError(fmt::format("{}='{}' is not valid: expected a whole number from {} to {}",
                                  name, text, min, max));
  }
  return value;
}

// A port, or BASE+N as a systemd template writes it (HTTP_PORT=11000+%i): instance N of a
// unit gets its own port however many instances run.
int parse_port(const std::string& name, const std::string& text) {
  const auto plus = text.find('+');
  if (plus == std::string::npos) return parse_int<int>(name, text, 0, 65535);
  int base = 0, offset = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  const auto base_end = std::from_chars(first, first + plus, base);
  const auto offset_end = std::from_chars(first + plus + 1, last, offset);
  if (base_end.ec != std::errc() || base_end.ptr != first + plus || offset_end.ec != std::errc() ||
      offset_end.ptr != last || base < 1 || offset < 0 || base + offset > 65535) {
    throw ConfigError(fmt::format(
        "{}='{}' is not valid: expected a port from 0 to 65535, or BASE+N adding up to one", name,
        text));
  }
  return base + offset;
}

void expect_one_of(const std::string& name, const std::string& value,
                   std::initializer_list<const char*> allowed) {
  for (const char* option : allowed) {
    if (value == option) return;
  }
  std::string list;
  for (const char* option : allowed)
    list += (list.empty() ? "" : ", ") + std::string(option);
  throw ConfigError(fmt::format("{}='{}' is not valid: expected one of {}", name, value, list));
}

void expect_url(const std::string& name, const std::string& value) {
  static const std::regex url(R"(^https?://[^\s/?#]+(:[0-9]+)?(/[^\s]*)?$)");
  if (!std::regex_match(value, url)) {
    throw ConfigError(
        fmt::format("{}='{}' is not valid: expected a URL like https://host[:port]", name, value));
  }
}

// A text the bot sends as it is; empty path: none. Telegram takes at most 4096 characters.
std::string read_text_file(const std::string& name, const std::string& path) {
  if (path.empty()) return {};
  std::ifstream file(path);
  if (!file) {
    throw ConfigError(
        fmt::format("{}='{}' cannot be read: expected the path of a text file", name, path));
  }
  std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  if (text.empty() || text.size() > 4096) {
    throw ConfigError(
        fmt::format("{}='{}' is not usable: expected a text of 1 to 4096 bytes", name, path));
  }
  return text;
}

void expect_readable_file(const std::string& name, const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw ConfigError(
        fmt::format("{}='{}' cannot be read: expected the path of a PEM file", name, path));
  }
}

std::string value_or(const Values& values, const std::string& name, std::string fallback) {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? std::move(fallback) : it->second;
}

}  // namespace

bool Config::is_admin(std::int64_t tg_user_id) const {
  return std::find(admin_ids.begin(), admin_ids.end(), tg_user_id) != admin_ids.end();
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> list = {
      {"BOT_TOKEN", "--bot-token", "Telegram bot token from @BotFather (required except demo)",
       true},
      {"TELEGRAM_API_URL", "--telegram-api-url",
       "Bot API base URL (a local Bot API server or a test fake)"},
      {"BOT_MODE", "--bot-mode",
       "webhook or polling (default: webhook when PUBLIC_BASE_URL is set)"},
      {"PUBLIC_BASE_URL", "--public-base-url",
       "public https base where Telegram and the provider reach this service"},
      {"HTTP_HOST", "--http-host", "HTTP server address (default 0.0.0.0)"},
      {"HTTP_PORT", "--http-port", "HTTP server port (default 10000; BASE+N adds N)"},
      {"TLS_CERT", "--tls-cert",
       "PEM certificate: serve HTTPS directly (a self-signed one is uploaded to Telegram)"},
      {"TLS_KEY", "--tls-key", "PEM private key for TLS_CERT", true},
      {"WEBHOOK_SECRET", "--webhook-secret",
       "checked against X-Telegram-Bot-Api-Secret-Token (default: generated and stored)", true},
      {"DATABASE_URL", "--database-url",
       "sqlite:PATH or postgresql://user:pass@host:port/db (default sqlite:data/neurocards.db)",
       true},
      {"DATA_DIR", "--data-dir", "photos, results and the SQLite file (default data)"},
      {"PROVIDER", "--provider", "kie or local (default: kie when KIE_API_KEY is set)"},
      {"KIE_API_KEY", "--kie-api-key", "KIE API key", true},
      {"KIE_API_URL", "--kie-api-url", "KIE API base (default https://api.kie.ai)"},
      {"KIE_UPLOAD_URL", "--kie-upload-url",
       "KIE file-upload base (default https://kieai.redpandaai.co)"},
      {"VIDEO_MODEL", "--video-model", "default model for Reels (default veo3_fast)"},
      {"METRICS_TOKEN", "--metrics-token",
       "when set, /metrics answers only requests with Authorization: Bearer <token>", true},
      {"RESULTS_FROM_PRIVATE_ADDRESSES", "--results-from-private-addresses",
       "yes: fetch provider results from loopback and private networks too (tests, a provider on "
       "your LAN); default no"},
      {"ADMIN_IDS", "--admin-ids",
       "comma-separated Telegram user ids allowed to use admin bot commands"},
      {"START_CREDITS", "--start-credits", "credits granted once to a new user (default 0)"},
      {"CREDIT_PACKS", "--credit-packs",
       "credit packs sold for Telegram Stars as credits:stars, e.g. 10:150,30:400,100:1200 "
       "(default: none, top-ups off)"},
      {"PAYSUPPORT_FILE", "--paysupport-file",
       "text file answered to /paysupport (default: a built-in text)"},
      {"TERMS_FILE", "--terms-file", "text file answered to /terms (default: a built-in text)"},
      {"WORKER_CONCURRENCY", "--worker-concurrency",
       "jobs one worker process steps at once (default 64)"},
      {"OPERATOR_PAUSE_SECONDS", "--operator-pause-seconds",
       "after a provider problem only the operator can fix (bad key, no credits), jobs try again "
       "this often (default 120)"},
      {"JOB_DEADLINE_MINUTES", "--job-deadline-minutes",
       "a video not made this long after the order fails and is refunded (default 20)"},
      {"DELIVERY_DEADLINE_MINUTES", "--delivery-deadline-minutes",
       "a finished video Telegram has not taken this long fails and is refunded (default 10)"},
      {"JOB_LEASE_SECONDS", "--job-lease-seconds",
       "how long a job stays with a worker that stopped answering (default 30)"},
      {"RETENTION_DAYS", "--retention-days",
       "handled update ids and sent replies are deleted after this many days (default 30)"},
      {"FILE_RETENTION_DAYS", "--file-retention-days",
       "photos no order needs, provider inputs and sent videos are deleted from DATA_DIR after "
       "this many days (default 7)"},
      {"MAX_PHOTOS_PER_USER", "--max-photos-per-user",
       "photos kept per seller that no order uses; a newer one replaces the oldest (default 20)"},
      {"LOG_LEVEL", "--log-level", "trace, debug, info, warn or error (default info)"},
      {"LOG_FORMAT", "--log-format", "text or json (default text)"},
  };
  return list;
}

Values read_dotenv(const std::string& path) {
  Values values;
  std::ifstream file(path);
  if (!file) return values;
  static const std::regex name_pattern("^[A-Za-z_][A-Za-z0-9_]*$");
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    std::string text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    if (text.starts_with("export ")) text = trim(text.substr(7));
    const auto equals = text.find('=');
    const std::string name = equals == std::string::npos ? "" : trim(text.substr(0, equals));
    if (name.empty() || !std::regex_match(name, name_pattern)) {
      throw ConfigError(fmt::format("{} line {}: expected NAME=VALUE", path, number));
    }
    std::string value = trim(text.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (auto comment = value.find(" #"); comment != std::string::npos) {
      value = trim(value.substr(0, comment));
    }
    values[name] = value;
  }
  return values;
}

Values process_environment() {
  Values values;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos) {
      values[std::string(text.substr(0, equals))] = std::string(text.substr(equals + 1));
    }
  }
  return values;
}

Values merge_sources(const Values& dotenv, const Values& environment, const Values& flags) {
  Values merged = dotenv;
  for (const auto& source : {&environment, &flags}) {
    for (const auto& [name, value] : *source)
      merged[name] = value;
  }
  return merged;
}

Config parse_config(const Values& values, Needs needs) {
  Config config;
  auto get = [&](const char* name, std::string fallback) {
    return value_or(values, name, std::move(fallback));
  };
  const bool bot = needs == Needs::kBot || needs == Needs::kAll;
  const bool worker = needs == Needs::kWorker || needs == Needs::kAll;
  // Every setting is checked, so one start-up tells the operator everything that is wrong.
  std::vector<std::string> problems;
  auto check = [&problems](const auto& step) {
    try {
      step();
    } catch (const ConfigError& error) {
      problems.emplace_back(error.what());
    }
  };

  config.bot_token = get("BOT_TOKEN", "");
  check([&] {
    if (bot || worker) {
      static const std::regex token(R"(^[0-9]{3,}:[A-Za-z0-9_-]{20,}$)");
      if (config.bot_token.empty()) {
        throw ConfigError(
            "BOT_TOKEN is not set: expected the token @BotFather gave you, e.g. "
            "BOT_TOKEN=123456:ABC-DEF… in .env");
      }
      if (!std::regex_match(config.bot_token, token)) {
        throw ConfigError(
            "BOT_TOKEN is not a bot token: expected <digits>:<secret> as given by "
            "@BotFather (value not shown)");
      }
    }
  });

  config.telegram_api_url = get("TELEGRAM_API_URL", config.telegram_api_url);
  check([&] { expect_url("TELEGRAM_API_URL", config.telegram_api_url); });
  if (config.telegram_api_url.ends_with('/')) config.telegram_api_url.pop_back();

  config.public_base_url = get("PUBLIC_BASE_URL", "");
  check([&] {
    if (!config.public_base_url.empty()) {
      expect_url("PUBLIC_BASE_URL", config.public_base_url);
      if (config.public_base_url.ends_with('/')) config.public_base_url.pop_back();
    }
  });
  config.bot_mode = get("BOT_MODE", config.public_base_url.empty() ? "polling" : "webhook");
  check([&] { expect_one_of("BOT_MODE", config.bot_mode, {"webhook", "polling"}); });
  check([&] {
    if (bot && config.bot_mode == "webhook" && config.public_base_url.empty()) {
      throw ConfigError(
          "BOT_MODE=webhook needs PUBLIC_BASE_URL: expected the public https address "
          "Telegram can reach, e.g. https://bot.example.com");
    }
  });

  config.http_host = get("HTTP_HOST", config.http_host);
  check([&] { config.http_port = parse_port("HTTP_PORT", get("HTTP_PORT", "10000")); });
  config.tls_cert = get("TLS_CERT", "");
  config.tls_key = get("TLS_KEY", "");
  check([&] {
    if (config.tls_cert.empty() != config.tls_key.empty()) {
      throw ConfigError(
          "TLS_CERT and TLS_KEY go together: expected both PEM file paths, or neither");
    }
    if (!config.tls_cert.empty()) {
      expect_readable_file("TLS_CERT", config.tls_cert);
      expect_readable_file("TLS_KEY", config.tls_key);
    }
  });

  config.webhook_secret = get("WEBHOOK_SECRET", "");
  static const std::regex secret("^[A-Za-z0-9_-]{1,256}$");
  check([&] {
    if (!config.webhook_secret.empty() && !std::regex_match(config.webhook_secret, secret)) {
      throw ConfigError(
          "WEBHOOK_SECRET is not valid: expected 1-256 characters of A-Z a-z 0-9 _ - "
          "(value not shown)");
    }
  });

  config.data_dir = get("DATA_DIR", config.data_dir);
  config.database_url = get("DATABASE_URL", "sqlite:" + config.data_dir + "/neurocards.db");
  check([&] {
    if (!config.database_url.starts_with("sqlite:") &&
        !config.database_url.starts_with("postgresql://") &&
        !config.database_url.starts_with("postgres://")) {
      throw ConfigError(
          "DATABASE_URL is not valid: expected sqlite:PATH or "
          "postgresql://user:pass@host:port/db (value not shown)");
    }
  });

  config.kie_api_key = get("KIE_API_KEY", "");
  config.provider = get("PROVIDER", config.kie_api_key.empty() ? "local" : "kie");
  check([&] { expect_one_of("PROVIDER", config.provider, {"kie", "local"}); });
  check([&] {
    if (worker && config.provider == "kie" && config.kie_api_key.empty()) {
      throw ConfigError(
          "PROVIDER=kie needs KIE_API_KEY: expected the API key from kie.ai "
          "(or PROVIDER=local to render videos on this machine)");
    }
  });
  config.kie_api_url = get("KIE_API_URL", config.kie_api_url);
  config.metrics_token = get("METRICS_TOKEN", "");
  const auto private_results = get("RESULTS_FROM_PRIVATE_ADDRESSES", "no");
  check([&] { expect_one_of("RESULTS_FROM_PRIVATE_ADDRESSES", private_results, {"yes", "no"}); });
  config.results_from_private_addresses = private_results == "yes";
  check([&] { expect_url("KIE_API_URL", config.kie_api_url); });
  config.kie_upload_url = get("KIE_UPLOAD_URL", config.kie_upload_url);
  check([&] { expect_url("KIE_UPLOAD_URL", config.kie_upload_url); });
  config.video_model = get("VIDEO_MODEL", config.video_model);

  const std::string admins = get("ADMIN_IDS", "");
  std::size_t start = 0;
  check([&] {
    while (start < admins.size()) {
      auto comma = admins.find(',', start);
      if (comma == std::string::npos) comma = admins.size();
      const std::string id = trim(std::string_view(admins).substr(start, comma - start));
      if (!id.empty()) {
        try {
          config.admin_ids.push_back(parse_int<std::int64_t>("ADMIN_IDS", id, 1, INT64_MAX));
        } catch (const ConfigError&) {
          throw ConfigError(fmt::format(
              "ADMIN_IDS='{}' is not valid: expected comma-separated Telegram user ids, e.g. "
              "12345,67890",
              admins));
        }
      }
      start = comma + 1;
    }
  });

  check([&] {
    config.start_credits =
        parse_int<std::int64_t>("START_CREDITS", get("START_CREDITS", "0"), 0, 1'000'000);
  });
  check([&] {
    const auto packs = core::parse_credit_packs(get("CREDIT_PACKS", ""));
    if (!packs) {
      throw ConfigError(fmt::format("CREDIT_PACKS is not valid: {}, e.g. 10:150,30:400,100:1200",
                                    packs.error().message));
    }
    config.credit_packs = *packs;
  });
  check([&] {
    config.paysupport_text = read_text_file("PAYSUPPORT_FILE", get("PAYSUPPORT_FILE", ""));
  });
  check([&] { config.terms_text = read_text_file("TERMS_FILE", get("TERMS_FILE", "")); });
  check([&] {
    config.worker_concurrency =
        parse_int<int>("WORKER_CONCURRENCY", get("WORKER_CONCURRENCY", "64"), 1, 100'000);
  });
  check([&] {
    config.operator_pause_seconds = parse_int<int>(
        "OPERATOR_PAUSE_SECONDS", get("OPERATOR_PAUSE_SECONDS", "120"), 1, 24 * 3600);
  });
  check([&] {
    config.job_deadline_minutes =
        parse_int<int>("JOB_DEADLINE_MINUTES", get("JOB_DEADLINE_MINUTES", "20"), 1, 7 * 24 * 60);
  });
  check([&] {
    config.delivery_deadline_minutes = parse_int<int>(
        "DELIVERY_DEADLINE_MINUTES", get("DELIVERY_DEADLINE_MINUTES", "10"), 1, 7 * 24 * 60);
  });
  check([&] {
    config.job_lease_seconds =
        parse_int<int>("JOB_LEASE_SECONDS", get("JOB_LEASE_SECONDS", "30"), 3, 3600);
  });
  check([&] {
    config.retention_days = parse_int<int>("RETENTION_DAYS", get("RETENTION_DAYS", "30"), 1, 3650);
  });
  check([&] {
    config.file_retention_days =
        parse_int<int>("FILE_RETENTION_DAYS", get("FILE_RETENTION_DAYS", "7"), 1, 3650);
  });
  check([&] {
    config.max_photos_per_user =
        parse_int<int>("MAX_PHOTOS_PER_USER", get("MAX_PHOTOS_PER_USER", "20"), 1, 10'000);
  });
  config.log_level = get("LOG_LEVEL", config.log_level);
  check([&] {
    expect_one_of("LOG_LEVEL", config.log_level, {"trace", "debug", "info", "warn", "error"});
  });
  config.log_format = get("LOG_FORMAT", config.log_format);
  check([&] { expect_one_of("LOG_FORMAT", config.log_format, {"text", "json"}); });
  if (!problems.empty()) {
    std::string all;
    for (const auto& problem : problems)
      all += (all.empty() ? "" : "\n") + problem;
    throw ConfigError(all);
  }
  return config;
}

}  // namespace nc::app
