// The answer to a pre_checkout_query: yes only for an open payment of this seller, at this
// price, for a pack still sold. Read-only, so it can run on the intake path within Telegram's
// 10 seconds; crediting waits for successful_payment.
#pragma once

#include "bot/incoming.hpp"
#include "bot/turn.hpp"
#include "store/database.hpp"

namespace nc::bot {

PreCheckoutAnswer decide_pre_checkout(store::Connection& db, const BotSettings& settings,
                                      const PreCheckout& query);

}  // namespace nc::bot
