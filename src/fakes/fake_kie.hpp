// A fake KIE.ai on loopback for tests: the API and the file host on one port, in the real wire
// formats of contracts/kie-api.md (body codes inside HTTP 200, Veo and Market tasks, uploads,
// credits), with tasks that run through scripted states, result files behind expiring URLs,
// callbacks, fault knobs and a record of every request.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nc::fakes {

enum class KieEndpoint {
  kAny,           // for fault knobs: every API and upload call
  kVeoGenerate,   // POST /api/v1/veo/generate
  kVeoRecord,     // GET  /api/v1/veo/record-info
  kMarketCreate,  // POST /api/v1/jobs/createTask
  kMarketRecord,  // GET  /api/v1/jobs/recordInfo
  kUpload,        // POST /api/file-stream-upload
  kCredit,        // GET  /api/v1/chat/credit
  kResult,        // GET  /results/… (generated videos) and /files/… (uploads); no auth
  kOther,         // anything else (answered 404)
};

struct FakeKieOptions {
  std::string api_key = "kie-test-key-0123456789abcdef";
  // KIE's account limit on new tasks, over both families; more get HTTP 429, never queued.
  int create_limit = 20;
  std::chrono::milliseconds create_window{10'000};
  double credits = 10'000;
  double credits_per_task = 10;
  // Served for results unless a task's script names a file; empty: a small placeholder with an
  // MP4 ftyp header (give a real video when the code under test probes it).
  std::filesystem::path default_video;
  // Result URLs answer 403 this long after the task finished; 0: they never expire by time.
  std::chrono::milliseconds result_ttl{0};
  // KIE makes 3 delivery attempts per callback; this is the pause between them.
  std::chrono::milliseconds callback_retry{50};
  std::chrono::milliseconds callback_timeout{2'000};
  // Non-empty: callbacks carry X-Webhook-Timestamp and X-Webhook-Signature =
  // base64(HMAC-SHA256(key, taskId + "." + timestamp)), as with webhookHmacKey set at KIE.
  std::string webhook_hmac_key;
  // User-Agent prefixes Cloudflare treats as bots (compared case-insensitively), besides none.
  std::vector<std::string> blocked_user_agents = {"python-urllib", "go-http-client", "curl/"};
};

enum class TaskEnd { kSuccess, kFail, kNever };
enum class CallbackMode { kOnce, kDrop, kTwice };

// How one task runs. By default it ends on the first status read.
struct TaskScript {
  int pending_polls = 0;  // status reads answered "still running" before the end shows
  // Set: the task ends this long after its creation instead (reads before then are pending),
  // and its callback goes out at that moment.
  std::optional<std::chrono::milliseconds> finish_after;
  // The first reads answer 422 "recordInfo is null" (Veo: "record is null"): the create race.
  int null_record_polls = 0;
  TaskEnd end = TaskEnd::kSuccess;
  int fail_code = 500;  // Veo errorCode, Market failCode
  std::string fail_message = "Internal error, please try again later.";
  int veo_fail_flag = 2;  // successFlag of a failed Veo task: 2 or 3
  int result_count = 1;
  std::filesystem::path video;  // served for this task's results; empty: the default video
  CallbackMode callback = CallbackMode::kOnce;
  std::chrono::milliseconds callback_delay{0};
};

// An answer given instead of the real one.
struct KieFault {
  int http_status = 200;
  int code = 500;
  std::string msg = "Internal Error";
  bool message_key = false;        // "message" instead of "msg", as some Market examples
  std::string raw_body;            // non-empty: sent as is, text/plain; code and msg unused
  std::optional<int> retry_after;  // Retry-After header, seconds
};

struct KieRecordedRequest {
  KieEndpoint endpoint = KieEndpoint::kOther;
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  // JSON bodies as parsed; multipart as {field: value} with files as {"filename", "size"};
  // null otherwise.
  nlohmann::json body;
  int http_status = 0;  // answered
  int code = 0;         // the envelope's code answered; 0 when the answer was no envelope
  std::chrono::steady_clock::time_point at;

  std::optional<std::string> header(std::string_view name) const;
};

struct KieCreatedTask {
  std::string task_id;
  bool veo = false;
  std::string model;
  std::string prompt;
  std::string callback_url;
  nlohmann::json body;  // the create request as sent
  // Veo: which name carried the ratio ("aspect_ratio", "aspectRatio"), "" when none was sent;
  // aspect_ratio is then KIE's silent default "16:9". Market: the model's aspect field, if any.
  std::string aspect_field;
  std::string aspect_ratio;
  std::vector<std::string> image_urls;
};

struct KieCallbackDelivery {
  std::string task_id;
  std::string url;
  int copy = 1;     // 2 for the duplicate of CallbackMode::kTwice
  int attempt = 1;  // 1…3
  int status = 0;   // the receiver's HTTP status; 0 when none
  std::string error;
  nlohmann::json body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Runs on its own thread; every public member may be called from any thread.
class FakeKie {
 public:
  explicit FakeKie(FakeKieOptions options = {});
  ~FakeKie();  // stops
  FakeKie(const FakeKie&) = delete;
  FakeKie& operator=(const FakeKie&) = delete;

  void start();  // listens on 127.0.0.1, a free port
  void stop();   // abandons pending callbacks; what was recorded stays readable

  // "http://127.0.0.1:PORT": both the API base and the upload base.
  std::string base_url() const;
  const std::string& api_key() const;

  // --- tasks ---
  void set_default_script(TaskScript script);
  void script_next_task(TaskScript script);  // queued: each new task takes the next one
  // Replaces the script of an existing task (progress so far is kept); false if unknown.
  bool set_task_script(const std::string& task_id, TaskScript script);
  // Ends a running task successfully now, whatever its script said; its callback goes out.
  void finish_now(const std::string& task_id);

  // --- faults: for the next `count` calls of an endpoint (kAny: of every API call) ---
  void fail_next(KieEndpoint endpoint, int count, KieFault fault);
  void delay_next(KieEndpoint endpoint, int count, std::chrono::milliseconds delay);
  void drop_next(KieEndpoint endpoint, int count);  // close the connection without answering
  void set_out_of_credits(bool out);                // creates answer 402
  void set_credits(double credits);
  void expire_results(bool expired = true);  // every result URL answers 403 while set
  // The upload answer's URL field: "downloadUrl" (docs) or "fileUrl" (the quickstart's shape).
  void set_upload_url_field(std::string field);

  // --- observations ---
  std::vector<KieRecordedRequest> requests() const;
  std::vector<KieRecordedRequest> requests(KieEndpoint endpoint) const;
  std::size_t request_count(KieEndpoint endpoint = KieEndpoint::kAny) const;
  void clear_requests();
  std::vector<KieCreatedTask> created_tasks() const;
  std::size_t create_count() const;
  std::size_t creates_with_prompt(std::string_view prompt) const;
  // Creates whose callBackUrl contains `text` (e.g. a job id in our callback path).
  std::size_t creates_with_callback_containing(std::string_view text) const;
  std::vector<KieCallbackDelivery> callback_deliveries() const;
  bool wait_for_callbacks(std::size_t count, std::chrono::milliseconds timeout) const;
  // Names (uploadPath/fileName) of the files uploaded so far.
  std::vector<std::string> uploaded_files() const;
  double credits() const;
  // When the task turned successful or failed; nullopt while it runs or when unknown.
  std::optional<std::chrono::steady_clock::time_point> finished_at(
      const std::string& task_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nc::fakes
