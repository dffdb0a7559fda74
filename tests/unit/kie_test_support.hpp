// Helpers shared by the KIE tests: running a coroutine to completion on a test's io_context,
// and a hand-written HTTP request (no User-Agent unless the text has one).
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <string_view>

namespace nc::kie_testing {

template <typename T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

// Sends `request` as is to 127.0.0.1:port and returns everything the server answered.
inline std::string raw_http(unsigned short port, std::string_view request) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  std::string answer;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(answer), ec);  // until the server closes
  return answer;
}

// The port of an "http://127.0.0.1:PORT" base URL.
inline unsigned short port_of(const std::string& base_url) {
  return static_cast<unsigned short>(std::stoi(base_url.substr(base_url.rfind(':') + 1)));
}

}  // namespace nc::kie_testing
