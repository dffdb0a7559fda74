// KIE envelope reading and the error table of the contract (sections 2 and 11.3).
#include "providers/kie/kie_reply.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "core/untrusted_json.hpp"

namespace nc::providers::kie {
namespace {

constexpr std::size_t kLogMessageLimit = 300;
constexpr std::size_t kUserReasonLimit = 160;
// Maintenance is announced in minutes; a hint so the worker does not hammer it.
constexpr std::chrono::seconds kMaintenanceRetry{120};
constexpr std::chrono::seconds kMaxRetryAfter{3600};

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_any(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(), [haystack](std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
  });
}

// Provider text goes into logs shortened and on one line.
std::string for_log(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kLogMessageLimit)) {
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  if (text.size() > kLogMessageLimit) out += "…";
  return out;
}

// KIE answers enum and required-field mistakes on createTask with 500 (contract 2, [field×3]).
bool is_validation_message(std::string_view lowered) {
  return contains_any(lowered, {"not within the range of allowed options", "is required"});
}

bool names_model(std::string_view lowered) {
  return lowered.find("model") != std::string_view::npos;
}

ProviderError make(ErrorClass kind, int code, std::string message, std::string user_reason) {
  ProviderError error;
  error.kind = kind;
  error.code = code;
  error.message = std::move(message);
  error.user_reason = std::move(user_reason);
  return error;
}

std::optional<int> int_field(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    int parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc{} && end == text.data() + text.size()) return parsed;
  }
  return std::nullopt;
}

std::string envelope_message(const nlohmann::json& body) {
  for (const char* key : {"msg", "message"}) {
    auto it = body.find(key);
    if (it != body.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return it->get<std::string>();
    }
  }
  return {};
}

// The causes a seller can do something about, as fixed sentences.
std::optional<std::string_view> known_reason(std::string_view provider_message) {
  const auto lowered = lower(provider_message);
  if (contains_any(lowered, {"content polic", "policy", "violat", "flagged", "unsafe", "nsfw",
                             "sensitive content", "moderation", "inappropriate", "prohibited",
                             "rejected by flow", "safety", "public figure"})) {
    return kReasonContentFilter;
  }
  if (contains_any(lowered, {"only english", "english prompt"})) return kReasonEnglishOnly;
  if (contains_any(lowered, {"fetch", "download the image", "image url", "access the image",
                             "image download"})) {
    return kReasonImageFetch;
  }
  return std::nullopt;
}

}  // namespace

ProviderError classify_code(int code, std::string_view message, KieCall call) {
  const auto lowered = lower(message);
  const auto log = fmt::format("KIE {} answered {}: {}", to_string(call), code, for_log(message));
  // A refused request's own text is about our parameters, not for a seller; only the known
  // causes a seller can act on are passed on.
  const auto permanent = [&](std::string_view fallback_reason) {
    return make(ErrorClass::kPermanent, code, log,
                std::string(known_reason(message).value_or(fallback_reason)));
  };
  const auto transient = [&] {
    return make(ErrorClass::kTransient, code, log, std::string(kReasonBusy));
  };
  const auto operator_error = [&] {
    return make(ErrorClass::kOperator, code, log, std::string(kReasonUnavailable));
  };

  switch (code) {
    case 400:
      return permanent(kReasonRefused);
    case 401:  // key missing or invalid
    case 402:  // the account is out of credits
    case 403:  // Cloudflare (1010: User-Agent) or a blocked key
    case 433:  // sub-key cap reached
    case 505:  // model or feature disabled
      return operator_error();
    case 404:
      return names_model(lowered) ? operator_error() : permanent(kReasonRefused);
    case 408:  // upstream gave nothing for ten minutes
      return transient();
    case 422:
      if (names_model(lowered)) return operator_error();
      // Right after a create the record may not exist yet; polling again settles it.
      if (call == KieCall::kStatus && lowered.find("is null") != std::string::npos) {
        return transient();
      }
      return permanent(kReasonRefused);
    case 429:
      return transient();
    case 451:
      return make(ErrorClass::kPermanent, code, log, std::string(kReasonImageFetch));
    case 455: {
      auto error = transient();
      error.retry_after = kMaintenanceRetry;
      return error;
    }
    case 500:
      return is_validation_message(lowered) ? permanent(kReasonRefused) : transient();
    case 501:
      return permanent(kReasonGenerationFailed);
    default:
      // Other client errors will not change on a retry; anything else might.
      if (code >= 400 && code < 500) return permanent(kReasonRefused);
      return transient();
  }
}

ProviderError task_failure(std::string_view code, std::string_view message) {
  int numeric = 0;
  std::from_chars(code.data(), code.data() + code.size(), numeric);
  return make(
      ErrorClass::kPermanent, numeric,
      fmt::format("KIE task failed ({}): {}", code.empty() ? "no code" : code, for_log(message)),
      user_reason_for(message));
}

std::string user_reason_for(std::string_view provider_message) {
  if (auto known = known_reason(provider_message)) return std::string(*known);
  const auto lowered = lower(provider_message);
  // Anything else is shown only when it is a short plain sentence without URLs or data.
  std::string_view text = provider_message;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == '.')) {
    text.remove_suffix(1);
  }
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f && c != '{' && c != '}' && c != '[' && c != ']' && c != '<';
  });
  if (text.empty() || !plain || text.size() > kUserReasonLimit ||
      contains_any(lowered, {"http://", "https://", "www.", "exception", "traceback"})) {
    return std::string(kReasonGenerationFailed);
  }
  std::string out(text);
  out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::min(std::chrono::seconds(seconds), kMaxRetryAfter);
}

KieReply read_reply(const net::HttpResponse& response, KieCall call) {
  KieReply reply;
  if (!response.error.empty() || response.status == 0) {
    reply.error = make(ErrorClass::kTransient, 0,
                       fmt::format("KIE {}: {}{}", to_string(call),
                                   response.timed_out ? "timed out: " : "network error: ",
                                   for_log(response.error)),
                       std::string(kReasonBusy));
    return reply;
  }
  const auto status = static_cast<int>(response.status);
  auto parsed = core::parse_untrusted_json(response.body);
  const bool envelope = parsed.ok() && parsed->is_object();
  std::optional<int> code;
  std::string message;
  if (envelope) {
    if (auto it = parsed->find("code"); it != parsed->end()) code = int_field(*it);
    message = envelope_message(*parsed);
  }

  if (status < 200 || status >= 300) {
    if (!envelope) {
      // Cloudflare and proxies answer in plain text or HTML; keep its first words for the log.
      message = response.body;
    }
    const int effective = code && *code != 200 ? *code : status;
    reply.error = classify_code(effective, message, call);
    if (status == 429 || effective == 429) {
      if (auto header = response.header("retry-after")) {
        reply.error.retry_after = parse_retry_after(*header);
      }
    }
    return reply;
  }
  if (!envelope || !code) {
    reply.error = make(ErrorClass::kTransient, status,
                       fmt::format("KIE {}: HTTP {} without a JSON envelope{}", to_string(call),
                                   status, parsed.ok() ? "" : " (" + parsed.error().message + ")"),
                       std::string(kReasonBusy));
    return reply;
  }
  if (*code != 200) {
    reply.error = classify_code(*code, message, call);
    if (*code == 429) {
      if (auto header = response.header("retry-after")) {
        reply.error.retry_after = parse_retry_after(*header);
      }
    }
    return reply;
  }
  if (auto it = parsed->find("data"); it != parsed->end()) reply.data = std::move(*it);
  return reply;
}

std::string_view to_string(KieCall call) {
  switch (call) {
    case KieCall::kCreate:
      return "create";
    case KieCall::kStatus:
      return "status";
    case KieCall::kUpload:
      return "upload";
    case KieCall::kBalance:
      return "balance";
  }
  return "other";
}

}  // namespace nc::providers::kie
