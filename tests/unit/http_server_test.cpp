// Tests of the HTTP server: routing, limits, malformed input, keep-alive, files, TLS, failures.
#include "net/http_server.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <stdexcept>
#include <thread>

#include "fakes/http_client.hpp"
#include "fakes/self_signed_certificate.hpp"
#include "fakes/server_thread.hpp"

namespace nc::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using fakes::http_get;
using fakes::http_post;
using fakes::ServerThread;

HttpHandler reply_with(std::string body) {
  return [body](HttpServerRequest) -> asio::awaitable<HttpServerResponse> {
    HttpServerResponse response;
    response.body = body;
    co_return response;
  };
}

// A client connection driven by hand, for what the request helpers hide: raw bytes, several
// requests on one connection, watching for the server closing. Every step has a deadline.
class RawConnection {
 public:
  explicit RawConnection(unsigned short port) {
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void send(std::string_view bytes) { asio::write(stream_.socket(), asio::buffer(bytes)); }

  // The next response, or a failed expectation when none arrives within 5 s.
  http::response<http::string_body> read_response() {
    http::response<http::string_body> response;
    beast::error_code result;
    stream_.expires_after(5s);
    http::async_read(stream_, buffer_, response,
                     [&](beast::error_code ec, std::size_t) { result = ec; });
    run();
    EXPECT_FALSE(result) << result.message();
    return response;
  }

  // True when the server closes the connection within `within`.
  bool closed_within(std::chrono::milliseconds within) {
    char byte = 0;
    beast::error_code result;
    stream_.expires_after(within);
    stream_.async_read_some(asio::buffer(&byte, 1),
                            [&](beast::error_code ec, std::size_t) { result = ec; });
    run();
    return result == asio::error::eof || result == asio::error::connection_reset;
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

std::filesystem::path make_temp_dir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("nc_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(HttpServer, RoutesByLongestPrefixThenMethod) {
  ServerThread server;
  server.server().route("GET", "/api", reply_with("api"));
  server.server().route("GET", "/api/items", reply_with("items"));
  server.server().route("POST", "/api/items",
                        [](HttpServerRequest request) -> asio::awaitable<HttpServerResponse> {
                          HttpServerResponse response;
                          response.status = 201;
                          response.body = "got " + request.body;
                          co_return response;
                        });
  server.start();

  EXPECT_EQ(http_get(server.url() + "/api/items/5").body, "items");
  EXPECT_EQ(http_get(server.url() + "/api/other").body, "api");
  auto created = http_post(server.url() + "/api/items", "text/plain", "abc");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.body, "got abc");
  EXPECT_EQ(http_get(server.url() + "/nothing").status, 404);

  fakes::HttpCall remove;
  remove.method = "DELETE";
  remove.url = server.url() + "/api/items/5";
  auto refused = fakes::http_call_sync(remove);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.header("allow"), "GET, POST");
}

TEST(HttpServer, DecodesPathQueryAndHeaders) {
  ServerThread server;
  server.server().route(
      "GET", "/echo", [](HttpServerRequest request) -> asio::awaitable<HttpServerResponse> {
        HttpServerResponse response;
        response.body = request.method + "|" + request.path + "|" + request.query["x"] + "|" +
                        request.query["name"] + "|" + request.header("X-Custom").value_or("-") +
                        "|" + request.remote_address;
        co_return response;
      });
  server.start();

  fakes::HttpCall call;
  call.url = server.url() + "/echo/a%20b+c?x=1+2%26&name=%D0%AF";
  call.headers.emplace_back("X-CUSTOM", "value");
  auto result = fakes::http_call_sync(call);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "GET|/echo/a b+c|1 2&|\xD0\xAF|value|127.0.0.1");
  EXPECT_EQ(result.header("content-type"), "text/plain; charset=utf-8");
}

TEST(HttpServer, HandlersAwaitWithoutBlockingOthers) {
  ServerThread server;
  server.server().route("GET", "/slow",
                        [](HttpServerRequest) -> asio::awaitable<HttpServerResponse> {
                          asio::steady_timer timer(co_await asio::this_coro::executor, 600ms);
                          co_await timer.async_wait(asio::use_awaitable);
                          co_return HttpServerResponse{.body = "slow"};
                        });
  server.server().route("GET", "/fast", reply_with("fast"));
  server.start();

  auto slow = std::async(std::launch::async, [&] { return http_get(server.url() + "/slow"); });
  std::this_thread::sleep_for(100ms);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(http_get(server.url() + "/fast").body, "fast");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 400ms);
  EXPECT_EQ(slow.get().body, "slow");
}

TEST(HttpServer, BodyOverTheLimitGets413AndClose) {
  ServerThread server(HttpServerOptions{.body_limit = 1024});
  server.server().route("POST", "/upload",
                        [](HttpServerRequest request) -> asio::awaitable<HttpServerResponse> {
                          co_return HttpServerResponse{.body = std::to_string(request.body.size())};
                        });
  server.start();

  EXPECT_EQ(http_post(server.url() + "/upload", "text/plain", std::string(1024, 'a')).body, "1024");
  auto rejected = http_post(server.url() + "/upload", "text/plain", std::string(4096, 'a'));
  EXPECT_EQ(rejected.status, 413);
  EXPECT_EQ(rejected.header("connection"), "close");

  // The length alone is enough to refuse: the answer comes before the body is sent.
  RawConnection connection(server.server().port());
  connection.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
  EXPECT_EQ(connection.read_response().result_int(), 413u);
  EXPECT_TRUE(connection.closed_within(3s));
}

TEST(HttpServer, GarbageGets400AndClose) {
  ServerThread server;
  server.server().route("GET", "/", reply_with("root"));
  server.start();

  RawConnection connection(server.server().port());
  connection.send(std::string("\x16\x03\x01\x02\x00\x01\x00 garbage\r\n\r\n", 19));
  auto response = connection.read_response();
  EXPECT_EQ(response.result_int(), 400u);
  EXPECT_EQ(response.body(), "Bad Request");
  EXPECT_TRUE(connection.closed_within(3s));

  RawConnection bad_version(server.server().port());
  bad_version.send("GET / HTTP/9.x\r\n\r\n");
  EXPECT_EQ(bad_version.read_response().result_int(), 400u);
}

TEST(HttpServer, KeepsTheConnectionAliveBetweenRequests) {
  std::atomic<int> served = 0;
  ServerThread server;
  server.server().route("GET", "/count",
                        [&served](HttpServerRequest) -> asio::awaitable<HttpServerResponse> {
                          co_return HttpServerResponse{.body = std::to_string(++served)};
                        });
  server.start();

  RawConnection connection(server.server().port());
  connection.send("GET /count HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = connection.read_response();
  EXPECT_EQ(first.body(), "1");
  EXPECT_TRUE(first.keep_alive());
  connection.send("GET /count HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(connection.read_response().body(), "2");
  connection.send("GET /count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto last = connection.read_response();
  EXPECT_EQ(last.body(), "3");
  EXPECT_FALSE(last.keep_alive());
  EXPECT_TRUE(connection.closed_within(3s));
}

TEST(HttpServer, IdleConnectionsCloseAfterTheReadTimeout) {
  ServerThread server(HttpServerOptions{.read_timeout = std::chrono::seconds(1)});
  server.server().route("GET", "/", reply_with("root"));
  server.start();

  RawConnection connection(server.server().port());
  connection.send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finished
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(connection.closed_within(4s));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
}

// Thousands of connections that send nothing, and one that sends a request a few bytes at a
// time, do not keep a seller's update out: past the cap, a new connection takes an idle one's
// place.
TEST(HttpServer, IdleConnectionsCannotCrowdOutARequest) {
  constexpr int kIdle = 2000;
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = std::max<rlim_t>(files.rlim_cur, std::min<rlim_t>(files.rlim_max, 8192));
  ::setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < kIdle + 500) GTEST_SKIP() << "too few file descriptors";

  ServerThread server(HttpServerOptions{.max_connections = 100});
  server.server().route("POST", "/tg/webhook", reply_with("ok"));
  server.start();
  RawConnection slow(server.server().port());
  slow.send("POST /tg/webhook HTTP/1.1\r\nHost: x\r\nContent-");
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> idle;
  for (int i = 0; i < kIdle; ++i) {
    idle.emplace_back(io).connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.server().port()));
    idle.back().non_blocking(true);
  }
  // The server closes all but about its cap of them as it accepts the rest.
  auto closed_by_server = [&] {
    int closed = 0;
    for (auto& socket : idle) {
      char byte = 0;
      beast::error_code ec;
      socket.read_some(asio::buffer(&byte, 1), ec);
      closed += ec == asio::error::eof || ec == asio::error::connection_reset;
    }
    return closed;
  };
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  int closed = 0;
  while ((closed = closed_by_server()) < kIdle - 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_GE(closed, kIdle - 100);

  const auto seller = http_post(server.url() + "/tg/webhook", "application/json", "{}");
  EXPECT_EQ(seller.status, 200);
  EXPECT_EQ(seller.body, "ok");
}

TEST(HttpServer, StreamsFileBodies) {
  auto dir = make_temp_dir("http_file");
  std::string content;
  for (int i = 0; i < 50'000; ++i)
    content += static_cast<char>('a' + i % 26);
  content += std::string("\0\xff end", 6);
  std::ofstream(dir / "video.bin", std::ios::binary) << content;

  ServerThread server;
  server.server().route("GET", "/files/",
                        [dir](HttpServerRequest request) -> asio::awaitable<HttpServerResponse> {
                          HttpServerResponse response;
                          response.content_type = "video/mp4";
                          response.file_path = (dir / request.path.substr(7)).string();
                          co_return response;
                        });
  server.start();

  auto found = http_get(server.url() + "/files/video.bin");
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.header("content-type"), "video/mp4");
  EXPECT_EQ(found.header("content-length"), std::to_string(content.size()));
  EXPECT_EQ(found.body, content);
  EXPECT_EQ(http_get(server.url() + "/files/missing.bin").status, 404);
  std::filesystem::remove_all(dir);
}

TEST(HttpServer, HandlerExceptionGives500WithoutDetails) {
  ServerThread server;
  server.server().route("GET", "/boom",
                        [](HttpServerRequest) -> asio::awaitable<HttpServerResponse> {
                          throw std::runtime_error("database password is hunter2");
                          co_return HttpServerResponse{};
                        });
  server.server().route("GET", "/fine", reply_with("fine"));
  server.start();

  auto failed = http_get(server.url() + "/boom");
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body, "Internal Server Error");
  EXPECT_EQ(http_get(server.url() + "/fine").body, "fine");
}

TEST(HttpServer, ServesHttpsWithASelfSignedCertificate) {
  auto dir = make_temp_dir("http_tls");
  auto certificate = fakes::make_self_signed_certificate(dir);
  ServerThread server(HttpServerOptions{.tls_cert_file = certificate.certificate.string(),
                                        .tls_key_file = certificate.key.string()});
  server.server().route("GET", "/", reply_with("secure"));
  server.start();
  ASSERT_EQ(server.url().substr(0, 8), "https://");

  fakes::HttpCall trusted;
  trusted.url = server.url() + "/";
  trusted.trusted_certificate = certificate.certificate_pem;
  auto result = fakes::http_call_sync(trusted);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "secure");

  // A client that trusts another certificate must refuse this one.
  auto other = fakes::make_self_signed_certificate(make_temp_dir("http_tls_other"));
  trusted.trusted_certificate = other.certificate_pem;
  auto refused = fakes::http_call_sync(trusted);
  EXPECT_EQ(refused.status, 0);
  EXPECT_NE(refused.error.find("TLS handshake failed"), std::string::npos) << refused.error;

  // Plain HTTP to the TLS port gets no HTTP answer.
  auto plain = http_get("http://127.0.0.1:" + std::to_string(server.server().port()) + "/");
  EXPECT_EQ(plain.status, 0);
  std::filesystem::remove_all(dir);
}

TEST(HttpServer, BadTlsFilesFailAtStart) {
  asio::io_context io;
  HttpServer server(io, HttpServerOptions{.tls_cert_file = "/nonexistent/cert.pem",
                                          .tls_key_file = "/nonexistent/key.pem"});
  try {
    server.start();
    FAIL() << "start() accepted missing certificate files";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cert.pem"), std::string::npos) << e.what();
  }
}

TEST(HttpServer, TakenPortFailsWithAClearMessage) {
  ServerThread first;
  first.start();
  auto port = first.server().port();
  ASSERT_NE(port, 0);

  asio::io_context io;
  HttpServer second(io, HttpServerOptions{.port = port});
  try {
    second.start();
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  }
}

TEST(HttpServer, StopClosesIdleConnectionsAndRefusesNewOnes) {
  ServerThread server;
  server.server().route("GET", "/", reply_with("root"));
  server.start();
  auto port = server.server().port();

  RawConnection connection(port);
  connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(connection.read_response().body(), "root");
  server.server().stop();
  EXPECT_TRUE(connection.closed_within(3s));
  auto refused = http_get("http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_EQ(refused.status, 0);
  EXPECT_NE(refused.error.find("cannot connect"), std::string::npos) << refused.error;
}

TEST(HttpServer, UrlDecodeHandlesEscapesPlusAndBadInput) {
  EXPECT_EQ(url_decode("a%20b+c"), "a b c");
  EXPECT_EQ(url_decode("%41%4a%4A"), "AJJ");
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(url_decode(""), "");
}

}  // namespace
}  // namespace nc::net
