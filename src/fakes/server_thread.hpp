// An HttpServer running on its own io_context thread, for tests that need a listener (a
// webhook receiver, a fake provider) beside the code under test.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <thread>

#include "net/http_server.hpp"

namespace nc::fakes {

class ServerThread {
 public:
  explicit ServerThread(net::HttpServerOptions options = {});
  ~ServerThread();  // stops the server and joins the thread
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  net::HttpServer& server() { return *server_; }  // add routes before start()
  boost::asio::io_context& io() { return io_; }
  void start();
  // "http://127.0.0.1:PORT" ("https://…" with TLS options).
  std::string url() const;

 private:
  bool tls_;
  boost::asio::io_context io_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread thread_;
};

}  // namespace nc::fakes
