#include "worker/result_download.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace nc::worker {

namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kMaxResultBytes = 500LL << 20;
}

boost::asio::awaitable<bool> ResultDownload::fetch(const core::Job& job, const std::string& url,
                                                   const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  if (url.starts_with("file://")) {
    if (!policy_.local_files) {
      spdlog::error("job {}: the provider gave a local file as its result ({}); refused", job.id,
                    url);
      co_return false;
    }
    std::error_code error;
    fs::copy_file(url.substr(7), path, fs::copy_options::overwrite_existing, error);
    if (error) spdlog::error("job {}: cannot copy the result: {}", job.id, error.message());
    co_return !error;
  }
  net::HttpRequest request;
  request.url = url;
  request.download_to = path;
  request.max_response_bytes = kMaxResultBytes;
  request.timeout = std::chrono::minutes(5);
  request.public_peers_only = !policy_.private_addresses;
  auto response = co_await http_.send(std::move(request));
  if (events_.on_result_download) events_.on_result_download(response.ok());
  if (!response.ok()) {
    spdlog::warn("job {}: result download failed: {} (HTTP {})", job.id, response.error,
                 response.status);
  }
  co_return response.ok();
}

}  // namespace nc::worker
