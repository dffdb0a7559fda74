#include "bot/pre_checkout.hpp"

#include "store/payments.hpp"

namespace nc::bot {

PreCheckoutAnswer decide_pre_checkout(store::Connection& db, const BotSettings& settings,
                                      const PreCheckout& query) {
  const auto& words = texts(language_of(query.language_code));
  const auto refuse = [](std::string_view why) {
    return PreCheckoutAnswer{.ok = false, .error_message = std::string(why)};
  };
  const auto payment = store::Payments::by_payload(db, query.payload);
  // A forged or foreign payload, a paid or refunded invoice, a changed price: all stale.
  if (!payment || payment->tg_user_id != query.user_id || payment->status != "created" ||
      query.currency != "XTR" || payment->stars != query.total_amount) {
    return refuse(words.pre_checkout_stale);
  }
  const auto pack = core::find_pack(settings.packs, payment->credits);
  if (!pack || pack->stars != payment->stars) return refuse(words.pre_checkout_not_sold);
  return PreCheckoutAnswer{.ok = true};
}

}  // namespace nc::bot
