// /balance and the 💰 button.
#include "bot/keyboards.hpp"
#include "bot/turn.hpp"

namespace nc::bot {

void handle_balance(Turn& turn) {
  turn.out.send_text(format(turn.texts.balance, fmt::arg("balance", turn.user.credits)),
                     main_menu_keyboard(turn.texts));
}

}  // namespace nc::bot
