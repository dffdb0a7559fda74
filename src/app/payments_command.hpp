// `neurocards admin payments …` and `admin payment refund …`: the operator's view of the Stars
// top-ups, refunds through the Bot API, and a reconciliation with Telegram's Star transactions.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "app/admin_command.hpp"

namespace nc::app {

void add_payment_commands(CLI::App& admin, const std::function<void(StoreCommand)>& run);

}  // namespace nc::app
