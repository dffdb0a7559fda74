// A small HTTP/1.1 client for tests and fakes: one request per connection, http and https,
// awaitable on an executor or blocking on its own io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nc::fakes {

struct Url {
  std::string scheme;    // "http" or "https"
  std::string userinfo;  // "user:pass" or empty
  std::string host;
  unsigned short port = 0;
  std::string target;  // path and query, at least "/"
};

// http(s)://[userinfo@]host[:port][/path][?query]; nullopt for anything else.
std::optional<Url> parse_url(std::string_view url);

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with Content-Length when non-empty or method is POST/PUT
  std::chrono::milliseconds timeout{10'000};  // the whole exchange
  std::string trusted_certificate;            // https: PEM to trust; empty: no verification
};

struct HttpResult {
  int status = 0;                                            // 0: no answer, see error
  std::string error;                                         // connection error or timeout
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;

  std::optional<std::string> header(std::string_view name) const;
};

boost::asio::awaitable<HttpResult> http_call(HttpCall call);
// Opens and closes a TCP connection to the URL's host and port; the error, or empty.
boost::asio::awaitable<std::string> try_connect(Url url, std::chrono::milliseconds timeout);
HttpResult http_call_sync(HttpCall call);

// Shorthands for the blocking form.
HttpResult http_get(const std::string& url);
HttpResult http_post(const std::string& url, std::string content_type, std::string body);

}  // namespace nc::fakes
