// The fake KIE: request checks in KIE's order (Cloudflare, key, faults, rate limit, credits,
// validation), Veo and Market tasks driven by scripts, uploads, result files and callbacks.
// Network work runs on one io_context thread; state is shared with tests under one mutex.
#include "fakes/fake_kie.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>

#include "fakes/http_client.hpp"
#include "fakes/server_thread.hpp"
#include "net/hmac.hpp"
#include "net/http_server.hpp"
#include "net/multipart.hpp"

namespace nc::fakes {

namespace asio = boost::asio;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kCloudflareBody = "error code: 1010";
constexpr std::string_view kNoAccess = "You do not have access permissions";
constexpr std::string_view kNoCredits =
    "The current credits are insufficient. Please top up to continue.";
constexpr std::string_view kRateLimited =
    "Too many requests: the limit is 20 new tasks per 10 seconds";
constexpr std::string_view kResultsPrefix = "/results/";
constexpr std::string_view kFilesPrefix = "/files/";
constexpr std::int64_t kFirstMarketTaskNumber = 1765182405025;

const std::set<std::string, std::less<>> kVeoModels = {"veo3", "veo3_fast", "veo3_lite"};
const std::set<std::string, std::less<>> kVeoRatios = {"16:9", "9:16", "Auto"};

// The Market models the fake knows, with the input checks KIE applies to them.
enum class FieldType { kString, kStringList, kBool, kNumber };
struct MarketField {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  std::vector<std::string> allowed;  // string enums; empty: any
};
struct MarketModel {
  std::string id;
  std::vector<MarketField> fields;
  std::string aspect_field;  // empty: none
};

const std::vector<MarketModel>& market_models() {
  using enum FieldType;
  static const std::vector<std::string> kRatios = {"1:1", "4:3", "3:4", "16:9", "9:16", "21:9"};
  static const std::vector<MarketModel> models = {
      {"kling-2.6/image-to-video",
       {{"prompt", kString, true, {}},
        {"image_urls", kStringList, true, {}},
        {"sound", kBool, true, {}},
        {"duration", kString, true, {"5", "10"}}},
       ""},
      {"hailuo/2-3-image-to-video-standard",
       {{"prompt", kString, true, {}},
        {"image_url", kString, true, {}},
        {"duration", kString, false, {"6", "10"}},
        {"resolution", kString, false, {"768P", "1080P"}}},
       ""},
      {"hailuo/2-3-image-to-video-pro",
       {{"prompt", kString, true, {}},
        {"image_url", kString, true, {}},
        {"duration", kString, false, {"6", "10"}},
        {"resolution", kString, false, {"768P", "1080P"}}},
       ""},
      {"wan/2-6-image-to-video",
       {{"prompt", kString, true, {}},
        {"image_urls", kStringList, true, {}},
        {"duration", kString, false, {"5", "10", "15"}},
        {"resolution", kString, false, {"720p", "1080p"}}},
       ""},
      {"bytedance/seedance-1.5-pro",
       {{"prompt", kString, true, {}},
        {"input_urls", kStringList, false, {}},
        {"aspect_ratio", kString, true, kRatios},
        {"duration", kString, false, {"4", "8", "12"}},
        {"resolution", kString, false, {"480p", "720p", "1080p"}},
        {"fixed_lens", kBool, false, {}},
        {"generate_audio", kBool, false, {}}},
       "aspect_ratio"},
      {"nano-banana-pro",
       {{"prompt", kString, true, {}},
        {"image_input", kStringList, false, {}},
        {"aspect_ratio",
         kString,
         false,
         {"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "auto"}},
        {"resolution", kString, false, {"1K", "2K", "4K"}},
        {"output_format", kString, false, {"png", "jpg"}}},
       "aspect_ratio"},
      {"flux-2/pro-image-to-image",
       {{"prompt", kString, true, {}},
        {"input_urls", kStringList, true, {}},
        {"aspect_ratio",
         kString,
         true,
         {"1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "auto"}},
        {"resolution", kString, true, {"1K", "2K"}}},
       "aspect_ratio"},
  };
  return models;
}

const MarketModel* find_market_model(std::string_view id) {
  for (const auto& model : market_models()) {
    if (model.id == id) return &model;
  }
  return nullptr;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_http_url(std::string_view text) {
  return text.starts_with("http://") || text.starts_with("https://");
}

std::int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string wall_time_text() {
  return fmt::format("{:%Y-%m-%d %H:%M:%S}",
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

// What a handler decided; recorded and then sent.
struct Answer {
  net::HttpServerResponse response;
  int code = 0;
};

Answer envelope(int code, std::string_view msg, json data = nullptr, bool message_key = false) {
  json body = json::object();
  body["code"] = code;
  body[message_key ? "message" : "msg"] = msg;
  body["data"] = std::move(data);
  Answer answer;
  answer.code = code;
  answer.response.status = 200;
  answer.response.content_type = "application/json";
  answer.response.body = body.dump();
  return answer;
}

Answer plain(int status, std::string body, std::string content_type = "text/plain") {
  Answer answer;
  answer.response.status = status;
  answer.response.content_type = std::move(content_type);
  answer.response.body = std::move(body);
  return answer;
}

Answer from_fault(const KieFault& fault) {
  if (!fault.raw_body.empty()) return plain(fault.http_status, fault.raw_body);
  auto answer = envelope(fault.code, fault.msg, nullptr, fault.message_key);
  answer.response.status = fault.http_status;
  if (fault.retry_after) {
    answer.response.headers.emplace_back("Retry-After", std::to_string(*fault.retry_after));
  }
  return answer;
}

KieEndpoint endpoint_of(std::string_view method, std::string_view path) {
  if (path.starts_with(kResultsPrefix) || path.starts_with(kFilesPrefix)) {
    return method == "GET" ? KieEndpoint::kResult : KieEndpoint::kOther;
  }
  struct Known {
    std::string_view method, path;
    KieEndpoint endpoint;
  };
  static constexpr Known kKnown[] = {
      {"POST", "/api/v1/veo/generate", KieEndpoint::kVeoGenerate},
      {"GET", "/api/v1/veo/record-info", KieEndpoint::kVeoRecord},
      {"POST", "/api/v1/jobs/createTask", KieEndpoint::kMarketCreate},
      {"GET", "/api/v1/jobs/recordInfo", KieEndpoint::kMarketRecord},
      {"POST", "/api/file-stream-upload", KieEndpoint::kUpload},
      {"GET", "/api/v1/chat/credit", KieEndpoint::kCredit},
  };
  for (const auto& known : kKnown) {
    if (known.method == method && known.path == path) return known.endpoint;
  }
  return KieEndpoint::kOther;
}

// A small file that starts like an MP4 (ftyp isom), for tests that only move bytes.
std::string placeholder_video() {
  std::string data(
      "\x00\x00\x00\x18"
      "ftypisom\x00\x00\x02\x00"
      "isommp41",
      24);
  data += std::string(
      "\x00\x00\x04\x08"
      "mdat",
      8);
  for (int i = 0; i < 1024; ++i)
    data += static_cast<char>((i * 37) & 0xff);
  return data;
}

}  // namespace

std::optional<std::string> KieRecordedRequest::header(std::string_view name) const {
  const auto wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

struct FakeKie::Impl {
  struct Task {
    KieCreatedTask created;
    TaskScript script;
    Clock::time_point created_at;
    std::int64_t created_ms = 0;
    int reads = 0;  // status reads answered pending so far
    bool finished = false;
    Clock::time_point finished_at;
    std::int64_t finished_ms = 0;
    std::vector<std::string> result_urls;
  };
  struct Callback {
    std::string task_id;
    std::string url;
    json body;
    int copies = 1;
    std::chrono::milliseconds delay{0};
  };
  struct Knob {
    KieEndpoint endpoint;
    int remaining;
    std::optional<KieFault> fault;
    std::chrono::milliseconds delay{0};
    bool drop = false;
  };
  struct Outcome {
    Answer answer;
    std::vector<Callback> callbacks;
    std::vector<std::pair<std::string, std::chrono::milliseconds>> timed_finishes;
  };

  explicit Impl(FakeKieOptions fake_options) : options_(std::move(fake_options)) {}

  asio::awaitable<net::HttpServerResponse> handle(net::HttpServerRequest request);
  Outcome dispatch(const net::HttpServerRequest& request, KieEndpoint endpoint, json& body);
  std::optional<Answer> check_access(const net::HttpServerRequest& request) const;
  std::optional<KieFault> take_fault(KieEndpoint endpoint);
  std::pair<std::chrono::milliseconds, bool> take_delay_and_drop(KieEndpoint endpoint);
  std::optional<Answer> check_create_allowed();

  Outcome veo_generate(const json& body);
  Outcome market_create(const json& body);
  Outcome read_task(const std::string& task_id, bool veo);
  Answer upload(const net::HttpServerRequest& request, json& recorded);
  Answer serve_result(const std::string& path) const;

  std::string new_task_id(bool veo, std::string_view model);
  Task& add_task(KieCreatedTask created, Outcome& outcome);
  std::optional<Callback> finish(Task& task);
  json veo_record(const Task& task) const;
  json market_record(const Task& task) const;
  json callback_body(const Task& task) const;
  std::filesystem::path video_for(const Task& task) const;
  bool result_expired(const Task& task) const;

  void start_callbacks(const asio::any_io_executor& executor, std::vector<Callback> callbacks);
  asio::awaitable<void> deliver(Callback callback);
  asio::awaitable<void> finish_later(std::string task_id, std::chrono::milliseconds delay);

  const FakeKieOptions options_;
  std::filesystem::path scratch_dir_;
  std::filesystem::path placeholder_path_;

  std::unique_ptr<ServerThread> server_;
  unsigned short port_ = 0;

  mutable std::mutex mutex_;  // guards everything below
  mutable std::condition_variable changed_;
  bool running_ = false;
  TaskScript default_script_;
  std::deque<TaskScript> next_scripts_;
  std::map<std::string, Task> tasks_;
  std::vector<std::string> task_order_;
  std::int64_t task_counter_ = 0;
  std::deque<Clock::time_point> recent_creates_;
  std::vector<Knob> knobs_;
  bool out_of_credits_ = false;
  double credits_ = 0;
  bool results_expired_ = false;
  std::string upload_url_field_ = "downloadUrl";
  std::map<std::string, std::string> uploads_;  // "uploadPath/fileName" -> bytes
  std::vector<std::string> upload_order_;
  std::vector<KieRecordedRequest> recorded_;
  std::vector<KieCallbackDelivery> deliveries_;
};

// ---------------------------------------------------------------------------------------------
// Requests

asio::awaitable<net::HttpServerResponse> FakeKie::Impl::handle(net::HttpServerRequest request) {
  const auto endpoint = endpoint_of(request.method, request.path);
  const auto received = Clock::now();
  if (endpoint != KieEndpoint::kResult) {
    auto [delay, drop] = take_delay_and_drop(endpoint);
    if (delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, delay);
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (drop) {
      net::HttpServerResponse dropped;
      dropped.drop_connection = true;
      co_return dropped;
    }
  }

  json recorded_body;
  auto outcome = dispatch(request, endpoint, recorded_body);
  {
    std::lock_guard lock(mutex_);
    KieRecordedRequest record;
    record.endpoint = endpoint;
    record.method = request.method;
    record.path = request.path;
    record.query = request.query;
    record.headers = request.headers;
    record.body = std::move(recorded_body);
    record.http_status = outcome.answer.response.status;
    record.code = outcome.answer.code;
    record.at = received;
    recorded_.push_back(std::move(record));
  }
  changed_.notify_all();
  auto executor = co_await asio::this_coro::executor;
  for (auto& [task_id, delay] : outcome.timed_finishes) {
    asio::co_spawn(executor, finish_later(task_id, delay), asio::detached);
  }
  start_callbacks(executor, std::move(outcome.callbacks));
  co_return std::move(outcome.answer.response);
}

FakeKie::Impl::Outcome FakeKie::Impl::dispatch(const net::HttpServerRequest& request,
                                               KieEndpoint endpoint, json& body) {
  Outcome outcome;
  const auto content_type = lower(request.header("content-type").value_or(""));
  if (content_type.starts_with("application/json") && !request.body.empty()) {
    body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) body = nullptr;
  }
  if (endpoint == KieEndpoint::kResult) {
    outcome.answer = serve_result(request.path);
    return outcome;
  }
  if (auto refused = check_access(request)) {
    outcome.answer = std::move(*refused);
    return outcome;
  }
  if (auto fault = take_fault(endpoint)) {
    outcome.answer = from_fault(*fault);
    return outcome;
  }
  const auto task_id = [&] { return request.query_value("taskId"); };
  switch (endpoint) {
    case KieEndpoint::kVeoGenerate:
      return veo_generate(body);
    case KieEndpoint::kMarketCreate:
      return market_create(body);
    case KieEndpoint::kVeoRecord:
      return read_task(task_id(), true);
    case KieEndpoint::kMarketRecord:
      return read_task(task_id(), false);
    case KieEndpoint::kUpload:
      outcome.answer = upload(request, body);
      return outcome;
    case KieEndpoint::kCredit: {
      std::lock_guard lock(mutex_);
      outcome.answer = envelope(200, "success", credits_);
      return outcome;
    }
    default:
      outcome.answer = envelope(404, "Not Found");
      outcome.answer.response.status = 404;
      return outcome;
  }
}

// Cloudflare in front of both hosts, then the key.
std::optional<Answer> FakeKie::Impl::check_access(const net::HttpServerRequest& request) const {
  const auto agent = lower(request.header("user-agent").value_or(""));
  const bool blocked =
      agent.empty() ||
      std::any_of(options_.blocked_user_agents.begin(), options_.blocked_user_agents.end(),
                  [&](const std::string& prefix) { return agent.starts_with(lower(prefix)); });
  if (blocked) return plain(403, std::string(kCloudflareBody));
  if (request.header("authorization").value_or("") != "Bearer " + options_.api_key) {
    return envelope(401, kNoAccess);
  }
  return std::nullopt;
}

std::optional<KieFault> FakeKie::Impl::take_fault(KieEndpoint endpoint) {
  std::lock_guard lock(mutex_);
  for (auto it = knobs_.begin(); it != knobs_.end(); ++it) {
    if (!it->fault || (it->endpoint != endpoint && it->endpoint != KieEndpoint::kAny)) continue;
    auto fault = *it->fault;
    if (--it->remaining <= 0) knobs_.erase(it);
    return fault;
  }
  return std::nullopt;
}

std::pair<std::chrono::milliseconds, bool> FakeKie::Impl::take_delay_and_drop(
    KieEndpoint endpoint) {
  std::lock_guard lock(mutex_);
  std::chrono::milliseconds delay{0};
  bool drop = false;
  for (auto it = knobs_.begin(); it != knobs_.end();) {
    const bool matches = it->endpoint == endpoint || it->endpoint == KieEndpoint::kAny;
    if (it->fault || !matches || (it->drop ? drop : delay.count() > 0)) {
      ++it;
      continue;
    }
    if (it->drop) {
      drop = true;
    } else {
      delay = it->delay;
    }
    it = --it->remaining <= 0 ? knobs_.erase(it) : it + 1;
  }
  return {delay, drop};
}

// Call with mutex_ held. The rate limit, then the credits; a refused create counts nothing.
std::optional<Answer> FakeKie::Impl::check_create_allowed() {
  const auto now = Clock::now();
  while (!recent_creates_.empty() && recent_creates_.front() <= now - options_.create_window) {
    recent_creates_.pop_front();
  }
  if (static_cast<int>(recent_creates_.size()) >= options_.create_limit) {
    auto answer = envelope(429, kRateLimited);
    answer.response.status = 429;
    const auto wait = recent_creates_.front() + options_.create_window - now;
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    answer.response.headers.emplace_back("Retry-After", std::to_string(std::max<long>(1, seconds)));
    return answer;
  }
  if (out_of_credits_ || credits_ < options_.credits_per_task) return envelope(402, kNoCredits);
  return std::nullopt;
}

FakeKie::Impl::Outcome FakeKie::Impl::veo_generate(const json& body) {
  Outcome outcome;
  if (!body.is_object()) {
    outcome.answer = envelope(400, "Invalid request body: JSON expected");
    return outcome;
  }
  std::lock_guard lock(mutex_);
  if (auto refused = check_create_allowed()) {
    outcome.answer = std::move(*refused);
    return outcome;
  }
  recent_creates_.push_back(Clock::now());

  KieCreatedTask created;
  created.veo = true;
  created.body = body;
  const auto string_of = [&](std::string_view key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  created.prompt = string_of("prompt");
  created.model = body.contains("model") ? string_of("model") : "veo3_fast";
  created.callback_url = string_of("callBackUrl");
  if (created.prompt.empty()) {
    outcome.answer = envelope(422, "prompt is required");
    return outcome;
  }
  if (!kVeoModels.contains(created.model)) {
    outcome.answer = envelope(422, "model name not supported");
    return outcome;
  }
  for (const char* key : {"aspect_ratio", "aspectRatio"}) {
    if (body.contains(key)) {
      created.aspect_field = key;
      created.aspect_ratio = string_of(key);
      break;
    }
  }
  if (created.aspect_field.empty()) {
    created.aspect_ratio = "16:9";  // what Veo does, silently
  } else if (!kVeoRatios.contains(created.aspect_ratio)) {
    outcome.answer = envelope(422, "Ratio error");
    return outcome;
  }
  if (auto it = body.find("imageUrls"); it != body.end()) {
    if (!it->is_array()) {
      outcome.answer = envelope(422, "imageUrls must be an array");
      return outcome;
    }
    for (const auto& url : *it) {
      if (!url.is_string() || !is_http_url(url.get_ref<const std::string&>())) {
        outcome.answer = envelope(451, "Failed to fetch the image. Please check the image URL.");
        return outcome;
      }
      created.image_urls.push_back(url.get<std::string>());
    }
  }
  auto type = string_of("generationType");
  if (type.empty())
    type = created.image_urls.empty() ? "TEXT_2_VIDEO" : "FIRST_AND_LAST_FRAMES_2_VIDEO";
  const auto images = created.image_urls.size();
  if (type == "FIRST_AND_LAST_FRAMES_2_VIDEO" && (images < 1 || images > 2)) {
    outcome.answer = envelope(422, "FIRST_AND_LAST_FRAMES_2_VIDEO takes 1 or 2 images");
    return outcome;
  }
  if (type == "REFERENCE_2_VIDEO" && (images < 1 || images > 3 || created.model != "veo3_fast")) {
    outcome.answer = envelope(422, "REFERENCE_2_VIDEO takes 1 to 3 images and veo3_fast");
    return outcome;
  }
  if (type != "TEXT_2_VIDEO" && type != "FIRST_AND_LAST_FRAMES_2_VIDEO" &&
      type != "REFERENCE_2_VIDEO") {
    outcome.answer = envelope(422, "generationType is not supported");
    return outcome;
  }
  auto& task = add_task(std::move(created), outcome);
  json data = json::object();
  data["taskId"] = task.created.task_id;
  outcome.answer = envelope(200, "success", std::move(data));
  return outcome;
}

FakeKie::Impl::Outcome FakeKie::Impl::market_create(const json& body) {
  Outcome outcome;
  const auto fail = [&outcome](int code, std::string msg) {
    outcome.answer = envelope(code, msg);
    return outcome;
  };
  if (!body.is_object()) return fail(400, "Invalid request body: JSON expected");
  std::lock_guard lock(mutex_);
  if (auto refused = check_create_allowed()) {
    outcome.answer = std::move(*refused);
    return outcome;
  }
  recent_creates_.push_back(Clock::now());

  auto model_it = body.find("model");
  if (model_it == body.end() || !model_it->is_string()) return fail(422, "model is required");
  const auto* model = find_market_model(model_it->get_ref<const std::string&>());
  if (model == nullptr) return fail(422, "model name not supported");
  auto input_it = body.find("input");
  if (input_it == body.end() || !input_it->is_object()) return fail(422, "input is required");
  const auto& input = *input_it;

  KieCreatedTask created;
  created.model = model->id;
  created.body = body;
  if (auto it = body.find("callBackUrl"); it != body.end() && it->is_string()) {
    created.callback_url = it->get<std::string>();
  }
  for (const auto& [key, value] : input.items()) {
    const bool known = std::any_of(model->fields.begin(), model->fields.end(),
                                   [&key](const MarketField& field) { return field.name == key; });
    if (!known) return fail(422, fmt::format("Unsupported parameter: {}", key));
  }
  for (const auto& field : model->fields) {
    auto it = input.find(field.name);
    if (it == input.end() || it->is_null()) {
      if (field.required) return fail(500, fmt::format("{} is required", field.name));
      continue;
    }
    const auto& value = *it;
    bool type_ok = false;
    switch (field.type) {
      case FieldType::kString:
        type_ok = value.is_string();
        break;
      case FieldType::kStringList:
        type_ok = value.is_array() && std::all_of(value.begin(), value.end(), [](const json& item) {
                    return item.is_string();
                  });
        break;
      case FieldType::kBool:
        type_ok = value.is_boolean();
        break;
      case FieldType::kNumber:
        type_ok = value.is_number();
        break;
    }
    const bool in_range = type_ok && (field.allowed.empty() ||
                                      std::find(field.allowed.begin(), field.allowed.end(),
                                                value.get<std::string>()) != field.allowed.end());
    // KIE answers enum and type mistakes alike, with code 500 (contract section 2).
    if (!in_range) {
      return fail(500,
                  fmt::format("This {} is not within the range of allowed options", field.name));
    }
    if (field.name == "prompt") created.prompt = value.get<std::string>();
    if (field.name == model->aspect_field) {
      created.aspect_field = field.name;
      created.aspect_ratio = value.get<std::string>();
    }
    if (field.name.find("url") != std::string::npos || field.name == "image_input") {
      const auto urls = value.is_array() ? value : json::array({value});
      for (const auto& url : urls) {
        if (!is_http_url(url.get_ref<const std::string&>())) {
          return fail(451, "Failed to fetch the image. Please check the image URL.");
        }
        created.image_urls.push_back(url.get<std::string>());
      }
    }
  }
  auto& task = add_task(std::move(created), outcome);
  json data = json::object();
  data["taskId"] = task.created.task_id;
  outcome.answer = envelope(200, "success", std::move(data));
  return outcome;
}

std::string FakeKie::Impl::new_task_id(bool veo, std::string_view model) {
  ++task_counter_;
  if (veo) return fmt::format("veo_task_{:012x}", 0xa5f00d000000 + task_counter_);
  auto family = model.substr(0, model.find('/'));
  return fmt::format("task_{}_{}", family, kFirstMarketTaskNumber + task_counter_);
}

// Call with mutex_ held.
FakeKie::Impl::Task& FakeKie::Impl::add_task(KieCreatedTask created, Outcome& outcome) {
  created.task_id = new_task_id(created.veo, created.model);
  credits_ -= options_.credits_per_task;
  Task task;
  task.created = std::move(created);
  if (!next_scripts_.empty()) {
    task.script = std::move(next_scripts_.front());
    next_scripts_.pop_front();
  } else {
    task.script = default_script_;
  }
  task.created_at = Clock::now();
  task.created_ms = epoch_ms();
  const auto id = task.created.task_id;
  if (task.script.finish_after && task.script.end != TaskEnd::kNever) {
    outcome.timed_finishes.emplace_back(id, *task.script.finish_after);
  }
  task_order_.push_back(id);
  auto& stored = tasks_[id] = std::move(task);
  changed_.notify_all();
  return stored;
}

FakeKie::Impl::Outcome FakeKie::Impl::read_task(const std::string& task_id, bool veo) {
  Outcome outcome;
  if (task_id.empty()) {
    outcome.answer = envelope(400, "taskId is required");
    return outcome;
  }
  std::lock_guard lock(mutex_);
  auto it = tasks_.find(task_id);
  const auto* null_record = veo ? "record is null" : "recordInfo is null";
  if (it == tasks_.end() || it->second.created.veo != veo) {
    outcome.answer = envelope(422, null_record);
    return outcome;
  }
  auto& task = it->second;
  if (task.script.null_record_polls > 0) {
    --task.script.null_record_polls;
    outcome.answer = envelope(422, null_record);
    return outcome;
  }
  if (!task.finished && task.script.end != TaskEnd::kNever && !task.script.finish_after) {
    if (task.reads >= task.script.pending_polls) {
      if (auto callback = finish(task)) outcome.callbacks.push_back(std::move(*callback));
    }
  }
  auto data = veo ? veo_record(task) : market_record(task);
  if (!task.finished) ++task.reads;
  outcome.answer = envelope(200, "success", std::move(data));
  return outcome;
}

// Call with mutex_ held. Returns the callback to send, if any.
std::optional<FakeKie::Impl::Callback> FakeKie::Impl::finish(Task& task) {
  task.finished = true;
  task.finished_at = Clock::now();
  task.finished_ms = epoch_ms();
  if (task.script.end == TaskEnd::kSuccess) {
    for (int i = 0; i < std::max(task.script.result_count, 1); ++i) {
      task.result_urls.push_back(fmt::format("http://127.0.0.1:{}{}{}/{}.mp4", port_,
                                             kResultsPrefix, task.created.task_id, i));
    }
  }
  changed_.notify_all();
  if (task.created.callback_url.empty() || task.script.callback == CallbackMode::kDrop) {
    return std::nullopt;
  }
  Callback callback;
  callback.task_id = task.created.task_id;
  callback.url = task.created.callback_url;
  callback.body = callback_body(task);
  callback.copies = task.script.callback == CallbackMode::kTwice ? 2 : 1;
  callback.delay = task.script.callback_delay;
  return callback;
}

json FakeKie::Impl::veo_record(const Task& task) const {
  json data = json::object();
  data["taskId"] = task.created.task_id;
  data["paramJson"] = task.created.body.dump();
  data["createTime"] = wall_time_text();
  data["fallbackFlag"] = false;
  if (!task.finished) {
    data["successFlag"] = 0;
    data["response"] = nullptr;
    data["errorCode"] = nullptr;
    data["errorMessage"] = nullptr;
    data["completeTime"] = nullptr;
    return data;
  }
  data["completeTime"] = wall_time_text();
  if (task.script.end == TaskEnd::kSuccess) {
    json response = json::object();
    response["taskId"] = task.created.task_id;
    response["resolution"] = "720p";
    response["resultUrls"] = task.result_urls;
    if (task.created.aspect_ratio != "16:9") response["originUrls"] = task.result_urls;
    data["successFlag"] = 1;
    data["response"] = std::move(response);
    data["errorCode"] = nullptr;
    data["errorMessage"] = "";
  } else {
    data["successFlag"] = task.script.veo_fail_flag;
    data["response"] = nullptr;
    data["errorCode"] = task.script.fail_code;
    data["errorMessage"] = task.script.fail_message;
  }
  return data;
}

json FakeKie::Impl::market_record(const Task& task) const {
  static const char* const kPending[] = {"waiting", "queuing", "generating"};
  json data = json::object();
  data["taskId"] = task.created.task_id;
  data["model"] = task.created.model;
  data["param"] = task.created.body.dump();
  data["createTime"] = task.created_ms;
  data["updateTime"] = task.finished ? task.finished_ms : epoch_ms();
  data["resultJson"] = "";
  data["failCode"] = "";
  data["failMsg"] = "";
  data["costTime"] = nullptr;
  data["completeTime"] = nullptr;
  if (!task.finished) {
    data["state"] = kPending[std::min(task.reads, 2)];
    return data;
  }
  data["completeTime"] = task.finished_ms;
  data["costTime"] = task.finished_ms - task.created_ms;
  if (task.script.end == TaskEnd::kSuccess) {
    json result = json::object();
    result["resultUrls"] = task.result_urls;
    data["state"] = "success";
    data["resultJson"] = result.dump();  // a string holding JSON, as KIE sends it
  } else {
    data["state"] = "fail";
    data["failCode"] = std::to_string(task.script.fail_code);
    data["failMsg"] = task.script.fail_message;
  }
  return data;
}

json FakeKie::Impl::callback_body(const Task& task) const {
  json body = json::object();
  const bool success = task.script.end == TaskEnd::kSuccess;
  if (task.created.veo) {
    json data = json::object();
    data["taskId"] = task.created.task_id;
    data["fallbackFlag"] = false;
    if (success) {
      json info = json::object();
      info["resultUrls"] = task.result_urls;
      info["originUrls"] = task.result_urls;
      info["resolution"] = "720p";
      data["promptJson"] = task.created.body.dump();
      data["info"] = std::move(info);
      body["code"] = 200;
      body["msg"] = "Veo3 video generated successfully.";
    } else {
      body["code"] = task.script.fail_code;
      body["msg"] = task.script.fail_message;
    }
    body["data"] = std::move(data);
    return body;
  }
  auto data = market_record(task);
  data["consumeCredits"] = success ? options_.credits_per_task : 0;
  data["remainedCredits"] = credits_;
  body["code"] = success ? 200 : 501;
  body["msg"] = success ? "Playground task completed successfully." : "Playground task failed.";
  body["data"] = std::move(data);
  return body;
}

Answer FakeKie::Impl::upload(const net::HttpServerRequest& request, json& recorded) {
  auto fields = net::parse_multipart(request.header("content-type").value_or(""), request.body);
  if (!fields) return envelope(400, "Invalid multipart/form-data body");
  recorded = json::object();
  const net::MultipartField* file = nullptr;
  std::string upload_path;
  std::string file_name;
  for (const auto& field : *fields) {
    if (field.filename) {
      json info = json::object();
      info["filename"] = *field.filename;
      info["size"] = field.data.size();
      info["content_type"] = field.content_type;
      recorded[field.name] = std::move(info);
    } else {
      recorded[field.name] = field.data;
    }
    if (field.name == "file" && field.filename) file = &field;
    if (field.name == "uploadPath") upload_path = field.data;
    if (field.name == "fileName") file_name = field.data;
  }
  if (file == nullptr) return envelope(400, "Missing required parameter: file");
  if (upload_path.empty()) return envelope(400, "Missing required parameter: uploadPath");
  if (upload_path.front() == '/' || upload_path.back() == '/') {
    return envelope(400, "uploadPath must not start or end with /");
  }
  if (file_name.empty()) file_name = file->filename->empty() ? "upload.bin" : *file->filename;
  const auto stored_name = upload_path + "/" + file_name;
  const auto url = fmt::format("http://127.0.0.1:{}{}{}", port_, kFilesPrefix, stored_name);

  std::lock_guard lock(mutex_);
  if (!uploads_.contains(stored_name)) upload_order_.push_back(stored_name);
  uploads_[stored_name] = file->data;
  json data = json::object();
  data["fileName"] = file_name;
  data["filePath"] = stored_name;
  data["fileSize"] = file->data.size();
  data["mimeType"] = file->content_type.empty() ? "application/octet-stream" : file->content_type;
  data["uploadedAt"] = wall_time_text();
  if (upload_url_field_ == "downloadUrl") {
    data["downloadUrl"] = url;
  } else {
    data["fileId"] = stored_name;
    data[upload_url_field_] = url;
    data["expiresAt"] = epoch_ms() + 3 * 24 * 3600 * 1000LL;
  }
  json body = json::object();
  body["success"] = true;
  body["code"] = 200;
  body["msg"] = "File uploaded successfully";
  body["data"] = std::move(data);
  Answer answer;
  answer.code = 200;
  answer.response.content_type = "application/json";
  answer.response.body = body.dump();
  return answer;
}

std::filesystem::path FakeKie::Impl::video_for(const Task& task) const {
  if (!task.script.video.empty()) return task.script.video;
  if (!options_.default_video.empty()) return options_.default_video;
  return placeholder_path_;
}

bool FakeKie::Impl::result_expired(const Task& task) const {
  if (results_expired_) return true;
  return options_.result_ttl.count() > 0 && Clock::now() >= task.finished_at + options_.result_ttl;
}

Answer FakeKie::Impl::serve_result(const std::string& path) const {
  std::lock_guard lock(mutex_);
  if (path.starts_with(kFilesPrefix)) {
    auto it = uploads_.find(path.substr(kFilesPrefix.size()));
    if (it == uploads_.end()) return plain(404, "Not Found");
    return plain(200, it->second, "application/octet-stream");
  }
  // /results/<task id>/<index>.mp4
  const auto rest = std::string_view(path).substr(kResultsPrefix.size());
  const auto slash = rest.find('/');
  auto it = tasks_.find(std::string(rest.substr(0, slash)));
  const auto url = fmt::format("http://127.0.0.1:{}{}", port_, path);
  if (slash == std::string_view::npos || it == tasks_.end() ||
      std::find(it->second.result_urls.begin(), it->second.result_urls.end(), url) ==
          it->second.result_urls.end()) {
    return plain(404, "Not Found");
  }
  if (result_expired(it->second)) {
    // What the object store in front of KIE's temporary files answers for a stale link.
    return plain(403,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                 "<Message>Request has expired</Message></Error>",
                 "application/xml");
  }
  Answer answer;
  answer.response.status = 200;
  answer.response.content_type = "video/mp4";
  answer.response.file_path = video_for(it->second).string();
  return answer;
}

// ---------------------------------------------------------------------------------------------
// Time-driven tasks and callbacks

asio::awaitable<void> FakeKie::Impl::finish_later(std::string task_id,
                                                  std::chrono::milliseconds delay) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
  std::vector<Callback> callbacks;
  {
    std::lock_guard lock(mutex_);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end() || it->second.finished || it->second.script.end == TaskEnd::kNever) {
      co_return;
    }
    if (auto callback = finish(it->second)) callbacks.push_back(std::move(*callback));
  }
  start_callbacks(executor, std::move(callbacks));
}

void FakeKie::Impl::start_callbacks(const asio::any_io_executor& executor,
                                    std::vector<Callback> callbacks) {
  for (auto& callback : callbacks) {
    asio::co_spawn(executor, deliver(std::move(callback)), asio::detached);
  }
}

asio::awaitable<void> FakeKie::Impl::deliver(Callback callback) {
  auto executor = co_await asio::this_coro::executor;
  if (callback.delay.count() > 0) {
    asio::steady_timer timer(executor, callback.delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  const auto body = callback.body.dump();
  for (int copy = 1; copy <= callback.copies; ++copy) {
    for (int attempt = 1; attempt <= 3; ++attempt) {
      HttpCall call;
      call.method = "POST";
      call.url = callback.url;
      call.timeout = options_.callback_timeout;
      call.headers.emplace_back("Content-Type", "application/json");
      if (!options_.webhook_hmac_key.empty()) {
        const auto timestamp =
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
        const auto signature = net::base64_encode(
            net::hmac_sha256(options_.webhook_hmac_key, callback.task_id + "." + timestamp));
        call.headers.emplace_back("X-Webhook-Timestamp", timestamp);
        call.headers.emplace_back("X-Webhook-Signature", signature);
      }
      call.body = body;
      auto sent_headers = call.headers;
      auto result = co_await http_call(std::move(call));
      {
        std::lock_guard lock(mutex_);
        KieCallbackDelivery delivery;
        delivery.task_id = callback.task_id;
        delivery.url = callback.url;
        delivery.copy = copy;
        delivery.attempt = attempt;
        delivery.status = result.status;
        delivery.error = result.error;
        delivery.body = callback.body;
        delivery.headers = std::move(sent_headers);
        deliveries_.push_back(std::move(delivery));
      }
      changed_.notify_all();
      if (result.status == 200) break;
      asio::steady_timer pause(executor, options_.callback_retry);
      co_await pause.async_wait(asio::use_awaitable);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public surface

FakeKie::FakeKie(FakeKieOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->credits_ = impl_->options_.credits;
}

FakeKie::~FakeKie() {
  stop();
  if (!impl_->scratch_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(impl_->scratch_dir_, ec);
  }
}

void FakeKie::start() {
  auto& impl = *impl_;
  if (impl.server_) throw std::logic_error("FakeKie::start called twice");
  static std::atomic<int> instance{0};
  impl.scratch_dir_ = std::filesystem::temp_directory_path() /
                      fmt::format("nc-fake-kie-{}-{}", ::getpid(), ++instance);
  std::filesystem::create_directories(impl.scratch_dir_);
  impl.placeholder_path_ = impl.scratch_dir_ / "placeholder.mp4";
  {
    std::ofstream out(impl.placeholder_path_, std::ios::binary);
    out << placeholder_video();
  }

  net::HttpServerOptions server_options;
  server_options.body_limit = 32 << 20;
  impl.server_ = std::make_unique<ServerThread>(server_options);
  impl.server_->server().route("*", "/", [&impl](net::HttpServerRequest request) {
    return impl.handle(std::move(request));
  });
  impl.server_->start();
  std::lock_guard lock(impl.mutex_);
  impl.port_ = impl.server_->server().port();
  impl.running_ = true;
}

void FakeKie::stop() {
  auto& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex_);
    if (!impl.running_) return;
    impl.running_ = false;
  }
  // Joins the loop; pending callbacks and timed finishes are abandoned with it.
  impl.server_.reset();
}

std::string FakeKie::base_url() const {
  std::lock_guard lock(impl_->mutex_);
  return fmt::format("http://127.0.0.1:{}", impl_->port_);
}

const std::string& FakeKie::api_key() const {
  return impl_->options_.api_key;
}

void FakeKie::set_default_script(TaskScript script) {
  std::lock_guard lock(impl_->mutex_);
  impl_->default_script_ = std::move(script);
}

void FakeKie::script_next_task(TaskScript script) {
  std::lock_guard lock(impl_->mutex_);
  impl_->next_scripts_.push_back(std::move(script));
}

bool FakeKie::set_task_script(const std::string& task_id, TaskScript script) {
  std::lock_guard lock(impl_->mutex_);
  auto it = impl_->tasks_.find(task_id);
  if (it == impl_->tasks_.end()) return false;
  it->second.script = std::move(script);
  return true;
}

void FakeKie::finish_now(const std::string& task_id) {
  {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->tasks_.find(task_id);
    if (it == impl_->tasks_.end() || it->second.finished || !impl_->server_) return;
    it->second.script.end = TaskEnd::kSuccess;
  }
  asio::co_spawn(impl_->server_->io(), impl_->finish_later(task_id, std::chrono::milliseconds(0)),
                 asio::detached);
}

void FakeKie::fail_next(KieEndpoint endpoint, int count, KieFault fault) {
  std::lock_guard lock(impl_->mutex_);
  impl_->knobs_.push_back({endpoint, count, std::move(fault), {}, false});
}

void FakeKie::delay_next(KieEndpoint endpoint, int count, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex_);
  impl_->knobs_.push_back({endpoint, count, std::nullopt, delay, false});
}

void FakeKie::drop_next(KieEndpoint endpoint, int count) {
  std::lock_guard lock(impl_->mutex_);
  impl_->knobs_.push_back({endpoint, count, std::nullopt, {}, true});
}

void FakeKie::set_out_of_credits(bool out) {
  std::lock_guard lock(impl_->mutex_);
  impl_->out_of_credits_ = out;
}

void FakeKie::set_credits(double credits) {
  std::lock_guard lock(impl_->mutex_);
  impl_->credits_ = credits;
}

void FakeKie::expire_results(bool expired) {
  std::lock_guard lock(impl_->mutex_);
  impl_->results_expired_ = expired;
}

void FakeKie::set_upload_url_field(std::string field) {
  std::lock_guard lock(impl_->mutex_);
  impl_->upload_url_field_ = std::move(field);
}

std::vector<KieRecordedRequest> FakeKie::requests() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->recorded_;
}

std::vector<KieRecordedRequest> FakeKie::requests(KieEndpoint endpoint) const {
  std::lock_guard lock(impl_->mutex_);
  std::vector<KieRecordedRequest> out;
  for (const auto& request : impl_->recorded_) {
    if (endpoint == KieEndpoint::kAny || request.endpoint == endpoint) out.push_back(request);
  }
  return out;
}

std::size_t FakeKie::request_count(KieEndpoint endpoint) const {
  return requests(endpoint).size();
}

void FakeKie::clear_requests() {
  std::lock_guard lock(impl_->mutex_);
  impl_->recorded_.clear();
}

std::vector<KieCreatedTask> FakeKie::created_tasks() const {
  std::lock_guard lock(impl_->mutex_);
  std::vector<KieCreatedTask> out;
  for (const auto& id : impl_->task_order_)
    out.push_back(impl_->tasks_.at(id).created);
  return out;
}

std::size_t FakeKie::create_count() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->task_order_.size();
}

std::size_t FakeKie::creates_with_prompt(std::string_view prompt) const {
  auto tasks = created_tasks();
  return static_cast<std::size_t>(
      std::count_if(tasks.begin(), tasks.end(),
                    [&](const KieCreatedTask& task) { return task.prompt == prompt; }));
}

std::size_t FakeKie::creates_with_callback_containing(std::string_view text) const {
  auto tasks = created_tasks();
  return static_cast<std::size_t>(
      std::count_if(tasks.begin(), tasks.end(), [&](const KieCreatedTask& task) {
        return task.callback_url.find(text) != std::string::npos;
      }));
}

std::vector<KieCallbackDelivery> FakeKie::callback_deliveries() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->deliveries_;
}

bool FakeKie::wait_for_callbacks(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex_);
  return impl_->changed_.wait_for(lock, timeout,
                                  [&] { return impl_->deliveries_.size() >= count; });
}

std::vector<std::string> FakeKie::uploaded_files() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->upload_order_;
}

double FakeKie::credits() const {
  std::lock_guard lock(impl_->mutex_);
  return impl_->credits_;
}

std::optional<std::chrono::steady_clock::time_point> FakeKie::finished_at(
    const std::string& task_id) const {
  std::lock_guard lock(impl_->mutex_);
  auto it = impl_->tasks_.find(task_id);
  if (it == impl_->tasks_.end() || !it->second.finished) return std::nullopt;
  return it->second.finished_at;
}

}  // namespace nc::fakes
