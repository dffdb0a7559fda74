// Reading KIE's answers: the {code, msg, data} envelope behind an HTTP status, and every failure
// classified for the worker (contract sections 2 and 11.3): retry, fail and refund, or call the
// operator. Provider failure texts become sentences a seller may read.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_client.hpp"
#include "providers/provider.hpp"

namespace nc::providers::kie {

// Which call an answer belongs to; a few codes mean different things on different calls.
enum class KieCall { kCreate, kStatus, kUpload, kBalance };

// "create", "status", "upload", "balance".
std::string_view to_string(KieCall call);

// user_reason sentences; the bot translates these (and shows any other reason as is).
inline constexpr std::string_view kReasonContentFilter =
    "the provider's content filter rejected the photo or text";
inline constexpr std::string_view kReasonImageFetch = "the provider could not download the photo";
inline constexpr std::string_view kReasonEnglishOnly = "the provider accepts only English prompts";
inline constexpr std::string_view kReasonGenerationFailed =
    "the provider could not generate the video";
inline constexpr std::string_view kReasonRefused = "the provider refused the request";
inline constexpr std::string_view kReasonBusy = "the video service is busy right now";
inline constexpr std::string_view kReasonUnavailable =
    "the video service is temporarily unavailable";

// A KIE code other than 200 (the body's `code`, or the HTTP status when there is no body code)
// and the message that came with it.
ProviderError classify_code(int code, std::string_view message, KieCall call);

// A task KIE ran and reported failed (successFlag 2/3, state "fail"): always permanent. `code`
// is errorCode/failCode as given (may be empty).
ProviderError task_failure(std::string_view code, std::string_view message);

// The provider's failure text as a seller may read it: content-policy, image-fetch and
// language failures become the fixed sentences above; other short plain English text is kept;
// anything else becomes kReasonGenerationFailed.
std::string user_reason_for(std::string_view provider_message);

// Retry-After as delta-seconds; nullopt for anything else (HTTP dates are not worth the parse).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

struct KieReply {
  ProviderError error;  // kNone: code 200 and data holds the envelope's data
  nlohmann::json data;
};

// Checks the transport, the HTTP status and the envelope's code (msg, falling back to message).
// A body that is not a JSON envelope is a transient error: KIE answered something else.
KieReply read_reply(const net::HttpResponse& response, KieCall call);

}  // namespace nc::providers::kie
