// What the worker asks the provider for, built in one place: the format's prompt with the
// seller's words, always 9:16 (models that follow the image get a 9:16 image instead), and the
// model's nearest allowed duration.
#pragma once

#include <string>

#include "core/models.hpp"
#include "core/templates.hpp"
#include "providers/provider.hpp"

namespace nc::worker {

providers::SubmitRequest make_submit_request(const std::string& job_id,
                                             const core::ModelSpec& model,
                                             const core::VideoTemplate& format,
                                             const std::string& product_info_json,
                                             const std::string& image_url);

}  // namespace nc::worker
