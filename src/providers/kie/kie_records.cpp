// Veo and Market task records into TaskStatus.
#include "providers/kie/kie_records.hpp"

#include <fmt/format.h>

#include "core/untrusted_json.hpp"
#include "providers/kie/kie_reply.hpp"

namespace nc::providers::kie {
namespace {

using nlohmann::json;

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// Codes arrive as numbers or strings; messages as strings or null.
std::string text_of(const json* value) {
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number()) return value->dump();
  return {};
}

bool is_http_url(const std::string& text) {
  return text.starts_with("https://") || text.starts_with("http://");
}

TaskStatus unreadable(std::string message) {
  TaskStatus status;
  status.error.kind = ErrorClass::kTransient;
  status.error.message = std::move(message);
  status.error.user_reason = std::string(kReasonBusy);
  return status;
}

TaskStatus succeeded(std::vector<std::string> urls, std::string_view what) {
  if (urls.empty())
    return unreadable(fmt::format("KIE {} record: success without result URLs", what));
  TaskStatus status;
  status.state = TaskState::kSucceeded;
  status.result_urls = std::move(urls);
  return status;
}

TaskStatus failed(const json* code, const json* message) {
  TaskStatus status;
  status.state = TaskState::kFailed;
  status.error = task_failure(text_of(code), text_of(message));
  return status;
}

}  // namespace

std::vector<std::string> read_url_list(const json& value) {
  std::vector<std::string> urls;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (item.is_string() && is_http_url(item.get_ref<const std::string&>())) {
        urls.push_back(item.get<std::string>());
      }
    }
  } else if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.starts_with("[")) {
      auto parsed = core::parse_untrusted_json(text);
      if (parsed.ok() && parsed->is_array()) return read_url_list(*parsed);
    } else if (is_http_url(text)) {
      urls.push_back(text);
    }
  }
  return urls;
}

TaskStatus read_veo_record(const json& data) {
  const auto* flag = member(data, "successFlag");
  if (flag == nullptr || !flag->is_number_integer()) {
    return unreadable("KIE Veo record: no successFlag");
  }
  switch (flag->get<int>()) {
    case 0:
      return TaskStatus{};
    case 1: {
      std::vector<std::string> urls;
      for (const char* holder : {"response", "info"}) {
        if (const auto* object = member(data, holder)) {
          if (const auto* list = member(*object, "resultUrls")) urls = read_url_list(*list);
        }
        if (!urls.empty()) break;
      }
      return succeeded(std::move(urls), "Veo");
    }
    case 2:
    case 3:
      return failed(member(data, "errorCode"), member(data, "errorMessage"));
    default:
      return unreadable(fmt::format("KIE Veo record: unknown successFlag {}", flag->dump()));
  }
}

TaskStatus read_market_record(const json& data) {
  const auto state = text_of(member(data, "state"));
  if (state == "waiting" || state == "queuing" || state == "generating" || state == "wait" ||
      state == "queueing") {
    return TaskStatus{};
  }
  if (state == "success") {
    const auto* result = member(data, "resultJson");
    json object;
    if (result != nullptr && result->is_string()) {
      auto parsed = core::parse_untrusted_json(result->get_ref<const std::string&>());
      if (parsed.ok()) object = std::move(*parsed);
    } else if (result != nullptr) {
      object = *result;
    }
    std::vector<std::string> urls;
    if (const auto* list = member(object, "resultUrls")) urls = read_url_list(*list);
    return succeeded(std::move(urls), "Market");
  }
  if (state == "fail") return failed(member(data, "failCode"), member(data, "failMsg"));
  return unreadable(fmt::format("KIE Market record: unknown state '{}'", state.substr(0, 40)));
}

}  // namespace nc::providers::kie
