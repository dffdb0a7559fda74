#include "bot/flow_state.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "store/ids.hpp"

namespace nc::bot {
namespace {

constexpr std::array<std::pair<Step, std::string_view>, 7> kSteps{{
    {Step::kMenu, "menu"},
    {Step::kAwaitPhoto, "await_photo"},
    {Step::kAwaitProduct, "await_product"},
    {Step::kAwaitTemplate, "await_template"},
    {Step::kAwaitWishes, "await_wishes"},
    {Step::kAwaitCount, "await_count"},
    {Step::kAwaitConfirm, "await_confirm"},
}};

}  // namespace

std::string_view to_string(Step step) {
  for (const auto& [value, name] : kSteps) {
    if (value == step) return name;
  }
  return "menu";
}

FlowState FlowState::fresh(Step step) {
  return FlowState{.step = step, .flow = store::new_uuid().substr(0, 8)};
}

FlowState FlowState::from_row(const store::ConversationRow& row) {
  FlowState state;
  for (const auto& [value, name] : kSteps) {
    if (name == row.state) state.step = value;
  }
  const auto data = nlohmann::json::parse(row.data, nullptr, false);
  if (!data.is_object()) return state;
  state.flow = data.value("flow", "");
  state.photo_path = data.value("photo_path", "");
  state.product = data.value("product", "");
  state.template_id = data.value("template_id", "");
  state.wishes = data.value("wishes", "");
  state.count = data.value("count", 0);
  return state;
}

store::ConversationRow FlowState::to_row() const {
  nlohmann::json data{{"flow", flow},         {"photo_path", photo_path},
                      {"product", product},   {"template_id", template_id},
                      {"wishes", wishes},     {"count", count}};
  return store::ConversationRow{std::string(to_string(step)), data.dump()};
}

}  // namespace nc::bot
