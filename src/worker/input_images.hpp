// Where the provider reads a job's product photo: the photo itself for a provider that renders
// here; else a signed, expiring link to our /files (with a public address), or the provider's
// own upload (kept on the job until it expires). Video models that copy their input's shape
// get a 9:16 frame of it. A photo saved by a bot front on another host is restored from the store.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "core/job.hpp"
#include "core/models.hpp"
#include "imaging/imaging.hpp"
#include "net/blocking_pool.hpp"
#include "providers/provider.hpp"
#include "store/database.hpp"
#include "worker/options.hpp"

namespace nc::worker {

class InputImages {
 public:
  InputImages(store::Database& database, net::BlockingPool& pool, net::BlockingPool& media_pool,
              const media::Imaging& imaging, providers::Provider& provider,
              const WorkerOptions& options)
      : database_(database),
        pool_(pool),
        media_pool_(media_pool),
        imaging_(imaging),
        provider_(provider),
        options_(options) {}

  // The URL (or local path) to give the provider; "" with `error` set when there is none. A new
  // upload is recorded on `job` (provider_input_url and its expiry) for the caller to save.
  boost::asio::awaitable<std::string> resolve(core::Job& job, const core::ModelSpec& model,
                                              providers::ProviderError& error);

 private:
  void restore_photo(const std::string& path);

  store::Database& database_;
  net::BlockingPool& pool_;
  net::BlockingPool& media_pool_;
  const media::Imaging& imaging_;
  providers::Provider& provider_;
  const WorkerOptions& options_;
};

}  // namespace nc::worker
