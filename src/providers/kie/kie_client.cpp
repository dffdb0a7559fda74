// KIE requests: body building per API family from the model registry, the calls themselves,
// and reading their answers into the Provider results.
#include "providers/kie/kie_client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

#include "providers/kie/kie_records.hpp"
#include "providers/kie/percent_encode.hpp"

// g++ 12 inlines asio's coroutine-frame allocation (aligned_alloc) and then mistakes the
// frame's own operator delete for a mismatch; asio frees those frames with the matching call.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace nc::providers::kie {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

constexpr std::string_view kDefaultUserAgent = "NeuroCards/0.1";
constexpr std::string_view kVeoGenerate = "/api/v1/veo/generate";
constexpr std::string_view kVeoRecord = "/api/v1/veo/record-info";
constexpr std::string_view kMarketCreate = "/api/v1/jobs/createTask";
constexpr std::string_view kMarketRecord = "/api/v1/jobs/recordInfo";
constexpr std::string_view kCredit = "/api/v1/chat/credit";
constexpr std::string_view kStreamUpload = "/api/file-stream-upload";
// Veo's image-to-video mode; one image makes it the first frame.
constexpr std::string_view kVeoImageMode = "FIRST_AND_LAST_FRAMES_2_VIDEO";

ProviderError local_error(ErrorClass kind, std::string message, std::string user_reason) {
  ProviderError error;
  error.kind = kind;
  error.message = std::move(message);
  error.user_reason = std::move(user_reason);
  return error;
}

std::string trim_slash(std::string text) {
  while (!text.empty() && text.back() == '/')
    text.pop_back();
  return text;
}

json image_value(const core::ModelSpec& spec, const std::string& url) {
  if (!spec.image_field_is_array) return url;
  json list = json::array();
  list.push_back(url);
  return list;
}

json veo_body(const core::ModelSpec& spec, const SubmitRequest& request) {
  const auto& generation = request.generation;
  json body = json::object();
  body["prompt"] = generation.prompt;
  body["model"] = spec.id;
  if (!generation.image_url.empty()) {
    body[spec.image_field] = image_value(spec, generation.image_url);
    body["generationType"] = kVeoImageMode;
  }
  // Always sent: when it is missing Veo renders 16:9 without a word.
  body[spec.aspect_field] = generation.aspect_ratio;
  body["enableTranslation"] = true;
  if (!request.callback_url.empty()) body["callBackUrl"] = request.callback_url;
  return body;
}

// Inputs a model requires that the registry has no column for, with the value we always want.
void add_fixed_inputs(const core::ModelSpec& spec, json& input) {
  if (spec.id == "kling-2.6/image-to-video") input["sound"] = false;
}

json market_body(const core::ModelSpec& spec, const SubmitRequest& request) {
  const auto& generation = request.generation;
  json input = json::object();
  input["prompt"] = generation.prompt;
  if (!spec.image_field.empty() && !generation.image_url.empty()) {
    input[spec.image_field] = image_value(spec, generation.image_url);
  }
  if (spec.takes_aspect_ratio()) input[spec.aspect_field] = generation.aspect_ratio;
  if (!spec.duration_field.empty() && !spec.durations.empty()) {
    const auto duration = core::ModelRegistry::pick_duration(spec, generation.duration_s);
    if (spec.duration_is_string) {
      input[spec.duration_field] = duration;
    } else {
      input[spec.duration_field] = std::stoi(duration);
    }
  }
  if (!spec.resolution_field.empty()) {
    const auto& resolution = spec.default_resolution.empty() && !spec.resolutions.empty()
                                 ? spec.resolutions.front()
                                 : spec.default_resolution;
    if (!resolution.empty()) input[spec.resolution_field] = resolution;
  }
  add_fixed_inputs(spec, input);

  json body = json::object();
  body["model"] = spec.id;
  if (!request.callback_url.empty()) body["callBackUrl"] = request.callback_url;
  body["input"] = std::move(input);
  return body;
}

std::string string_member(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string content_type_for(const std::string& path) {
  auto extension = std::filesystem::path(path).extension().string();
  for (auto& c : extension)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (extension == ".png") return "image/png";
  if (extension == ".webp") return "image/webp";
  return "image/jpeg";
}

}  // namespace

KieProvider::KieProvider(net::HttpClient& http, core::ModelRegistry registry,
                         CreateThrottle& throttle, KieOptions options)
    : http_(http),
      registry_(std::move(registry)),
      throttle_(throttle),
      options_(std::move(options)),
      callbacks_(options_.public_base_url, options_.callback_secret) {
  options_.api_base = trim_slash(std::move(options_.api_base));
  options_.upload_base = trim_slash(std::move(options_.upload_base));
  if (options_.user_agent.empty()) options_.user_agent = kDefaultUserAgent;
}

net::HttpRequest KieProvider::make_request(std::string method, std::string url,
                                           std::chrono::milliseconds timeout) const {
  net::HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.timeout = timeout;
  request.connect_timeout = options_.connect_timeout;
  request.max_response_bytes = 1 << 20;
  request.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  request.headers.emplace_back("User-Agent", options_.user_agent);
  request.headers.emplace_back("Accept", "application/json");
  return request;
}

asio::awaitable<KieReply> KieProvider::exchange(net::HttpRequest request, KieCall call) {
  auto response = co_await http_.send(std::move(request));
  auto reply = read_reply(response, call);
  if (on_exchange) on_exchange(to_string(call), result_label(reply.error.kind));
  co_return reply;
}

asio::awaitable<SubmitResult> KieProvider::submit(const SubmitRequest& request) {
  SubmitResult result;
  const auto& generation = request.generation;
  if (auto problem = registry_.validate(generation)) {
    spdlog::warn("kie submit job {}: not sent, {}", request.job_id, *problem);
    result.error = local_error(ErrorClass::kPermanent, "model registry: " + *problem, *problem);
    co_return result;
  }
  const auto* spec = registry_.find(generation.model);
  if (spec->family == core::ApiFamily::kLocal) {
    auto problem = fmt::format("{} is not a KIE model", spec->id);
    spdlog::warn("kie submit job {}: not sent, {}", request.job_id, problem);
    result.error = local_error(ErrorClass::kPermanent, problem, problem);
    co_return result;
  }
  const bool veo = spec->family == core::ApiFamily::kVeo;
  const json body = veo ? veo_body(*spec, request) : market_body(*spec, request);
  auto http_request =
      make_request("POST", options_.api_base + std::string(veo ? kVeoGenerate : kMarketCreate),
                   options_.request_timeout);
  http_request.headers.emplace_back("Content-Type", "application/json");
  http_request.body = body.dump();

  co_await throttle_.acquire();
  const bool go_ahead = co_await request.may_send();
  if (!go_ahead) {
    result.error = local_error(ErrorClass::kTransient, "not sent: the job was taken over",
                               std::string(kReasonBusy));
    co_return result;
  }
  auto reply = co_await exchange(std::move(http_request), KieCall::kCreate);
  if (!reply.error.ok()) {
    spdlog::warn("kie submit job {} ({}): {} error: {}", request.job_id, spec->id,
                 to_string(reply.error.kind), reply.error.message);
    result.error = std::move(reply.error);
    co_return result;
  }
  result.task_id = string_member(reply.data, "taskId");
  if (result.task_id.empty()) {
    // Accepted or not, KIE gave no id to follow; nothing can be polled.
    result.error = local_error(ErrorClass::kTransient, "KIE create: answer without data.taskId",
                               std::string(kReasonBusy));
    spdlog::warn("kie submit job {} ({}): {}", request.job_id, spec->id, result.error.message);
    co_return result;
  }
  spdlog::info("kie submit job {} ({}): task {}", request.job_id, spec->id, result.task_id);
  co_return result;
}

asio::awaitable<TaskStatus> KieProvider::status(const std::string& model,
                                                const std::string& task_id) {
  if (task_id.empty()) {
    TaskStatus status;
    status.error = local_error(ErrorClass::kPermanent, "KIE status: empty task id",
                               std::string(kReasonGenerationFailed));
    co_return status;
  }
  const auto* spec = registry_.find(model);
  const bool veo = spec ? spec->family == core::ApiFamily::kVeo : model.starts_with("veo");
  auto url = fmt::format("{}{}?taskId={}", options_.api_base, veo ? kVeoRecord : kMarketRecord,
                         percent_encode(task_id));
  auto http_request = make_request("GET", std::move(url), options_.request_timeout);
  http_request.headers.emplace_back("Content-Type", "application/json");
  auto reply = co_await exchange(std::move(http_request), KieCall::kStatus);
  TaskStatus status;
  if (!reply.error.ok()) {
    spdlog::warn("kie status task {}: {} error: {}", task_id, to_string(reply.error.kind),
                 reply.error.message);
    status.error = std::move(reply.error);
    co_return status;
  }
  status = veo ? read_veo_record(reply.data) : read_market_record(reply.data);
  if (!status.error.ok()) {
    spdlog::info("kie status task {}: {} ({})", task_id, status.error.message,
                 to_string(status.error.kind));
  }
  co_return status;
}

asio::awaitable<UploadResult> KieProvider::upload_image(const std::string& local_path,
                                                        const std::string& unique_name) {
  UploadResult result;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(local_path, ec)) {
    // Our own file is gone; retrying will not bring it back.
    result.error =
        local_error(ErrorClass::kPermanent, fmt::format("KIE upload: no file at {}", local_path),
                    "the photo could not be read");
    co_return result;
  }
  auto http_request = make_request("POST", options_.upload_base + std::string(kStreamUpload),
                                   options_.upload_timeout);
  net::MultipartPart file;
  file.name = "file";
  file.file_path = local_path;
  file.file_name = unique_name;
  file.content_type = content_type_for(local_path);
  net::MultipartPart folder;
  folder.name = "uploadPath";
  folder.value = options_.upload_path;
  net::MultipartPart name_part;
  name_part.name = "fileName";
  name_part.value = unique_name;
  http_request.multipart.push_back(std::move(file));
  http_request.multipart.push_back(std::move(folder));
  http_request.multipart.push_back(std::move(name_part));

  const auto started = std::chrono::system_clock::now();
  auto reply = co_await exchange(std::move(http_request), KieCall::kUpload);
  if (!reply.error.ok()) {
    spdlog::warn("kie upload {}: {} error: {}", unique_name, to_string(reply.error.kind),
                 reply.error.message);
    result.error = std::move(reply.error);
    co_return result;
  }
  result.url = string_member(reply.data, "downloadUrl");
  if (result.url.empty()) result.url = string_member(reply.data, "fileUrl");
  if (result.url.empty()) {
    result.error = local_error(ErrorClass::kTransient, "KIE upload: answer without a file URL",
                               std::string(kReasonBusy));
    spdlog::warn("kie upload {}: {}", unique_name, result.error.message);
    co_return result;
  }
  // Counted from before the upload started, so the deadline is never later than KIE's.
  result.expires_at = started + options_.upload_lifetime;
  co_return result;
}

asio::awaitable<std::optional<double>> KieProvider::account_balance() {
  auto http_request =
      make_request("GET", options_.api_base + std::string(kCredit), options_.request_timeout);
  http_request.headers.emplace_back("Content-Type", "application/json");
  auto reply = co_await exchange(std::move(http_request), KieCall::kBalance);
  if (!reply.error.ok()) {
    spdlog::warn("kie balance: {} error: {}", to_string(reply.error.kind), reply.error.message);
    co_return std::nullopt;
  }
  if (!reply.data.is_number()) {
    spdlog::warn("kie balance: data is not a number");
    co_return std::nullopt;
  }
  co_return reply.data.get<double>();
}

}  // namespace nc::providers::kie
