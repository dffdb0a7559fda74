// Guarded nlohmann parse: the parser callback aborts deep input before it builds anything big.
#include "core/untrusted_json.hpp"

#include <string>

#include "core/utf16.hpp"

namespace nc::core {
namespace {

struct TooDeep {};

Error make_error(std::string_view code, std::string message) {
  return Error{std::string(code), std::move(message)};
}

}  // namespace

Result<nlohmann::json> parse_untrusted_json(std::string_view text, JsonLimits limits) {
  using nlohmann::json;
  if (text.size() > limits.max_bytes) {
    return make_error(kErrorTooLarge, "JSON is " + std::to_string(text.size()) +
                                          " bytes; the limit is " +
                                          std::to_string(limits.max_bytes));
  }
  // nlohmann checks UTF-8 inside strings only; this also names the problem plainly.
  if (!valid_utf8(text)) return make_error(kErrorInvalidUtf8, "JSON is not valid UTF-8");

  // depth is the number of containers already open when a new one starts.
  const auto guard = [max_depth = limits.max_depth](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= max_depth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), guard);
  } catch (const TooDeep&) {
    return make_error(kErrorTooDeep,
                      "JSON nests deeper than " + std::to_string(limits.max_depth) + " levels");
  } catch (const json::parse_error& e) {
    return make_error(kErrorInvalidJson, "invalid JSON at byte " + std::to_string(e.byte));
  } catch (const json::exception&) {
    // out_of_range 406: a number too large even for a double.
    return make_error(kErrorInvalidJson, "invalid JSON: number out of range");
  }
}

}  // namespace nc::core
