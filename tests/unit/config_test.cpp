#include "app/config.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nc::app {
namespace {

constexpr const char* kToken = "123456:AAbbCCddEEffGGhhIIjjKKllMMnn";

std::string error_of(const Values& values, Needs needs) {
  try {
    parse_config(values, needs);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(Config, DefaultsNeedNothingForStoreCommands) {
  auto config = parse_config({}, Needs::kStoreOnly);
  EXPECT_EQ(config.database_url, "sqlite:data/neurocards.db");
  EXPECT_EQ(config.bot_mode, "polling");
  EXPECT_EQ(config.provider, "local");
  EXPECT_EQ(config.http_port, 10000);
  EXPECT_EQ(config.worker_concurrency, 64);
  EXPECT_EQ(config.video_model, "veo3_fast");
}

TEST(Config, DerivedDefaults) {
  auto config = parse_config({{"PUBLIC_BASE_URL", "https://bot.example.com/"},
                              {"KIE_API_KEY", "k"},
                              {"DATA_DIR", "/var/lib/nc"},
                              {"BOT_TOKEN", kToken}},
                             Needs::kAll);
  EXPECT_EQ(config.bot_mode, "webhook");
  EXPECT_EQ(config.public_base_url, "https://bot.example.com");
  EXPECT_EQ(config.provider, "kie");
  EXPECT_EQ(config.database_url, "sqlite:/var/lib/nc/neurocards.db");
}

TEST(Config, APortMayBeABasePlusTheUnitsInstanceNumber) {
  EXPECT_EQ(parse_config({{"HTTP_PORT", "11000+7"}}, Needs::kStoreOnly).http_port, 11007);
  EXPECT_EQ(parse_config({{"HTTP_PORT", "11000+100"}}, Needs::kStoreOnly).http_port, 11100);
  for (const char* bad : {"65000+600", "11000+x", "+5", "11000+-1"}) {
    EXPECT_EQ(error_of({{"HTTP_PORT", bad}}, Needs::kStoreOnly),
              fmt::format("HTTP_PORT='{}' is not valid: expected a port from 0 to 65535, or "
                          "BASE+N adding up to one",
                          bad));
  }
}

TEST(Config, BadValuesNameTheVariableAndWhatIsExpected) {
  EXPECT_EQ(error_of({{"HTTP_PORT", "70000"}}, Needs::kStoreOnly),
            "HTTP_PORT='70000' is not valid: expected a whole number from 0 to 65535");
  EXPECT_EQ(error_of({{"BOT_MODE", "both"}}, Needs::kStoreOnly),
            "BOT_MODE='both' is not valid: expected one of webhook, polling");
  EXPECT_EQ(error_of({{"ADMIN_IDS", "12,abc"}}, Needs::kStoreOnly),
            "ADMIN_IDS='12,abc' is not valid: expected comma-separated Telegram user ids, e.g. "
            "12345,67890");
  EXPECT_EQ(error_of({{"TLS_CERT", "/x.pem"}}, Needs::kStoreOnly),
            "TLS_CERT and TLS_KEY go together: expected both PEM file paths, or neither");
  EXPECT_EQ(error_of({{"BOT_TOKEN", kToken}, {"BOT_MODE", "webhook"}}, Needs::kBot).substr(0, 38),
            "BOT_MODE=webhook needs PUBLIC_BASE_URL");
  EXPECT_EQ(error_of({{"PROVIDER", "kie"}, {"BOT_TOKEN", kToken}}, Needs::kWorker).substr(0, 30),
            "PROVIDER=kie needs KIE_API_KEY");
}

TEST(Config, RetentionDefaultsAndLimits) {
  auto config = parse_config({}, Needs::kStoreOnly);
  EXPECT_EQ(config.retention_days, 30);
  EXPECT_EQ(config.file_retention_days, 7);
  EXPECT_EQ(config.max_photos_per_user, 20);
  config = parse_config(
      {{"RETENTION_DAYS", "90"}, {"FILE_RETENTION_DAYS", "1"}, {"MAX_PHOTOS_PER_USER", "5"}},
      Needs::kStoreOnly);
  EXPECT_EQ(config.retention_days, 90);
  EXPECT_EQ(config.file_retention_days, 1);
  EXPECT_EQ(config.max_photos_per_user, 5);
  EXPECT_EQ(error_of({{"RETENTION_DAYS", "0"}}, Needs::kStoreOnly),
            "RETENTION_DAYS='0' is not valid: expected a whole number from 1 to 3650");
  EXPECT_EQ(error_of({{"FILE_RETENTION_DAYS", "a week"}}, Needs::kStoreOnly),
            "FILE_RETENTION_DAYS='a week' is not valid: expected a whole number from 1 to 3650");
  EXPECT_EQ(
      error_of({{"MAX_PHOTOS_PER_USER", "-1"}, {"RETENTION_DAYS", "4000"}}, Needs::kStoreOnly),
      "RETENTION_DAYS='4000' is not valid: expected a whole number from 1 to 3650\n"
      "MAX_PHOTOS_PER_USER='-1' is not valid: expected a whole number from 1 to 10000");
}

TEST(Config, SecretsAreNeverEchoed) {
  const std::string bad_token = "not-a-token-SECRET";
  auto message = error_of({{"BOT_TOKEN", bad_token}}, Needs::kBot);
  EXPECT_NE(message.find("BOT_TOKEN is not a bot token"), std::string::npos);
  EXPECT_EQ(message.find("SECRET"), std::string::npos);
  message = error_of({{"DATABASE_URL", "mysql://root:SECRET@db/x"}}, Needs::kStoreOnly);
  EXPECT_EQ(message.find("SECRET"), std::string::npos);
  message = error_of({{"WEBHOOK_SECRET", "has space hunter2"}}, Needs::kStoreOnly);
  EXPECT_NE(message.find("WEBHOOK_SECRET is not valid"), std::string::npos);
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST(Config, BotCommandsNeedAToken) {
  EXPECT_NE(error_of({}, Needs::kBot).find("BOT_TOKEN is not set"), std::string::npos);
  EXPECT_EQ(parse_config({{"BOT_TOKEN", kToken}}, Needs::kBot).bot_token, kToken);
}

TEST(Config, FlagsBeatEnvironmentBeatDotenv) {
  auto merged = merge_sources({{"HTTP_PORT", "1"}, {"LOG_LEVEL", "debug"}, {"DATA_DIR", "d"}},
                              {{"HTTP_PORT", "2"}, {"LOG_LEVEL", "warn"}}, {{"HTTP_PORT", "3"}});
  EXPECT_EQ(merged["HTTP_PORT"], "3");
  EXPECT_EQ(merged["LOG_LEVEL"], "warn");
  EXPECT_EQ(merged["DATA_DIR"], "d");
}

TEST(Config, ReadsDotenvFiles) {
  const auto path = std::filesystem::temp_directory_path() / "nc-config-test.env";
  {
    std::ofstream file(path);
    file << "# comment\n\nexport BOT_MODE=polling\nADMIN_IDS = \"1,2\"\nLOG_LEVEL=warn # note\n"
            "KIE_API_KEY='a#b'\n";
  }
  auto values = read_dotenv(path.string());
  EXPECT_EQ(values["BOT_MODE"], "polling");
  EXPECT_EQ(values["ADMIN_IDS"], "1,2");
  EXPECT_EQ(values["LOG_LEVEL"], "warn");
  EXPECT_EQ(values["KIE_API_KEY"], "a#b");
  {
    std::ofstream file(path);
    file << "GOOD=1\nthis line is wrong\n";
  }
  try {
    read_dotenv(path.string());
    FAIL() << "expected an error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), path.string() + " line 2: expected NAME=VALUE");
  }
  std::filesystem::remove(path);
  EXPECT_TRUE(read_dotenv(path.string()).empty());
}

}  // namespace
}  // namespace nc::app
