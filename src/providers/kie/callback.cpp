// Callback body parsing and callback URL signing.
#include "providers/kie/callback.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/untrusted_json.hpp"
#include "net/hmac.hpp"
#include "providers/kie/percent_encode.hpp"

namespace nc::providers::kie {
namespace {

using nlohmann::json;

constexpr core::JsonLimits kCallbackLimits{.max_bytes = 1 << 20, .max_depth = 32};

std::string string_at(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return {};
}

bool claims_done(const json& body, const json& data) {
  // Market callbacks carry the record's state; Veo and Runway ones are only sent when a task
  // ended, as success (code 200 with results) or failure (any other code).
  if (auto state = string_at(data, "state"); !state.empty()) {
    return state == "success" || state == "fail";
  }
  if (data.is_object() && data.contains("successFlag")) {
    const auto& flag = data["successFlag"];
    return flag.is_number_integer() && flag.get<int>() != 0;
  }
  return body.contains("code");
}

}  // namespace

core::Result<CallbackHint> parse_callback(std::string_view body) {
  auto parsed = core::parse_untrusted_json(body, kCallbackLimits);
  if (!parsed.ok() || !parsed->is_object()) {
    return core::Error{"invalid_json", parsed.ok() ? "the callback body is not a JSON object"
                                                   : parsed.error().message};
  }
  const json& root = *parsed;
  const json empty = json::object();
  const json& data = root.contains("data") && root["data"].is_object() ? root["data"] : empty;
  CallbackHint hint;
  for (auto candidate :
       {string_at(data, "taskId"), string_at(data, "task_id"), string_at(root, "taskId")}) {
    if (!candidate.empty()) {
      hint.task_id = std::move(candidate);
      break;
    }
  }
  if (hint.task_id.empty()) return core::Error{"no_task_id", "the callback names no task"};
  hint.looks_done = claims_done(root, data);
  return hint;
}

std::string sign_callback(std::string_view job_id, std::string_view secret) {
  return net::to_hex(net::hmac_sha256(secret, job_id));
}

bool verify_callback(std::string_view job_id, std::string_view sig, std::string_view secret) {
  if (secret.empty()) return false;
  return net::constant_time_equal(sign_callback(job_id, secret), sig);
}

bool verify_kie_signature(std::string_view task_id, std::string_view timestamp,
                          std::string_view signature, std::string_view key,
                          std::chrono::system_clock::time_point now, std::chrono::seconds window) {
  if (key.empty() || task_id.empty()) return false;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (timestamp.empty() || ec != std::errc{} || end != timestamp.data() + timestamp.size()) {
    return false;
  }
  const auto sent = std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  if (sent > now + window || sent < now - window) return false;
  const auto expected =
      net::base64_encode(net::hmac_sha256(key, fmt::format("{}.{}", task_id, timestamp)));
  return net::constant_time_equal(expected, signature);
}

std::string callback_url(std::string_view public_base_url, std::string_view job_id,
                         std::string_view secret) {
  while (!public_base_url.empty() && public_base_url.back() == '/') {
    public_base_url.remove_suffix(1);
  }
  return fmt::format("{}/kie/callback/{}?sig={}", public_base_url, percent_encode(job_id),
                     sign_callback(job_id, secret));
}

std::string KieCallbacks::url_for(std::string_view job_id) const {
  if (public_base_url_.empty()) return {};
  return callback_url(public_base_url_, job_id, secret_);
}

std::optional<CallbackNotice> KieCallbacks::read(std::string_view job_id,
                                                 std::string_view signature,
                                                 std::string_view body) const {
  if (!verify_callback(job_id, signature, secret_)) return std::nullopt;
  CallbackNotice notice{.job_id = std::string(job_id)};
  // Only a hint; it may also name the task of a job whose creator was cut off.
  auto hint = parse_callback(body);
  if (hint.ok()) notice.task_id = hint.value().task_id;
  return notice;
}

}  // namespace nc::providers::kie
