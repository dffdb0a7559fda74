// Where intake (polling or webhook) hands each update. deliver() returns once the update's
// effects are committed, so intake can confirm it to Telegram (webhook 200, polling offset).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "telegram/types.hpp"

namespace nc::telegram {

class UpdateSink {
 public:
  virtual ~UpdateSink() = default;
  // Throws when the update could not be handled now (e.g. the database is down); intake then
  // leaves it unconfirmed so Telegram delivers it again.
  virtual boost::asio::awaitable<void> deliver(Update update) = 0;
  // An update that failed to parse: recorded so it is not fetched forever.
  virtual boost::asio::awaitable<void> skip(std::int64_t update_id) = 0;
};

}  // namespace nc::telegram
