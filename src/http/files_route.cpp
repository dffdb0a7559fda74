#include "http/files_route.hpp"

#include "net/signed_link.hpp"

namespace nc::http {
namespace {

std::string query_value(const net::HttpServerRequest& request, const std::string& name) {
  const auto found = request.query.find(name);
  return found == request.query.end() ? "" : found->second;
}

}  // namespace

boost::asio::awaitable<net::HttpServerResponse> FilesRoute::handle(net::HttpServerRequest request) {
  const auto name = request.path.substr(path().size());
  if (!net::is_safe_file_name(name) ||
      !net::verify_link(name, query_value(request, "exp"), query_value(request, "sig"), unix_now_(),
                        link_secret_) ||
      !std::filesystem::exists(directory_ / name)) {
    co_return net::HttpServerResponse::text(404, "not found");
  }
  net::HttpServerResponse response;
  response.content_type = "image/jpeg";
  response.file_path = (directory_ / name).string();
  co_return response;
}

}  // namespace nc::http
