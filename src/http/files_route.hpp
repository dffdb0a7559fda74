// GET /files/<name>?exp=&sig=: the input photos a provider fetches, by signed links that
// expire. A bad name, signature or expiry, or a missing file, is 404 (nothing to learn from it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "http/route.hpp"

namespace nc::http {

class FilesRoute final : public Route {
 public:
  FilesRoute(std::filesystem::path directory, std::string link_secret,
             std::function<std::int64_t()> unix_now)
      : directory_(std::move(directory)),
        link_secret_(std::move(link_secret)),
        unix_now_(std::move(unix_now)) {}
  std::string_view method() const override { return "GET"; }
  std::string_view path() const override { return "/files/"; }
  boost::asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request) override;

 private:
  std::filesystem::path directory_;
  std::string link_secret_;
  std::function<std::int64_t()> unix_now_;
};

}  // namespace nc::http
