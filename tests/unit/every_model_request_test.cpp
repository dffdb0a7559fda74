// Every KIE model in the registry with every video format, built by the worker's own request
// builder and sent to the fake KIE (which checks each model's allowed values the way KIE does):
// none is refused, Veo is always 9:16, and models that follow the image get no ratio at all.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fakes/fake_kie.hpp"
#include "kie_test_support.hpp"
#include "providers/kie/kie_client.hpp"
#include "worker/submit_request.hpp"

namespace nc::worker {
namespace {

using namespace std::chrono_literals;

TEST(EveryModelRequest, NoModelAndFormatIsRefusedAndEveryVideoIsVertical) {
  fakes::FakeKieOptions fake_options;
  fake_options.create_limit = 1000;  // this test is about values, not pacing
  fakes::FakeKie fake(fake_options);
  fake.start();
  boost::asio::io_context io;
  net::HttpClient http(io);
  providers::LocalCreateThrottle throttle({.max_creates = 1000, .window = 10s});
  const auto registry = core::ModelRegistry::defaults();
  const auto catalog = core::TemplateCatalog::defaults();
  providers::kie::KieProvider kie(
      http, registry, throttle,
      {.api_base = fake.base_url(), .upload_base = fake.base_url(), .api_key = fake.api_key()});
  // Long seller text: the prompt must still fit each model's limit.
  const auto product_info = nlohmann::json{
      {"text", std::string(900, 'x') + " кружка"},
      {"user_prompt",
       std::string(500, 'y')}}.dump();
  int sent = 0;
  for (const auto& model : registry.all()) {
    if (model.family == core::ApiFamily::kLocal) continue;
    for (const auto& format : catalog.all()) {
      const auto request = make_submit_request("job", model, format, product_info,
                                               "https://example.com/product-9x16.jpg");
      const auto created = kie_testing::run(io, kie.submit(request));
      EXPECT_TRUE(created.ok()) << model.id << " × " << format.id << ": " << created.error.message;
      ++sent;
    }
  }
  const auto tasks = fake.created_tasks();
  ASSERT_EQ(static_cast<int>(tasks.size()), sent);
  ASSERT_GE(sent, 4 * 6);  // Veo fast and quality, and at least two Market models
  for (const auto& task : tasks) {
    const auto* model = registry.find(task.model);
    ASSERT_NE(model, nullptr) << task.model;
    if (model->takes_aspect_ratio()) {
      EXPECT_EQ(task.aspect_ratio, "9:16") << task.model;
    } else {
      EXPECT_TRUE(task.aspect_field.empty()) << task.model << " got " << task.aspect_field;
    }
  }
  for (const auto& request : fake.requests())
    EXPECT_EQ(request.code, 200) << request.path;
}

}  // namespace
}  // namespace nc::worker
