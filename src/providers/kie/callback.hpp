// KIE task callbacks: reading which task a callback is about, and the signature we put into
// our own callBackUrl so that only KIE (who got the URL from us) can make a job due early.
//
// A callback is only a hint (contract section 8): it tells which task to re-read now. Its
// result URLs and its success or failure are never trusted; the status call decides.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "providers/provider.hpp"

namespace nc::providers::kie {

struct CallbackHint {
  std::string task_id;
  bool looks_done = false;  // the body claims a finished task (success or failure)
};

// Veo and Market bodies: the task id from data.taskId, then data.task_id, then top-level taskId.
// Errors: "invalid_json" (not a JSON object, too large or too deep), "no_task_id".
core::Result<CallbackHint> parse_callback(std::string_view body);

// The `sig` query parameter for a job's callback URL: hex HMAC-SHA256 of the job id.
std::string sign_callback(std::string_view job_id, std::string_view secret);
// Constant-time check of a `sig` from a callback request; false for an empty secret.
bool verify_callback(std::string_view job_id, std::string_view sig, std::string_view secret);

// KIE's own optional signing (webhookHmacKey in its settings): X-Webhook-Signature is
// base64(HMAC-SHA256(key, task_id + "." + timestamp)) and X-Webhook-Timestamp the unix seconds.
// KIE sets no replay window, so timestamps further than `window` from now are refused.
bool verify_kie_signature(std::string_view task_id, std::string_view timestamp,
                          std::string_view signature, std::string_view key,
                          std::chrono::system_clock::time_point now,
                          std::chrono::seconds window = std::chrono::minutes(5));

// public_base_url + "/kie/callback/<job id>?sig=<signature>" (the job id percent-encoded).
std::string callback_url(std::string_view public_base_url, std::string_view job_id,
                         std::string_view secret);

// KIE's calls to us, at /kie/callback/<job id>?sig=<signature>.
class KieCallbacks final : public CallbackEndpoint {
 public:
  static constexpr std::string_view kPath = "/kie/callback/";
  // Without a public address the URLs are empty (KIE is then only polled); calls that still
  // arrive are read all the same.
  KieCallbacks(std::string public_base_url, std::string secret)
      : public_base_url_(std::move(public_base_url)), secret_(std::move(secret)) {}
  std::string_view path() const override { return kPath; }
  std::string url_for(std::string_view job_id) const override;
  std::optional<CallbackNotice> read(std::string_view job_id, std::string_view signature,
                                     std::string_view body) const override;

 private:
  std::string public_base_url_;
  std::string secret_;
};

}  // namespace nc::providers::kie
