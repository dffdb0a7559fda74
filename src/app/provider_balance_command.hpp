// `neurocards admin provider-balance`: the video provider account's remaining credits.
#pragma once

#include "app/config.hpp"

namespace nc::app {

// Prints the KIE account's credits; exit 0, 1 when they cannot be read (the reason is logged),
// 2 when no KIE key is configured.
int print_provider_balance(const Config& config, bool as_json);

}  // namespace nc::app
