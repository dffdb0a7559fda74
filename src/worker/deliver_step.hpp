// delivering → done: sends the finished video to the seller with the buttons for what next.
// `done` means the seller has it, or blocked the bot; a video Telegram refuses for good, or
// that still fails after the retries, fails the job and is refunded.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/job.hpp"
#include "net/blocking_pool.hpp"
#include "store/database.hpp"
#include "telegram/bot_api.hpp"
#include "worker/events.hpp"
#include "worker/failures.hpp"
#include "worker/job_recorder.hpp"
#include "worker/options.hpp"
#include "worker/result_download.hpp"
#include "worker/user_messages.hpp"

namespace nc::worker {

class DeliverStep {
 public:
  DeliverStep(store::Database& database, net::BlockingPool& pool, net::BlockingPool& media_pool,
              telegram::BotTransport& telegram, const UserMessages& messages,
              ResultDownload& download, JobRecorder& recorder, Failures& failures,
              const WorkerOptions& options, WorkerEvents& events)
      : database_(database),
        pool_(pool),
        media_pool_(media_pool),
        telegram_(telegram),
        messages_(messages),
        download_(download),
        recorder_(recorder),
        failures_(failures),
        options_(options),
        events_(events) {}

  boost::asio::awaitable<void> run(core::Job& job);

 private:
  store::Database& database_;
  net::BlockingPool& pool_;
  net::BlockingPool& media_pool_;
  telegram::BotTransport& telegram_;
  const UserMessages& messages_;
  ResultDownload& download_;
  JobRecorder& recorder_;
  Failures& failures_;
  const WorkerOptions& options_;
  WorkerEvents& events_;
};

}  // namespace nc::worker
