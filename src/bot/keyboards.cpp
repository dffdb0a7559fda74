#include "bot/keyboards.hpp"

namespace nc::bot {
namespace {

using nlohmann::json;

json button(std::string_view text, std::string data) {
  return json{{"text", text}, {"callback_data", std::move(data)}};
}

json markup(json rows) { return json{{"inline_keyboard", std::move(rows)}}; }

}  // namespace

CallbackData parse_callback(std::string_view data) {
  CallbackData parsed;
  if (data.size() < 3 || data[1] != ':') return parsed;
  parsed.action = data[0];
  const auto rest = data.substr(2);
  if (parsed.action == 'h') {
    parsed.value = std::string(rest);
    return parsed;
  }
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return CallbackData{};
  parsed.flow = std::string(rest.substr(0, colon));
  parsed.value = std::string(rest.substr(colon + 1));
  return parsed;
}

Keyboard main_menu_keyboard(const Texts& texts, bool top_up) {
  json last_row = json::array();
  if (top_up) last_row.push_back(button(texts.button_top_up, std::string(callback::kMenuTopUp)));
  last_row.push_back(button(texts.button_help, std::string(callback::kMenuHelp)));
  return markup(json::array({
      json::array({button(texts.button_make_reels, std::string(callback::kMenuReels))}),
      json::array({button(texts.button_balance, std::string(callback::kMenuBalance)),
                   button(texts.button_history, std::string(callback::kMenuHistory))}),
      std::move(last_row),
  }));
}

Keyboard packs_keyboard(const Texts& texts, const std::vector<core::CreditPack>& packs,
                        const std::string& return_flow) {
  json rows = json::array();
  for (const auto& pack : packs) {
    rows.push_back(json::array({button(
        format(texts.button_pack, fmt::arg("credits", pack.credits), fmt::arg("stars", pack.stars)),
        fmt::format("b:{}:{}", return_flow.empty() ? callback::kNoFlow : return_flow,
                    pack.credits))}));
  }
  return markup(std::move(rows));
}

Keyboard packs_and_menu_keyboard(const Texts& texts, const std::vector<core::CreditPack>& packs) {
  auto keyboard = packs_keyboard(texts, packs, "");
  const auto menu = main_menu_keyboard(texts, !packs.empty());
  for (const auto& row : menu["inline_keyboard"]) {
    keyboard["inline_keyboard"].push_back(row);
  }
  return keyboard;
}

Keyboard templates_keyboard(const core::TemplateCatalog& catalog, Language language,
                            const std::string& flow) {
  json rows = json::array();
  for (const auto& item : catalog.all()) {
    rows.push_back(json::array(
        {button(item.title(language_code(language)), "t:" + flow + ":" + item.id)}));
  }
  return markup(std::move(rows));
}

Keyboard skip_keyboard(const Texts& texts, const std::string& flow) {
  return markup(json::array({json::array({button(texts.button_skip, "w:" + flow + ":skip")})}));
}

Keyboard count_keyboard(const std::string& flow) {
  json row = json::array();
  for (const char* count : {"1", "3", "5"}) row.push_back(button(count, "n:" + flow + ":" + count));
  return markup(json::array({row}));
}

Keyboard confirm_keyboard(const Texts& texts, const std::string& flow) {
  return markup(json::array({json::array({button(texts.button_launch, "c:" + flow + ":go"),
                                          button(texts.button_cancel, "c:" + flow + ":no")})}));
}

Keyboard result_keyboard(const Texts& texts) {
  return markup(json::array(
      {json::array({button(texts.button_retry_same, std::string(callback::kRetrySameProduct))}),
       json::array({button(texts.button_back_to_menu, std::string(callback::kBackToMenu))})}));
}

Keyboard resend_keyboard(const Texts& texts,
                         const std::vector<std::pair<int, std::string>>& done_jobs) {
  json rows = json::array();
  for (const auto& [index, job_id] : done_jobs) {
    rows.push_back(
        json::array({button(format(texts.button_resend, fmt::arg("index", index)), "h:" + job_id)}));
  }
  return markup(std::move(rows));
}

}  // namespace nc::bot
