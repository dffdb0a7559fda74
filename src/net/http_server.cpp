// The HTTP server: an accept loop and one coroutine per connection that reads a request, routes
// it, awaits the handler and writes the answer, each network step under its own deadline.
#include "net/http_server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>

#include "net/repeated_warning.hpp"

namespace nc::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = 16 * 1024;
// After an error answer the client may still be sending; reading a little of it before closing
// keeps the kernel from resetting the connection before the client has read the answer.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 4 << 20;
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(5);

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_as_space) {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    auto eq = piece.find('=');
    auto key = url_decode(piece.substr(0, eq));
    auto value = eq == std::string_view::npos ? std::string{} : url_decode(piece.substr(eq + 1));
    out.insert_or_assign(std::move(key), std::move(value));
  }
  return out;
}

// What stop() needs to reach a connection; touched only on the connection's strand.
struct Connection {
  asio::any_io_executor executor;
  beast::tcp_stream* stream = nullptr;  // null once the session has ended
  std::atomic<bool> idle{true};         // no request under way (read from the accept loop too)
  std::atomic<bool> evicted{false};     // chosen to make room for a new connection
};

struct Route {
  std::string method;
  std::string prefix;
  HttpHandler handler;
};

}  // namespace

std::string url_decode(std::string_view text) {
  return percent_decode(text, true);
}

std::optional<std::string> HttpServerRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::string HttpServerRequest::query_value(const std::string& name) const {
  const auto found = query.find(name);
  return found == query.end() ? std::string() : found->second;
}

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_context, HttpServerOptions server_options)
      : io_(io_context), options_(std::move(server_options)), acceptor_(asio::make_strand(io_)) {}

  asio::io_context& io_;
  HttpServerOptions options_;
  std::vector<Route> routes_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> tls_;
  std::atomic<unsigned short> bound_port_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards connections
  std::set<std::shared_ptr<Connection>> connections_;
  RepeatedWarning refused_;

  asio::awaitable<void> accept_loop();
  // Whether a new connection may be served: yes under the cap; at the cap, yes when an idle
  // connection can be closed to make room.
  bool admit();
  asio::awaitable<void> run_connection(tcp::socket socket);
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, Connection& connection, const std::string& remote);
  template <class Stream>
  asio::awaitable<bool> write_response(Stream& stream, unsigned version, bool head, bool keep_alive,
                                       HttpServerResponse response);
  template <class Stream, class Body>
  asio::awaitable<bool> write_message(Stream& stream, http::response<Body>& message, bool head);
  template <class Stream>
  asio::awaitable<void> reject(Stream& stream, int status, std::string text);
  asio::awaitable<HttpServerResponse> dispatch(HttpServerRequest request);
};

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    // Each connection on its own strand, so stop() can reach it safely from any thread.
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::any_io_executor(asio::make_strand(io_)), kUseTuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      spdlog::warn("http server: accept failed: {}", ec.message());
      // Typically out of file descriptors: pause rather than spin.
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    if (!admit()) {
      beast::error_code ignored;
      socket.close(ignored);
      refused_.warn(fmt::format("http server: {} connections, none idle; new ones are closed",
                                options_.max_connections));
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_connection(std::move(socket)), asio::detached);
  }
}

bool HttpServer::Impl::admit() {
  std::lock_guard lock(mutex_);
  if (connections_.size() < options_.max_connections) return true;
  for (const auto& connection : connections_) {
    if (!connection->idle || connection->evicted.exchange(true)) continue;
    asio::post(connection->executor, [connection] {
      if (connection->stream != nullptr && connection->idle) connection->stream->close();
    });
    return true;
  }
  return false;
}

asio::awaitable<void> HttpServer::Impl::run_connection(tcp::socket socket) {
  auto self = shared_from_this();
  auto connection = std::make_shared<Connection>();
  connection->executor = socket.get_executor();
  {
    std::lock_guard lock(mutex_);
    connections_.insert(connection);
  }
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  std::string remote = ec ? std::string{} : endpoint.address().to_string();
  try {
    if (tls_) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
      auto& lowest = beast::get_lowest_layer(stream);
      connection->stream = &lowest;
      lowest.expires_after(options_.read_timeout);
      auto [handshake_ec] =
          co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
      if (!handshake_ec) {
        co_await serve(stream, *connection, remote);
        if (lowest.socket().is_open()) {
          lowest.expires_after(kTlsShutdownTimeout);
          co_await stream.async_shutdown(kUseTuple);
        }
      } else {
        spdlog::debug("http server: TLS handshake with {} failed: {}", remote,
                      handshake_ec.message());
      }
      connection->stream = nullptr;
    } else {
      beast::tcp_stream stream(std::move(socket));
      connection->stream = &stream;
      co_await serve(stream, *connection, remote);
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      connection->stream = nullptr;
    }
  } catch (const std::exception& e) {
    connection->stream = nullptr;
    spdlog::error("http server: connection from {} failed: {}", remote, e.what());
  }
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::serve(Stream& stream, Connection& connection,
                                              const std::string& remote) {
  auto& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options_.body_limit);
    connection.idle = buffer.size() == 0;
    if (connection.idle && stopping_) co_return;
    lowest.expires_after(connection.idle ? std::min(options_.idle_timeout, options_.read_timeout)
                                         : options_.read_timeout);
    auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    connection.idle = false;
    if (ec == http::error::body_limit) {
      co_await reject(stream, 413, "Request Entity Too Large");
      co_return;
    }
    if (ec == http::error::header_limit) {
      co_await reject(stream, 431, "Request Header Fields Too Large");
      co_return;
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) co_return;
    if (ec && ec.category() == http::make_error_code(http::error::bad_method).category()) {
      co_await reject(stream, 400, "Bad Request");
      co_return;
    }
    if (ec) co_return;  // timeout, reset, closed by stop()

    auto message = parser.release();
    HttpServerRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    auto question = request.target.find('?');
    request.path = percent_decode(std::string_view(request.target).substr(0, question), false);
    if (question != std::string::npos) {
      request.query = parse_query(std::string_view(request.target).substr(question + 1));
    }
    for (const auto& field : message) {
      request.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote;

    auto response = co_await dispatch(std::move(request));
    if (response.drop_connection) co_return;
    bool keep_alive = message.keep_alive() && !stopping_;
    bool written =
        co_await write_response(stream, message.version(), message.method() == http::verb::head,
                                keep_alive, std::move(response));
    if (!written || !keep_alive) co_return;
  }
}

asio::awaitable<HttpServerResponse> HttpServer::Impl::dispatch(HttpServerRequest request) {
  std::size_t longest = 0;
  bool matched = false;
  for (const auto& route : routes_) {
    if (request.path.starts_with(route.prefix) && (!matched || route.prefix.size() > longest)) {
      longest = route.prefix.size();
      matched = true;
    }
  }
  if (!matched) co_return HttpServerResponse::text(404, "Not Found");
  const Route* chosen = nullptr;
  std::string allowed;
  for (const auto& route : routes_) {
    if (route.prefix.size() != longest || !request.path.starts_with(route.prefix)) continue;
    if (route.method == "*" || route.method == request.method) {
      chosen = &route;
      break;
    }
    allowed += allowed.empty() ? route.method : ", " + route.method;
  }
  if (chosen == nullptr) {
    auto response = HttpServerResponse::text(405, "Method Not Allowed");
    response.headers.emplace_back("Allow", allowed);
    co_return response;
  }
  std::string method = request.method;
  std::string failure;
  try {
    co_return co_await chosen->handler(std::move(request));
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  spdlog::error("http server: handler for {} {} failed: {}", method, chosen->prefix, failure);
  co_return HttpServerResponse::text(500, "Internal Server Error");
}

template <class Stream>
asio::awaitable<bool> HttpServer::Impl::write_response(Stream& stream, unsigned version, bool head,
                                                       bool keep_alive,
                                                       HttpServerResponse response) {
  auto status = response.status >= 100 && response.status <= 999 ? response.status : 500;
  auto fill = [&](auto& message) {
    message.result(static_cast<unsigned>(status));
    message.set(http::field::server, "neurocards");
    message.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers)
      message.insert(name, value);
    message.keep_alive(keep_alive);
  };
  if (!response.file_path.empty()) {
    http::file_body::value_type file;
    beast::error_code ec;
    file.open(response.file_path.c_str(), beast::file_mode::scan, ec);
    if (!ec) {
      http::response<http::file_body> message{http::status::ok, version, std::move(file)};
      fill(message);
      message.prepare_payload();
      co_return co_await write_message(stream, message, head);
    }
    spdlog::warn("http server: cannot open the file to send: {}", ec.message());
    bool missing = ec == beast::errc::no_such_file_or_directory;
    response = HttpServerResponse::text(missing ? 404 : 500,
                                        missing ? "Not Found" : "Internal Server Error");
    status = response.status;
  }
  http::response<http::string_body> message{http::status::ok, version, std::move(response.body)};
  fill(message);
  message.prepare_payload();
  co_return co_await write_message(stream, message, head);
}

template <class Stream, class Body>
asio::awaitable<bool> HttpServer::Impl::write_message(Stream& stream, http::response<Body>& message,
                                                      bool head) {
  auto& lowest = beast::get_lowest_layer(stream);
  http::response_serializer<Body> serializer{message};
  if (head) {
    lowest.expires_after(options_.write_timeout);
    auto [ec, bytes] = co_await http::async_write_header(stream, serializer, kUseTuple);
    co_return !ec;
  }
  // Chunk by chunk so that a large file gets a deadline per step, not for the whole transfer.
  while (!serializer.is_done()) {
    lowest.expires_after(options_.write_timeout);
    auto [ec, bytes] = co_await http::async_write_some(stream, serializer, kUseTuple);
    if (ec) co_return false;
  }
  co_return true;
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::reject(Stream& stream, int status, std::string text) {
  if (!co_await write_response(stream, 11, false, false,
                               HttpServerResponse::text(status, std::move(text)))) {
    co_return;
  }
  auto& lowest = beast::get_lowest_layer(stream);
  beast::error_code ec;
  lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
  lowest.expires_after(kLingerTimeout);
  std::array<char, 16 * 1024> scratch;
  std::size_t drained = 0;
  while (drained < kLingerBytes) {
    auto [read_ec, bytes] = co_await lowest.async_read_some(asio::buffer(scratch), kUseTuple);
    if (read_ec) break;
    drained += bytes;
  }
  lowest.close();
}

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::route(std::string method, std::string path_prefix, HttpHandler handler) {
  for (auto& route : impl_->routes_) {
    if (route.method == method && route.prefix == path_prefix) {
      route.handler = std::move(handler);
      return;
    }
  }
  impl_->routes_.push_back(Route{std::move(method), std::move(path_prefix), std::move(handler)});
}

void HttpServer::start() {
  auto& impl = *impl_;
  const auto& options = impl.options_;
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    throw std::runtime_error("HTTPS needs both a certificate file and a key file");
  }
  if (!options.tls_cert_file.empty()) {
    try {
      asio::ssl::context context(asio::ssl::context::tls_server);
      context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1);
      context.use_certificate_chain_file(options.tls_cert_file);
      context.use_private_key_file(options.tls_key_file, asio::ssl::context::pem);
      impl.tls_.emplace(std::move(context));
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(fmt::format("cannot load the TLS certificate {} or key {}: {}",
                                           options.tls_cert_file, options.tls_key_file,
                                           e.code().message()));
    }
  }

  auto fail = [&](const beast::error_code& ec) {
    return std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", options.host, options.port, ec.message()));
  };
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(impl.io_);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) throw fail(ec);
    if (results.empty()) throw fail(asio::error::host_not_found);
    endpoint = results.begin()->endpoint();
  }
  impl.acceptor_.open(endpoint.protocol(), ec);
  if (ec) throw fail(ec);
  impl.acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  impl.acceptor_.bind(endpoint, ec);
  if (!ec) impl.acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    impl.acceptor_.close(ignored);
    throw fail(ec);
  }
  impl.bound_port_ = impl.acceptor_.local_endpoint().port();
  asio::co_spawn(impl.acceptor_.get_executor(), impl.accept_loop(), asio::detached);
}

void HttpServer::stop() {
  auto impl = impl_;
  impl->stopping_ = true;
  asio::dispatch(impl->acceptor_.get_executor(), [impl] {
    beast::error_code ec;
    impl->acceptor_.close(ec);
  });
  std::lock_guard lock(impl->mutex_);
  for (const auto& connection : impl->connections_) {
    asio::post(connection->executor, [connection] {
      if (connection->stream != nullptr && connection->idle) connection->stream->close();
    });
  }
}

unsigned short HttpServer::port() const {
  return impl_->bound_port_;
}

}  // namespace nc::net
