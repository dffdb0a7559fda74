// The local provider: renders a real vertical MP4 from the product photo with ffmpeg on this
// machine. No key, no network: it makes `demo` and first runs real. A render survives a crash:
// the request is kept beside the output and started again when asked about.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <string>

#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "net/http_client.hpp"
#include "providers/provider.hpp"

namespace nc::providers {

class LocalProvider final : public Provider {
 public:
  LocalProvider(boost::asio::io_context& io, net::BlockingPool& pool, net::HttpClient& http,
                const media::Imaging& imaging, std::string data_dir);

  std::string_view name() const override { return "local"; }
  Capabilities capabilities() const override { return {.renders_locally = true}; }
  boost::asio::awaitable<SubmitResult> submit(const SubmitRequest& request) override;
  boost::asio::awaitable<TaskStatus> status(const std::string& model,
                                            const std::string& task_id) override;
  boost::asio::awaitable<UploadResult> upload_image(const std::string& local_path,
                                                    const std::string& unique_name) override;
  boost::asio::awaitable<std::optional<double>> account_balance() override;

 private:
  struct Render {
    bool running = false;
    std::string error;
  };
  void start_render(const std::string& task_id);
  std::string output_path(const std::string& task_id) const;
  std::string request_path(const std::string& task_id) const;

  boost::asio::io_context& io_;
  net::BlockingPool& pool_;
  net::HttpClient& http_;
  const media::Imaging& imaging_;
  std::string directory_;
  std::map<std::string, Render> renders_;
};

}  // namespace nc::providers
