#include "providers/local/local_provider.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nc::providers {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

ProviderError permanent(std::string message, std::string user_reason) {
  ProviderError error;
  error.kind = ErrorClass::kPermanent;
  error.message = std::move(message);
  error.user_reason = std::move(user_reason);
  return error;
}

}  // namespace

LocalProvider::LocalProvider(asio::io_context& io, net::BlockingPool& pool, net::HttpClient& http,
                             const media::Imaging& imaging, std::string data_dir)
    : io_(io),
      pool_(pool),
      http_(http),
      imaging_(imaging),
      directory_((fs::path(data_dir) / "local").string()) {
  fs::create_directories(directory_);
}

std::string LocalProvider::output_path(const std::string& task_id) const {
  return (fs::path(directory_) / (task_id + ".mp4")).string();
}

std::string LocalProvider::request_path(const std::string& task_id) const {
  return (fs::path(directory_) / (task_id + ".json")).string();
}

asio::awaitable<SubmitResult> LocalProvider::submit(const SubmitRequest& request) {
  SubmitResult result;
  result.task_id = "local-" + request.job_id;
  std::string photo = request.generation.image_url;
  if (photo.starts_with("http://") || photo.starts_with("https://")) {
    // A ready-made public image (e.g. inserted by hand): fetch it once for ffmpeg.
    net::HttpRequest download;
    download.url = photo;
    download.download_to = (fs::path(directory_) / (result.task_id + ".input")).string();
    download.max_response_bytes = 30 << 20;
    auto response = co_await http_.send(std::move(download));
    if (!response.ok()) {
      result.error = permanent("cannot fetch input image: " + response.error + " (HTTP " +
                                   std::to_string(response.status) + ")",
                               "the product photo could not be loaded");
      co_return result;
    }
    photo = (fs::path(directory_) / (result.task_id + ".input")).string();
  }
  if (!fs::exists(photo)) {
    result.error = permanent("input image " + photo + " does not exist",
                             "the product photo is no longer available");
    co_return result;
  }
  const bool go_ahead = co_await request.may_send();
  if (!go_ahead) {
    result.error.kind = ErrorClass::kTransient;
    result.error.message = "not started: the job was taken over";
    co_return result;
  }
  std::ofstream(request_path(result.task_id)) << nlohmann::json{
      {"photo", photo},
      {"title", request.title},
      {"template_id", request.template_id},
      {"take", request.take}}.dump();
  start_render(result.task_id);
  co_return result;
}

void LocalProvider::start_render(const std::string& task_id) {
  renders_[task_id] = Render{.running = true};
  asio::co_spawn(
      io_,
      [this, task_id]() -> asio::awaitable<void> {
        // Captures by reference only: a lambda owning a string must not be a temporary inside
        // co_await (g++ 12 destroys it twice).
        auto outcome = co_await pool_.run([this, &task_id] {
          std::ifstream in(request_path(task_id));
          std::stringstream text;
          text << in.rdbuf();
          const auto saved = nlohmann::json::parse(text.str(), nullptr, false);
          media::RenderRequest render;
          render.photo_path = saved.value("photo", "");
          render.title = saved.value("title", "");
          render.template_id = saved.value("template_id", "self");
          render.take = saved.value("take", 0);
          render.out_path = output_path(task_id);
          return imaging_.render_product_video(render);
        });
        auto& state = renders_[task_id];
        state.running = false;
        if (on_exchange) on_exchange("render", outcome.ok ? "ok" : "failed");
        if (!outcome.ok) {
          state.error = outcome.error;
          spdlog::error("local render {} failed: {}", task_id, outcome.error);
        }
      },
      asio::detached);
}

asio::awaitable<TaskStatus> LocalProvider::status(const std::string&, const std::string& task_id) {
  TaskStatus status;
  if (fs::exists(output_path(task_id))) {
    status.state = TaskState::kSucceeded;
    status.result_urls = {"file://" + output_path(task_id)};
    co_return status;
  }
  auto it = renders_.find(task_id);
  if (it == renders_.end()) {
    // Started before a restart: render again from the kept request.
    if (!fs::exists(request_path(task_id))) {
      status.state = TaskState::kFailed;
      status.error = permanent("unknown local task " + task_id, "the video could not be made");
      co_return status;
    }
    start_render(task_id);
    co_return status;
  }
  if (!it->second.running && !it->second.error.empty()) {
    status.state = TaskState::kFailed;
    status.error = permanent(it->second.error, "the video could not be rendered");
  }
  co_return status;
}

asio::awaitable<UploadResult> LocalProvider::upload_image(const std::string& local_path,
                                                          const std::string&) {
  UploadResult result;
  result.url = local_path;  // rendered here: the file itself is reachable
  result.expires_at = std::chrono::system_clock::time_point::max();
  co_return result;
}

asio::awaitable<std::optional<double>> LocalProvider::account_balance() {
  co_return std::nullopt;
}

}  // namespace nc::providers
