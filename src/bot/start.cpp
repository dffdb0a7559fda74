// /start, /help, /cancel and the main menu.
#include "bot/keyboards.hpp"
#include "bot/turn.hpp"

namespace nc::bot {

Keyboard menu_keyboard(const Turn& turn) {
  return main_menu_keyboard(turn.texts, !turn.deps.settings.packs.empty());
}

void show_menu(Turn& turn) {
  turn.state = FlowState{};
  turn.out.send_text(std::string(turn.texts.menu), menu_keyboard(turn));
}

void handle_start(Turn& turn) {
  turn.state = FlowState{};
  turn.out.send_text(std::string(turn.texts.welcome), menu_keyboard(turn));
}

void handle_help(Turn& turn) {
  turn.out.send_text(std::string(turn.texts.help), menu_keyboard(turn));
}

void handle_cancel(Turn& turn) {
  turn.out.send_text(std::string(turn.texts.cancelled));
  show_menu(turn);
}

void handle_back_to_menu(Turn& turn) { show_menu(turn); }

}  // namespace nc::bot
