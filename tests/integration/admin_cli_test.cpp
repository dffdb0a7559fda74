// `neurocards migrate`, `admin …` and `enqueue` run as real processes against both backends.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fakes/fake_kie.hpp"
#include "integration/run_binary.hpp"
#include "integration/test_database.hpp"
#include "store/ledger.hpp"
#include "store/users.hpp"
#include "unit/media_test_support.hpp"

namespace nc::store {
namespace {

using nc::testing::run_binary;
using nlohmann::json;

class AdminCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  AdminCliTest() : test_db_(GetParam()) { Users(test_db_.db()).upsert(5001, "ann", "ru", 0); }

  nc::testing::CommandResult run(std::vector<std::string> args) {
    return run_binary(args, {{"DATABASE_URL", test_db_.url()}, {"LOG_LEVEL", "warn"}});
  }

  nc::testing::TestDatabase test_db_;
};

TEST_P(AdminCliTest, MigrateIsUpToDateAfterStartUp) {
  auto result = run({"migrate"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("schema version 9 (up to date)"), std::string::npos) << result.out;
}

TEST_P(AdminCliTest, GrantEnqueueCancelAndAudit) {
  auto grant =
      run({"admin", "credits", "grant", "5001", "3", "--reason", "welcome", "--key", "g1"});
  ASSERT_EQ(grant.exit_code, 0) << grant.err;
  EXPECT_EQ(grant.out, "+3 credits for 5001; balance now 3\n");
  auto again =
      run({"admin", "credits", "grant", "5001", "3", "--reason", "welcome", "--key", "g1"});
  EXPECT_EQ(again.out, "key g1 was already used; nothing changed; balance 3\n");

  auto enqueued = run({"enqueue", "--user", "5001", "--photo", "https://example.com/p.jpg",
                       "--text", "Кружка", "--count", "2", "--charge"});
  ASSERT_EQ(enqueued.exit_code, 0) << enqueued.err;
  const auto job_id = enqueued.out.substr(0, 36);

  auto jobs = run({"admin", "jobs", "--user", "5001", "--json"});
  ASSERT_EQ(jobs.exit_code, 0) << jobs.err;
  auto list = json::parse(jobs.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["status"], "queued");

  auto user = json::parse(run({"admin", "user", "5001", "--json"}).out);
  EXPECT_EQ(user["credits"], 1);

  auto cancel = run({"admin", "job", "cancel", job_id});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  auto cancel_again = run({"admin", "job", "cancel", job_id});
  EXPECT_EQ(cancel_again.exit_code, 1);
  EXPECT_NE(cancel_again.err.find("is cancelled: only unfinished jobs can be cancelled"),
            std::string::npos);
  EXPECT_EQ(json::parse(run({"admin", "user", "5001", "--json"}).out)["credits"], 2);

  auto status = json::parse(run({"admin", "status", "--json"}).out);
  EXPECT_EQ(status["jobs"]["queued"], 1);
  EXPECT_EQ(status["jobs"]["cancelled"], 1);

  auto audit = run({"admin", "audit"});
  EXPECT_EQ(audit.exit_code, 0);
  EXPECT_NE(audit.out.find("audit ok"), std::string::npos);
}

TEST_P(AdminCliTest, NotEnoughCreditsCreatesNothing) {
  auto result = run(
      {"enqueue", "--user", "5001", "--photo", "p.jpg", "--text", "x", "--count", "3", "--charge"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "not enough credits: needed 3, the balance is 0; nothing created\n");
  EXPECT_EQ(json::parse(run({"admin", "jobs", "--json"}).out).size(), 0u);
}

TEST_P(AdminCliTest, ClearErrorsForUnknownThings) {
  auto user = run({"admin", "user", "999"});
  EXPECT_EQ(user.exit_code, 1);
  EXPECT_EQ(user.err,
            "no user with Telegram id 999: they appear after their first message to the bot\n");
  auto job = run({"admin", "job", "retry", "00000000-0000-4000-8000-000000000000"});
  EXPECT_EQ(job.exit_code, 1);
  EXPECT_EQ(job.err, "no job 00000000-0000-4000-8000-000000000000\n");
  auto bad_id = run({"admin", "job", "retry", "42"});
  EXPECT_EQ(bad_id.exit_code, 2);
  auto bad_status = run({"admin", "jobs", "--status", "lost"});
  EXPECT_EQ(bad_status.exit_code, 2);
  EXPECT_NE(bad_status.err.find("--status 'lost' is not a job status"), std::string::npos);
}

TEST_P(AdminCliTest, GrantRefusesAmountsOutOfRangeAndBalancesPastTheLimit) {
  for (const char* amount : {"0", "1000001", "5000000000"}) {
    auto result = run({"admin", "credits", "grant", "5001", amount, "--reason", "typo"});
    EXPECT_EQ(result.exit_code, 2) << amount;
    EXPECT_EQ(result.err, fmt::format("the amount {} is out of range: expected 1 to 1000000 "
                                      "credits to add, or -1 to -1000000 to take\n",
                                      amount));
  }
  auto most = run({"admin", "credits", "grant", "5001", "1000000", "--reason", "big deal"});
  EXPECT_EQ(most.exit_code, 0) << most.err;
  EXPECT_EQ(most.out, "+1000000 credits for 5001; balance now 1000000\n");

  // Near the limit a grant that would pass it changes nothing.
  Ledger(test_db_.db()).grant(5001, kMaxBalance - 1'000'000 - 10, "near", "");
  auto over = run({"admin", "credits", "grant", "5001", "11", "--reason", "one too many"});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_EQ(over.err,
            "cannot add 11 credits to 5001: the balance 2147483637 would pass the limit of "
            "2147483647\n");
  auto audit = run({"admin", "audit", "--json"});
  EXPECT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_EQ(json::parse(audit.out)["total_credits"], kMaxBalance - 10);
}

TEST_P(AdminCliTest, StatusShowsTheDiskUseOfDataDir) {
  const auto data_dir =
      std::filesystem::temp_directory_path() / ("nc-admin-status-" + std::to_string(::getpid()));
  std::filesystem::remove_all(data_dir);
  std::filesystem::create_directories(data_dir / "photos");
  std::filesystem::create_directories(data_dir / "results");
  std::ofstream(data_dir / "photos" / "a.jpg") << std::string(1536, 'x');
  std::ofstream(data_dir / "results" / "j.mp4") << std::string(100, 'x');
  const std::map<std::string, std::string> env{
      {"DATABASE_URL", test_db_.url()}, {"DATA_DIR", data_dir.string()}, {"LOG_LEVEL", "warn"}};
  auto as_json = nc::testing::run_binary({"admin", "status", "--json"}, env);
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto disk = json::parse(as_json.out)["data_dir"];
  EXPECT_EQ(disk["path"], data_dir.string());
  EXPECT_EQ(disk["photos"]["files"], 1);
  EXPECT_EQ(disk["photos"]["bytes"], 1536);
  EXPECT_EQ(disk["inputs"]["bytes"], 0);
  EXPECT_EQ(disk["results"]["bytes"], 100);
  EXPECT_GT(disk["free_bytes"].get<std::int64_t>(), 0);

  auto text = nc::testing::run_binary({"admin", "status"}, env);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("DATA_DIR " + data_dir.string() + "\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1.5 KB"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("free on its filesystem: "), std::string::npos) << text.out;
  std::filesystem::remove_all(data_dir);
}

TEST_P(AdminCliTest, AuditFailsWhenABalanceWasChangedBehindTheLedger) {
  test_db_.db().execute("UPDATE users SET credits = 9 WHERE tg_user_id = 5001");
  auto audit = run({"admin", "audit", "--json"});
  EXPECT_EQ(audit.exit_code, 1);
  auto report = json::parse(audit.out);
  EXPECT_FALSE(report["ok"].get<bool>());
  EXPECT_EQ(report["mismatches"][0]["tg_user_id"], 5001);
}

NC_BOTH_BACKENDS(AdminCliTest);

// Sellers' photos and the database are the service's own: no other user of the host reads
// them, whatever umask the operator's shell had.
TEST(Cli, TheFilesItCreatesArePrivate) {
  media::testing::TempDir dir;
  const auto folder = std::filesystem::path(dir.file("store"));
  const auto mask = ::umask(022);
  auto result =
      run_binary({"migrate"}, {{"DATABASE_URL", "sqlite:" + (folder / "nc.db").string()}});
  ::umask(mask);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto others = std::filesystem::perms::group_all | std::filesystem::perms::others_all;
  EXPECT_EQ(std::filesystem::status(folder).permissions() & others, std::filesystem::perms::none);
  EXPECT_EQ(std::filesystem::status(folder / "nc.db").permissions() & others,
            std::filesystem::perms::none);
}

TEST(Cli, ASecretGivenAsAFlagIsWarnedOf) {
  media::testing::TempDir dir;
  const auto url = "sqlite:" + dir.file("nc.db");
  auto flagged = run_binary({"--database-url", url, "migrate"}, {});
  EXPECT_EQ(flagged.exit_code, 0) << flagged.err;
  EXPECT_NE(flagged.err.find("--database-url on the command line is visible to every user"),
            std::string::npos)
      << flagged.err;
  auto from_environment = run_binary({"migrate"}, {{"DATABASE_URL", url}});
  EXPECT_EQ(from_environment.err.find("visible to every user"), std::string::npos);
}

TEST(Cli, BadSettingStopsWithOneLine) {
  auto result = run_binary({"admin", "status"}, {{"WORKER_CONCURRENCY", "0"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "configuration error: WORKER_CONCURRENCY='0' is not valid: expected a whole number "
            "from 1 to 100000\n");
}

TEST(Cli, EveryWrongSettingGetsItsOwnLine) {
  auto result = run_binary({"run"}, {{"BOT_TOKEN", ""},
                                     {"HTTP_PORT", "http"},
                                     {"PROVIDER", "kie"},
                                     {"KIE_API_KEY", ""},
                                     {"LOG_FORMAT", "xml"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err,
            "configuration error: BOT_TOKEN is not set: expected the token @BotFather gave you, "
            "e.g. BOT_TOKEN=123456:ABC-DEF… in .env\n"
            "configuration error: HTTP_PORT='http' is not valid: expected a whole number from 0 "
            "to 65535\n"
            "configuration error: PROVIDER=kie needs KIE_API_KEY: expected the API key from "
            "kie.ai (or PROVIDER=local to render videos on this machine)\n"
            "configuration error: LOG_FORMAT='xml' is not valid: expected one of text, json\n");
}

TEST(Cli, ProviderBalanceReadsTheKieAccount) {
  nc::fakes::FakeKie kie;
  kie.start();
  kie.set_credits(1234.5);
  const std::map<std::string, std::string> env{{"KIE_API_URL", kie.base_url()},
                                               {"KIE_API_KEY", kie.api_key()}};
  auto result = run_binary({"admin", "provider-balance"}, env);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "KIE credits left: 1234.5\n");
  auto as_json = run_binary({"admin", "provider-balance", "--json"}, env);
  EXPECT_EQ(json::parse(as_json.out).value("credits", 0.0), 1234.5) << as_json.out;
  // The fake saw our User-Agent: KIE's Cloudflare blocks requests without one.
  for (const auto& request : kie.requests(nc::fakes::KieEndpoint::kCredit)) {
    EXPECT_TRUE(request.header("user-agent").value_or("").starts_with("NeuroCards/"));
  }

  auto wrong_key = run_binary({"admin", "provider-balance"},
                              {{"KIE_API_URL", kie.base_url()}, {"KIE_API_KEY", "not-the-key"}});
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_NE(wrong_key.err.find("could not read the KIE balance"), std::string::npos)
      << wrong_key.err;
  auto no_key = run_binary({"admin", "provider-balance"}, {{"KIE_API_KEY", ""}});
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_NE(no_key.err.find("KIE_API_KEY is not set"), std::string::npos) << no_key.err;
}

TEST(Cli, VersionNamesTheBuild) {
  auto result = run_binary({"version"}, {});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind("neurocards 0.1.0\nbuild ", 0), 0u) << result.out;
}

}  // namespace
}  // namespace nc::store
