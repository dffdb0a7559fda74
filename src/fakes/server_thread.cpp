// An HttpServer on its own thread for tests.
#include "fakes/server_thread.hpp"

#include <fmt/format.h>

#include <boost/asio/executor_work_guard.hpp>

namespace nc::fakes {

ServerThread::ServerThread(net::HttpServerOptions options)
    : tls_(!options.tls_cert_file.empty()),
      server_(std::make_unique<net::HttpServer>(io_, std::move(options))) {}

ServerThread::~ServerThread() {
  if (thread_.joinable()) {
    server_->stop();
    io_.stop();
    thread_.join();
  }
  server_.reset();
}

void ServerThread::start() {
  server_->start();
  thread_ = std::thread([this] {
    auto work = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

std::string ServerThread::url() const {
  return fmt::format("{}://127.0.0.1:{}", tls_ ? "https" : "http", server_->port());
}

}  // namespace nc::fakes
