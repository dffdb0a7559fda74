// Which model a job is made with: its own, else the provider's (one that renders locally has
// its own), else VIDEO_MODEL.
#pragma once

#include <string>

#include "core/job.hpp"
#include "core/models.hpp"

namespace nc::worker {

class ModelChoice {
 public:
  ModelChoice(const core::ModelRegistry& models, std::string default_model)
      : models_(models), default_model_(std::move(default_model)) {}

  std::string id_of(const core::Job& job) const {
    return job.model.empty() ? default_model_ : job.model;
  }
  // nullptr when the model is no longer in the registry.
  const core::ModelSpec* spec_of(const core::Job& job) const { return models_.find(id_of(job)); }

 private:
  const core::ModelRegistry& models_;
  std::string default_model_;
};

}  // namespace nc::worker
