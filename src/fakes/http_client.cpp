// A small HTTP/1.1 client for tests and fakes, on Beast; one connection per request.
#include "fakes/http_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <exception>

namespace nc::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kResponseLimit = 256 << 20;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16 |
                 static_cast<unsigned char>(in[i + 1]) << 8 | static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0})
      out += kAlphabet[(v >> shift) & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, http::request<http::string_body>& request,
                               HttpResult& result) {
  auto [write_ec, written] = co_await http::async_write(stream, request, kUseTuple);
  if (write_ec) {
    result.error = "cannot send the request: " + write_ec.message();
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseLimit);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  if (read_ec) {
    result.error = "no answer: " + read_ec.message();
    co_return;
  }
  auto response = parser.release();
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    result.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
  }
  result.body = std::move(response.body());
}

}  // namespace

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  url.port = url.scheme == "https" ? 443 : 80;
  auto rest = text.substr(scheme_end + 3);
  auto authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  auto path =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  path = path.substr(0, path.find('#'));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    url.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || host.find_first_of(" \t\r\n") != std::string_view::npos) return std::nullopt;
  url.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    url.port = static_cast<unsigned short>(value);
  }
  url.target = path.empty() ? "/" : std::string(path);
  if (url.target.front() == '?') url.target.insert(0, "/");
  return url;
}

std::optional<std::string> HttpResult::header(std::string_view name) const {
  auto wanted = to_lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

asio::awaitable<HttpResult> http_call(HttpCall call) {
  HttpResult result;
  auto url = parse_url(call.url);
  if (!url) {
    result.error = "invalid URL";
    co_return result;
  }
  auto executor = co_await asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + call.timeout;

  http::request<http::string_body> request;
  request.version(11);
  request.target(url->target);
  if (auto verb = http::string_to_verb(call.method); verb != http::verb::unknown) {
    request.method(verb);
  } else {
    request.method_string(call.method);
  }
  bool default_port = url->port == (url->scheme == "https" ? 443 : 80);
  request.set(http::field::host,
              default_port ? url->host : url->host + ":" + std::to_string(url->port));
  request.set(http::field::user_agent, "nc-test-client");
  request.keep_alive(false);
  if (!url->userinfo.empty())
    request.set(http::field::authorization, "Basic " + base64(url->userinfo));
  for (const auto& [name, value] : call.headers)
    request.insert(name, value);
  request.body() = std::move(call.body);
  request.prepare_payload();
  if (request.body().empty() && (call.method == "POST" || call.method == "PUT")) {
    request.content_length(0);
  }

  tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(url->host, std::to_string(url->port), kUseTuple);
  if (resolve_ec) {
    result.error = "cannot resolve " + url->host + ": " + resolve_ec.message();
    co_return result;
  }

  if (url->scheme == "https") {
    asio::ssl::context context(asio::ssl::context::tls_client);
    if (call.trusted_certificate.empty()) {
      context.set_verify_mode(asio::ssl::verify_none);
    } else {
      beast::error_code ec;
      context.add_certificate_authority(asio::buffer(call.trusted_certificate), ec);
      if (ec) {
        result.error = "the trusted certificate is not a PEM certificate";
        co_return result;
      }
      context.set_verify_mode(asio::ssl::verify_peer);
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, context);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_at(deadline);
    beast::error_code address_ec;
    asio::ip::make_address(url->host, address_ec);
    if (address_ec) SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
    auto [connect_ec, endpoint] = co_await lowest.async_connect(endpoints, kUseTuple);
    if (connect_ec) {
      result.error = "cannot connect: " + connect_ec.message();
      co_return result;
    }
    auto [handshake_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::client, kUseTuple);
    if (handshake_ec) {
      result.error = "TLS handshake failed: " + handshake_ec.message();
      co_return result;
    }
    co_await exchange(stream, request, result);
    co_await stream.async_shutdown(kUseTuple);
  } else {
    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kUseTuple);
    if (connect_ec) {
      result.error = "cannot connect: " + connect_ec.message();
      co_return result;
    }
    co_await exchange(stream, request, result);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }
  co_return result;
}

asio::awaitable<std::string> try_connect(Url url, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), kUseTuple);
  if (resolve_ec) co_return "Failed to resolve host: " + resolve_ec.message();
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kUseTuple);
  if (connect_ec) co_return "Failed to connect: " + connect_ec.message();
  co_return std::string{};
}

HttpResult http_call_sync(HttpCall call) {
  asio::io_context io;
  HttpResult out;
  asio::co_spawn(io, http_call(std::move(call)), [&](std::exception_ptr error, HttpResult result) {
    if (!error) {
      out = std::move(result);
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      out.error = e.what();
    }
  });
  io.run();
  return out;
}

HttpResult http_get(const std::string& url) {
  HttpCall call;
  call.url = url;
  return http_call_sync(std::move(call));
}

HttpResult http_post(const std::string& url, std::string content_type, std::string body) {
  HttpCall call;
  call.method = "POST";
  call.url = url;
  call.headers.emplace_back("Content-Type", std::move(content_type));
  call.body = std::move(body);
  return http_call_sync(std::move(call));
}

}  // namespace nc::fakes
