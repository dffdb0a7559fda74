// submitting → generating: creates the job's task at the provider, once. A job that has a task
// is never created again; a create begun by a worker that was cut off is waited for before a
// second one is risked; the create is recorded as under way right before it leaves.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/job.hpp"
#include "core/templates.hpp"
#include "providers/provider.hpp"
#include "worker/events.hpp"
#include "worker/failures.hpp"
#include "worker/input_images.hpp"
#include "worker/job_recorder.hpp"
#include "worker/model_choice.hpp"
#include "worker/options.hpp"

namespace nc::worker {

class SubmitStep {
 public:
  SubmitStep(providers::Provider& provider, InputImages& inputs, const ModelChoice& models,
             const core::TemplateCatalog& catalog, JobRecorder& recorder, Failures& failures,
             const WorkerOptions& options, WorkerEvents& events)
      : provider_(provider),
        inputs_(inputs),
        models_(models),
        catalog_(catalog),
        recorder_(recorder),
        failures_(failures),
        options_(options),
        events_(events) {}

  boost::asio::awaitable<void> run(core::Job& job);

 private:
  boost::asio::awaitable<void> save_created_task(core::Job& job, const std::string& token,
                                                 const providers::SubmitResult& result);

  providers::Provider& provider_;
  InputImages& inputs_;
  const ModelChoice& models_;
  const core::TemplateCatalog& catalog_;
  JobRecorder& recorder_;
  Failures& failures_;
  const WorkerOptions& options_;
  WorkerEvents& events_;
};

}  // namespace nc::worker
