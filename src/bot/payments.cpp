// Top-ups with Telegram Stars: the packs screen, the invoice, the receipt, /paysupport, /terms;
// and promo codes (/promo CODE).
#include "store/payments.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

#include "bot/keyboards.hpp"
#include "bot/turn.hpp"
#include "store/promo_codes.hpp"

namespace nc::bot {
namespace {

std::optional<std::int64_t> parse_credits(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// After a top-up the seller comes back to the order summary they could not afford, if they are
// still in that order.
bool returns_to_summary(const FlowState& state, const store::Payment& payment) {
  return !payment.return_flow.empty() && payment.return_flow == state.flow && state.count > 0 &&
         (state.step == Step::kAwaitCount || state.step == Step::kAwaitConfirm);
}

}  // namespace

void handle_top_up(Turn& turn) {
  const auto& packs = turn.deps.settings.packs;
  if (packs.empty()) return turn.out.send_text(std::string(turn.texts.top_ups_off));
  turn.out.send_text(std::string(turn.texts.top_up_choose), packs_keyboard(turn.texts, packs, ""));
}

void handle_buy(Turn& turn, const std::string& flow, const std::string& credits) {
  const auto amount = parse_credits(credits);
  const auto pack = amount ? core::find_pack(turn.deps.settings.packs, *amount) : std::nullopt;
  if (!pack) {
    turn.toast = std::string(turn.texts.pack_not_sold);
    return;
  }
  // A summary button from an earlier flow no longer has a summary to come back to.
  const std::string return_flow = flow == turn.state.flow ? flow : "";
  const auto payment = store::Payments::open(turn.db, turn.user.id, *pack, return_flow);
  const auto credits_arg = fmt::arg("credits", pack->credits);
  turn.out.send_invoice(format(turn.texts.invoice_title, credits_arg),
                        format(turn.texts.invoice_description, credits_arg), payment.payload,
                        format(turn.texts.invoice_label, credits_arg), pack->stars);
}

void handle_successful_payment(Turn& turn) {
  const auto& in = turn.in;
  const auto credited = in.payment_currency == "XTR"
                            ? store::Payments::credit(turn.db, in.user_id, in.payment_payload,
                                                      in.payment_charge_id, in.payment_amount)
                            : store::Credited{};
  switch (credited.outcome) {
    case store::CreditOutcome::kCredited:
      break;
    case store::CreditOutcome::kAlreadyCredited:
      spdlog::info("charge {} of user {} was credited before; no second credit",
                   in.payment_charge_id, in.user_id);
      return;
    case store::CreditOutcome::kNoSuchPayment:
    case store::CreditOutcome::kAboveLimit:
      // Telegram took the Stars: the operator settles it (admin payments reconcile or refund).
      spdlog::error(
          "user {} paid {} {} (charge {}) for payload '{}' that matches no open "
          "payment; not credited",
          in.user_id, in.payment_amount, in.payment_currency, in.payment_charge_id,
          in.payment_payload);
      return turn.out.send_text(std::string(turn.texts.payment_unmatched));
  }
  turn.user.credits = credited.balance;
  turn.pack_bought = credited.payment.pack;
  turn.stars_paid = credited.payment.stars;
  const auto receipt =
      format(turn.texts.receipt, fmt::arg("credits", credited.payment.credits),
             fmt::arg("stars", credited.payment.stars), fmt::arg("balance", credited.balance));
  if (returns_to_summary(turn.state, credited.payment)) {
    turn.out.send_text(receipt);
    return show_summary(turn);
  }
  turn.out.send_text(receipt, menu_keyboard(turn));
}

void handle_promo(Turn& turn) {
  if (turn.in.command_args.empty()) return turn.out.send_text(std::string(turn.texts.promo_usage));
  const auto redeemed =
      store::PromoCodes::redeem(turn.db, turn.user.id, turn.user.tg_user_id, turn.in.command_args);
  switch (redeemed.outcome) {
    case store::PromoOutcome::kRedeemed:
      turn.user.credits = redeemed.balance;
      return turn.out.send_text(
          format(turn.texts.promo_redeemed, fmt::arg("credits", redeemed.credits),
                 fmt::arg("balance", redeemed.balance)),
          menu_keyboard(turn));
    case store::PromoOutcome::kUnknown:
      return turn.out.send_text(std::string(turn.texts.promo_unknown));
    case store::PromoOutcome::kUsedUp:
    case store::PromoOutcome::kAboveLimit:
      return turn.out.send_text(std::string(turn.texts.promo_used_up));
    case store::PromoOutcome::kExpired:
      return turn.out.send_text(std::string(turn.texts.promo_expired));
    case store::PromoOutcome::kAlreadyUsed:
      return turn.out.send_text(std::string(turn.texts.promo_already_used));
  }
}

void handle_paysupport(Turn& turn) {
  const auto& text = turn.deps.settings.paysupport_text;
  turn.out.send_text(text.empty() ? std::string(turn.texts.paysupport) : text);
}

void handle_terms(Turn& turn) {
  const auto& text = turn.deps.settings.terms_text;
  turn.out.send_text(text.empty() ? std::string(turn.texts.terms) : text);
}

}  // namespace nc::bot
