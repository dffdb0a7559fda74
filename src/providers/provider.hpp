// The interface the worker drives a generation provider through: create a task, read its state,
// make an input image reachable, check the account; every failure comes back classified.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/models.hpp"

namespace nc::providers {

enum class TaskState { kPending, kSucceeded, kFailed };

enum class ErrorClass {
  kNone,
  kTransient,  // retry with backoff
  kPermanent,  // fail the job and refund
  kOperator,   // bad key, out of credits, blocked: pause, alert admins
};

inline std::string_view to_string(ErrorClass kind) {
  switch (kind) {
    case ErrorClass::kNone:
      return "none";
    case ErrorClass::kTransient:
      return "transient";
    case ErrorClass::kPermanent:
      return "permanent";
    case ErrorClass::kOperator:
      return "operator";
  }
  return "unknown";
}

struct ProviderError {
  ErrorClass kind = ErrorClass::kNone;
  int code = 0;         // the provider's code (HTTP status or body code); 0 for network errors
  std::string message;  // for logs
  // Short, plain, safe to show a seller, in English; the bot translates the known ones.
  std::string user_reason;
  std::optional<std::chrono::seconds> retry_after;

  bool ok() const { return kind == ErrorClass::kNone; }
};

struct SubmitRequest {
  std::string job_id;
  core::GenerationRequest generation;
  std::string callback_url;  // may be empty
  // For providers that render locally: the product's name for the title and the format id.
  std::string title;
  std::string template_id;
  int take = 0;  // which video of its batch, from 0: a local render varies its camera by it
  // Awaited after any throttle wait, just before the create goes out: the caller records that a
  // create is under way. false: nothing is sent (the job was taken over by another worker).
  std::function<boost::asio::awaitable<bool>()> about_to_send;

  // What a provider awaits before its create goes out: about_to_send's answer, true without one.
  boost::asio::awaitable<bool> may_send() const {
    if (!about_to_send) co_return true;
    const bool go_ahead = co_await about_to_send();
    co_return go_ahead;
  }
};

struct SubmitResult {
  std::string task_id;
  ProviderError error;
  bool ok() const { return error.ok() && !task_id.empty(); }
};

struct TaskStatus {
  TaskState state = TaskState::kPending;
  std::vector<std::string> result_urls;
  // error.kind == kNone for a readable status. A task that failed at the provider is
  // state == kFailed with a kPermanent error saying why.
  ProviderError error;
};

struct UploadResult {
  std::string url;
  std::chrono::system_clock::time_point expires_at;
  ProviderError error;
};

// What a provider needs and offers. Code outside providers/ asks these, never a provider's name.
struct Capabilities {
  // Makes videos on this machine from local files: inputs need no link or upload, and jobs
  // without a model use the provider's own ("local").
  bool renders_locally = false;
  // Whether it can call back is callback_url(): empty when it cannot.
};

// A provider's call that a job's task changed: only a hint to read the task's status now.
struct CallbackNotice {
  std::string job_id;
  std::optional<std::string> task_id;  // when the body names one
};

// Where a provider calls us: POST <path()><job id>?sig=<signature>. The signature is ours, so
// only the provider, which got the URL from us, can make a job due early.
class CallbackEndpoint {
 public:
  virtual ~CallbackEndpoint() = default;
  virtual std::string_view path() const = 0;
  // The URL to hand the provider with a job's create; empty without a public address.
  virtual std::string url_for(std::string_view job_id) const = 0;
  // A call to path(): `job_id` is the rest of the path. nullopt when it is not genuine.
  virtual std::optional<CallbackNotice> read(std::string_view job_id, std::string_view signature,
                                             std::string_view body) const = 0;
};

class Provider {
 public:
  virtual ~Provider() = default;
  // For logs, metrics and the job's record; never to decide what to do (see capabilities()).
  virtual std::string_view name() const = 0;
  virtual Capabilities capabilities() const = 0;
  // The callback URL for a job's create; empty when the provider cannot call back or there is
  // no public address.
  virtual std::string callback_url(std::string_view /*job_id*/) const { return {}; }
  // Creates one task. Never retried inside: a transient error means no task id came back and
  // the caller decides whether to try again.
  virtual boost::asio::awaitable<SubmitResult> submit(const SubmitRequest& request) = 0;
  // The provider's own view of the task; the authority over any callback.
  virtual boost::asio::awaitable<TaskStatus> status(const std::string& model,
                                                    const std::string& task_id) = 0;
  // Makes a local image reachable by the provider; unique_name must not repeat.
  virtual boost::asio::awaitable<UploadResult> upload_image(const std::string& local_path,
                                                            const std::string& unique_name) = 0;
  // Remaining provider credits; nullopt when they could not be read.
  virtual boost::asio::awaitable<std::optional<double>> account_balance() = 0;

  // After every exchange (a create, a status read, an upload, a local render): its name and
  // "ok" or the class of failure. For metrics.
  std::function<void(std::string_view call, std::string_view result)> on_exchange;
};

// "ok" for no error, else the class's name.
inline std::string_view result_label(ErrorClass kind) {
  return kind == ErrorClass::kNone ? "ok" : to_string(kind);
}

}  // namespace nc::providers
