#include "integration/worker_env.hpp"

#include "integration/run_binary.hpp"
#include "unit/media_test_support.hpp"

namespace nc::testing {

std::map<std::string, std::string> worker_env(const fakes::FakeBotApi& telegram,
                                              const fakes::FakeKie& kie,
                                              const std::string& database_url,
                                              const std::string& data_dir) {
  return {{"BOT_TOKEN", telegram.token()},
          {"TELEGRAM_API_URL", telegram.base_url()},
          {"DATABASE_URL", database_url},
          {"DATA_DIR", data_dir},
          {"HTTP_HOST", "127.0.0.1"},
          {"HTTP_PORT", std::to_string(free_port())},
          {"PROVIDER", "kie"},
          {"KIE_API_KEY", kie.api_key()},
          {"KIE_API_URL", kie.base_url()},
          {"KIE_UPLOAD_URL", kie.base_url()},
          {"RESULTS_FROM_PRIVATE_ADDRESSES", "yes"},  // the fake KIE serves results on loopback
          {"LOG_LEVEL", "debug"}};
}

fakes::FakeKieOptions kie_serving_video(const std::string& video_path) {
  media::testing::write_vertical_video(video_path);
  fakes::FakeKieOptions options;
  options.default_video = video_path;
  return options;
}

}  // namespace nc::testing
