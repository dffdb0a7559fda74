// generating → delivering: reads the task's status from the provider (the authority over any
// callback) at the model's pace until the job's deadline; fetches the finished video at once
// (provider links expire) and goes straight on to delivery.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/job.hpp"
#include "providers/provider.hpp"
#include "worker/deliver_step.hpp"
#include "worker/failures.hpp"
#include "worker/job_recorder.hpp"
#include "worker/model_choice.hpp"
#include "worker/options.hpp"
#include "worker/result_download.hpp"

namespace nc::worker {

class PollStep {
 public:
  PollStep(providers::Provider& provider, const ModelChoice& models, ResultDownload& download,
           DeliverStep& deliver, JobRecorder& recorder, Failures& failures,
           const WorkerOptions& options)
      : provider_(provider),
        models_(models),
        download_(download),
        deliver_(deliver),
        recorder_(recorder),
        failures_(failures),
        options_(options) {}

  boost::asio::awaitable<void> run(core::Job& job);

 private:
  providers::Provider& provider_;
  const ModelChoice& models_;
  ResultDownload& download_;
  DeliverStep& deliver_;
  JobRecorder& recorder_;
  Failures& failures_;
  const WorkerOptions& options_;
};

}  // namespace nc::worker
