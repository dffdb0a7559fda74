#include "worker/submit_request.hpp"

#include <cstdlib>

#include "core/prompt.hpp"

namespace nc::worker {

providers::SubmitRequest make_submit_request(const std::string& job_id,
                                             const core::ModelSpec& model,
                                             const core::VideoTemplate& format,
                                             const std::string& product_info_json,
                                             const std::string& image_url) {
  const auto input = core::parse_product_info(product_info_json);
  providers::SubmitRequest request;
  request.job_id = job_id;
  request.generation.model = model.id;
  request.generation.prompt = core::build_prompt(format, input, model.prompt_max_chars);
  request.generation.image_url = image_url;
  request.generation.aspect_ratio = "9:16";
  request.generation.duration_s =
      model.durations.empty()
          ? 0
          : std::atoi(core::ModelRegistry::pick_duration(model, format.duration_s).c_str());
  request.title = input.product;
  request.template_id = format.id;
  return request;
}

}  // namespace nc::worker
