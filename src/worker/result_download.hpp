// Fetches a provider's finished video into DATA_DIR/results: provider links expire, so the
// video is ours as soon as the task succeeds. The link comes from outside: only a provider that
// renders on this host may name a local file (file://), and HTTP reaches public addresses only
// unless the operator allows more.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "core/job.hpp"
#include "net/http_client.hpp"
#include "worker/events.hpp"

namespace nc::worker {

struct DownloadPolicy {
  bool local_files = false;        // file:// links are taken (a provider rendering here)
  bool private_addresses = false;  // http(s) links may reach loopback and private networks
};

class ResultDownload {
 public:
  ResultDownload(net::HttpClient& http, WorkerEvents& events, DownloadPolicy policy)
      : http_(http), events_(events), policy_(policy) {}

  // false when it could not be fetched (logged).
  boost::asio::awaitable<bool> fetch(const core::Job& job, const std::string& url,
                                     const std::string& path);

 private:
  net::HttpClient& http_;
  WorkerEvents& events_;
  DownloadPolicy policy_;
};

}  // namespace nc::worker
