// Fetches a provider's finished video into DATA_DIR/results: provider links expire, so the
// video is ours as soon as the task succeeds. file:// results (local renders) are copied.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "core/job.hpp"
#include "net/http_client.hpp"
#include "worker/events.hpp"

namespace nc::worker {

class ResultDownload {
 public:
  ResultDownload(net::HttpClient& http, WorkerEvents& events) : http_(http), events_(events) {}

  // false when it could not be fetched (logged).
  boost::asio::awaitable<bool> fetch(const core::Job& job, const std::string& url,
                                     const std::string& path);

 private:
  net::HttpClient& http_;
  WorkerEvents& events_;
};

}  // namespace nc::worker
