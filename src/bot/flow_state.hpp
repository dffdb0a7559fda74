// The seller's place in the conversation and what they chose so far, stored as JSON in the
// conversations table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/conversations.hpp"

namespace nc::bot {

enum class Step {
  kMenu,
  kAwaitPhoto,
  kAwaitProduct,
  kAwaitTemplate,
  kAwaitWishes,
  kAwaitCount,
  kAwaitConfirm,
};

std::string_view to_string(Step step);

struct FlowState {
  Step step = Step::kMenu;
  std::string flow;  // id of the current flow; buttons of other flows are stale
  std::string photo_path;
  std::string product;
  std::string template_id;
  std::string wishes;
  int count = 0;

  // A fresh flow at `step`, with a new id (buttons of earlier flows become stale).
  static FlowState fresh(Step step);
  static FlowState from_row(const store::ConversationRow& row);
  store::ConversationRow to_row() const;
};

}  // namespace nc::bot
