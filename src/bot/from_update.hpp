// Turns a Bot API update into what the conversation reads. Updates the bot does not handle
// (edited messages, channel posts, …) give nothing.
#pragma once

#include <optional>

#include "bot/incoming.hpp"
#include "telegram/types.hpp"

namespace nc::bot {

// Telegram will not let a bot download more than this (getFile on the cloud server).
inline constexpr std::int64_t kMaxDownloadBytes = 20 * 1024 * 1024;

std::optional<Incoming> from_update(const telegram::Update& update);
PreCheckout from_query(const telegram::PreCheckoutQuery& query);

}  // namespace nc::bot
