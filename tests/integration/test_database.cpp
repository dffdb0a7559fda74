#include "integration/test_database.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "store/ids.hpp"
#include "store/migrations.hpp"

namespace nc::testing {
namespace {

std::string admin_url() {
  const char* url = std::getenv("NC_TEST_PG_URL");
  if (!url || !*url) {
    throw std::runtime_error(
        "NC_TEST_PG_URL is not set: run the tests through scripts/test, which starts a "
        "throwaway PostgreSQL cluster");
  }
  return url;
}

}  // namespace

std::string pg_url_for(const std::string& database_name) {
  auto url = admin_url();
  auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + database_name;
}

TestDatabase::TestDatabase(store::Backend backend) : backend_(backend) {
  const auto suffix = store::new_uuid().substr(0, 8);
  if (backend == store::Backend::kPostgres) {
    pg_name_ = "nc_test_" + suffix;
    auto admin = store::open_database(admin_url());
    admin->execute(fmt::format("CREATE DATABASE {}", pg_name_));
    url_ = pg_url_for(pg_name_);
  } else {
    temp_dir_ = (std::filesystem::temp_directory_path() / ("nc-test-" + suffix)).string();
    std::filesystem::create_directories(temp_dir_);
    url_ = "sqlite:" + temp_dir_ + "/test.db";
  }
  database_ = store::open_database(url_);
  database_->use_clock(clock_);
  store::migrate(*database_);
}

TestDatabase::~TestDatabase() {
  database_.reset();
  if (!pg_name_.empty()) {
    auto admin = store::open_database(admin_url());
    admin->execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg_name_));
  }
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_);
}

std::unique_ptr<store::Database> TestDatabase::open_another() const {
  auto another = store::open_database(url_);
  another->use_clock(clock_);
  return another;
}

std::string seed_insert_sql(std::int64_t tg_user_id) {
  const auto user = std::to_string(tg_user_id);
  return R"sql(
INSERT INTO jobs (user_id, tg_user_id, idempotency_key, kind, template_id,
                  input_photo_path, product_info, status)
VALUES ((SELECT id FROM users WHERE tg_user_id = )sql" +
         user + "), " + user + R"sql(,
        'manual_test_' || extract(epoch from now())::text,
        'reels', 'self', 'https://picsum.photos/1080/1920',
        '{"text": "Test", "user_prompt": "A cinematic product showcase"}', 'queued');
)sql";
}

}  // namespace nc::testing
