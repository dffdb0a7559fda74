// /start, /help, /cancel and the main menu.
#include "bot/keyboards.hpp"
#include "bot/turn.hpp"

namespace nc::bot {

void show_menu(Turn& turn) {
  turn.state = FlowState{};
  turn.out.send_text(std::string(turn.texts.menu), main_menu_keyboard(turn.texts));
}

void handle_start(Turn& turn) {
  turn.state = FlowState{};
  turn.out.send_text(std::string(turn.texts.welcome), main_menu_keyboard(turn.texts));
}

void handle_help(Turn& turn) {
  turn.out.send_text(std::string(turn.texts.help), main_menu_keyboard(turn.texts));
}

void handle_cancel(Turn& turn) {
  turn.out.send_text(std::string(turn.texts.cancelled));
  show_menu(turn);
}

void handle_back_to_menu(Turn& turn) { show_menu(turn); }

}  // namespace nc::bot
