// An HTTP/1.1 (optionally HTTPS) server on the event loop whose handlers are coroutines.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nc::net {

struct HttpServerRequest {
  std::string method;                                        // as sent, e.g. "GET"
  std::string target;                                        // path and query as sent
  std::string path;                                          // percent-decoded, no query
  std::map<std::string, std::string> query;                  // url-decoded; last one wins
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_address;

  // First header with this name (any case).
  std::optional<std::string> header(std::string_view name) const;
  // The query parameter's value; "" when it is absent.
  std::string query_value(const std::string& name) const;
};

struct HttpServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string file_path;         // non-empty: the body is this file, streamed from disk
  bool drop_connection = false;  // close without answering (fakes simulating network faults)

  // A text/plain answer.
  static HttpServerResponse text(int status, std::string body) {
    HttpServerResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
  }
};

using HttpHandler = std::function<boost::asio::awaitable<HttpServerResponse>(HttpServerRequest)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;  // 0: any free port, see HttpServer::port()
  std::size_t body_limit = 1 << 20;
  std::chrono::seconds read_timeout{30};  // one request
  // A connection with no request under way (new, or kept alive after one) closes after this.
  std::chrono::seconds idle_timeout{15};
  // Connections served at once. At the cap a new connection takes the place of an idle one (a
  // client that sent nothing yet or is between requests); when none is idle it is closed at once.
  std::size_t max_connections = 4096;
  std::chrono::seconds write_timeout{30};   // each chunk of a response
  std::string tls_cert_file, tls_key_file;  // both set: HTTPS (PEM certificate chain and key)
};

// Serves requests on one io_context. Call route() before start(); start(), stop() and port()
// may be called from any thread. Destroy the server before its io_context.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Requests whose path starts with path_prefix go to handler; the longest matching prefix
  // wins. method "*" takes any method. No prefix matches: 404; prefix matches but not the
  // method: 405. A handler that throws answers 500.
  void route(std::string method, std::string path_prefix, HttpHandler handler);

  // Binds and accepts. Throws std::runtime_error naming the address when it cannot listen
  // (port taken, bad host) or the TLS files cannot be loaded.
  void start();

  // Stops accepting and closes idle connections; requests in progress are answered, then their
  // connections close.
  void stop();

  // The bound port (the chosen one when options.port was 0); 0 before start().
  unsigned short port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Decodes %XX escapes and '+' as space (query strings and form bodies). Bad escapes stay as-is.
std::string url_decode(std::string_view text);

}  // namespace nc::net
