// Admin commands in the chat (ADMIN_IDS): /stats and /grant <tg_id> <n>. For anyone else they
// are unknown commands.
#include <algorithm>
#include <charconv>
#include <sstream>

#include "bot/turn.hpp"
#include "store/ledger.hpp"
#include "store/overview.hpp"

namespace nc::bot {
namespace {

template <typename Int>
bool parse_number(const std::string& text, Int& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

void stats(Turn& turn) {
  const auto shop = store::read_overview(turn.db);
  turn.out.send_text(format(turn.texts.admin_stats, fmt::arg("users", shop.users),
                            fmt::arg("queued", shop.queued), fmt::arg("active", shop.active),
                            fmt::arg("done", shop.done), fmt::arg("failed", shop.failed),
                            fmt::arg("credits", shop.credits)));
}

void grant(Turn& turn) {
  std::istringstream args(turn.in.command_args);
  std::string user_text, amount_text, extra;
  args >> user_text >> amount_text >> extra;
  std::int64_t tg_user_id = 0, amount = 0;
  if (!parse_number(user_text, tg_user_id) || !parse_number(amount_text, amount) ||
      !extra.empty() || amount < 1 || amount > 100000) {
    turn.out.send_text(std::string(turn.texts.admin_grant_usage));
    return;
  }
  auto user = store::Users::find(turn.db, tg_user_id);
  if (!user) {
    turn.out.send_text(format(turn.texts.admin_unknown_user, fmt::arg("user", tg_user_id)));
    return;
  }
  // Keyed by the update: a redelivered /grant grants nothing more.
  const auto posted = store::Ledger::post(
      turn.db, store::Posting{.user_id = user->id,
                              .delta = amount,
                              .reason = "grant",
                              .idempotency_key = "botgrant:" + std::to_string(turn.in.update_id),
                              .note = "by admin " + std::to_string(turn.user.tg_user_id)});
  const auto balance = store::Users::find(turn.db, tg_user_id)->credits;
  if (posted == store::PostingOutcome::kAboveLimit) {
    turn.out.send_text(format(turn.texts.admin_grant_limit, fmt::arg("user", tg_user_id),
                              fmt::arg("balance", balance), fmt::arg("limit", store::kMaxBalance)));
    return;
  }
  turn.out.send_text(format(turn.texts.admin_granted, fmt::arg("amount", amount),
                            fmt::arg("user", tg_user_id), fmt::arg("balance", balance)));
}

}  // namespace

bool handle_admin_command(Turn& turn) {
  const auto& admins = turn.deps.settings.admin_ids;
  if (std::find(admins.begin(), admins.end(), turn.user.tg_user_id) == admins.end()) return false;
  if (turn.in.command == "stats") {
    stats(turn);
    return true;
  }
  if (turn.in.command == "grant") {
    grant(turn);
    return true;
  }
  return false;
}

}  // namespace nc::bot
