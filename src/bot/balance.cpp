// /balance and the 💰 button: the balance, the packs on sale and the menu.
#include "bot/keyboards.hpp"
#include "bot/turn.hpp"

namespace nc::bot {

void handle_balance(Turn& turn) {
  turn.out.send_text(format(turn.texts.balance, fmt::arg("balance", turn.user.credits)),
                     packs_and_menu_keyboard(turn.texts, turn.deps.settings.packs));
}

}  // namespace nc::bot
