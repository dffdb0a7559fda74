#include "http/files_route.hpp"

#include "net/signed_link.hpp"

namespace nc::http {
boost::asio::awaitable<net::HttpServerResponse> FilesRoute::handle(net::HttpServerRequest request) {
  const auto name = request.path.substr(path().size());
  if (!net::is_safe_file_name(name) ||
      !net::verify_link(name, request.query_value("exp"), request.query_value("sig"), unix_now_(),
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
