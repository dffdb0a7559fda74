// What tests that run real `neurocards worker` processes against the fake Telegram and the fake
// KIE share: the settings of such a process and a fake KIE that serves a real vertical video.
#pragma once

#include <map>
#include <string>

#include "fakes/fake_bot_api.hpp"
#include "fakes/fake_kie.hpp"

namespace nc::testing {

// A worker on `database_url` with its own DATA_DIR, a free HTTP port, both fakes, debug logs.
std::map<std::string, std::string> worker_env(const fakes::FakeBotApi& telegram,
                                              const fakes::FakeKie& kie,
                                              const std::string& database_url,
                                              const std::string& data_dir);

// The fake KIE's default options, its results a real vertical video written to `video_path`.
fakes::FakeKieOptions kie_serving_video(const std::string& video_path);

}  // namespace nc::testing
