// Outbound HTTP(S) for the whole service: libcurl's multi interface driven by an asio io_context,
// so thousands of requests can wait on the network at once without blocking a thread.
//
// Proxies come from the environment as libcurl reads them (https_proxy/HTTPS_PROXY, http_proxy,
// all_proxy/ALL_PROXY, no_proxy/NO_PROXY); the client never overrides them.
//
// Threading: an HttpClient belongs to one io_context that is run by a single thread. Construct,
// destroy and call it only on that thread; send() completes there too. Destroy it before the
// io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nc::net {

// One form field; a file part is streamed from disk while sending, never read whole into memory.
struct MultipartPart {
  std::string name;
  std::string value;         // for a plain field
  std::string file_path;     // non-empty: send this file
  std::string file_name;     // filename= in Content-Disposition (defaults to the basename)
  std::string content_type;  // optional
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http:// or https:// only
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                      // sent as is (set Content-Type yourself in headers)
  std::vector<MultipartPart> multipart;  // non-empty: multipart/form-data body, body ignored
  // Non-empty: a 2xx response body is streamed into this file (created/truncated) and `body`
  // stays empty. A non-2xx body is kept in `body` for diagnostics and the file is not touched.
  // On any failure no partial file is left behind.
  std::string download_to;
  std::chrono::milliseconds timeout{30000};  // whole transfer, 0 = none
  std::chrono::milliseconds connect_timeout{10000};
  std::size_t max_response_bytes = 64 * 1024 * 1024;  // larger -> error, partial file removed
  bool follow_redirects = true;                       // up to 5, http/https only
  // Refuses to talk to loopback, private or link-local peers (checked on every connection,
  // redirects included): for URLs that come from outside, such as a provider's result link.
  bool public_peers_only = false;
};

struct HttpResponse {
  long status = 0;  // 0 when no HTTP answer arrived
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased names, final response
  std::string error;  // non-empty for transport failures (timeout, refused, too large...)
  bool timed_out = false;

  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

struct HttpClientOptions {
  std::string user_agent = "NeuroCards";      // sent with every request
  std::size_t max_connections_per_host = 32;  // more requests queue inside libcurl
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io, HttpClientOptions options = {});
  // Requests still in flight are aborted; their awaiting coroutines resume with an error.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Never throws for HTTP or transport failures; they come back in HttpResponse. Cancelling the
  // awaiting operation (asio cancellation slot, e.g. `send(...) || timer`) aborts the transfer.
  // g++ 12 miscompiles aggregate temporaries inside a co_await expression: write
  // `HttpRequest request{...}; co_await client.send(std::move(request));`, not `send({...})`.
  boost::asio::awaitable<HttpResponse> send(HttpRequest request);

  // Requests started and not yet completed.
  std::size_t in_flight() const;

 private:
  class Engine;
  std::shared_ptr<Engine> engine_;
};

}  // namespace nc::net
