#include "bot/router.hpp"

#include "bot/keyboards.hpp"
#include "bot/pre_checkout.hpp"
#include "store/conversations.hpp"

namespace nc::bot {

bool Router::wants_photo(store::Connection& db, std::int64_t user_id) {
  auto row = store::Conversations::load(db, user_id);
  if (!row) return true;  // a new user's first photo starts the flow
  const auto step = FlowState::from_row(*row).step;
  return step == Step::kMenu || step == Step::kAwaitPhoto;
}

TurnResult Router::apply(store::Connection& db, const Incoming& in, const Prepared& prepared,
                         Replies& out) const {
  auto user = store::Users::upsert(db, in.user_id, in.username, in.language_code,
                                   deps_.settings.start_credits);
  auto row = store::Conversations::load(db, in.user_id);
  FlowState state = row ? FlowState::from_row(*row) : FlowState{};
  const auto language = language_of(user.language);
  Turn turn{.db = db,
            .in = in,
            .prepared = prepared,
            .user = user,
            .state = state,
            .language = language,
            .texts = texts(language),
            .out = out,
            .deps = deps_};
  route(turn);
  // Every button press is answered, or the client keeps showing a spinner.
  if (in.kind == IncomingKind::kCallback) out.answer_callback(in.callback_id, turn.toast);
  store::Conversations::save(db, in.user_id, state.to_row());
  return TurnResult{.jobs_created = turn.jobs_created,
                    .credits_charged = turn.credits_charged,
                    .pack_bought = turn.pack_bought,
                    .stars_paid = turn.stars_paid};
}

PreCheckoutAnswer Router::decide_pre_checkout(store::Connection& db,
                                              const PreCheckout& query) const {
  return bot::decide_pre_checkout(db, deps_.settings, query);
}

void Router::route(Turn& turn) const {
  switch (turn.in.kind) {
    case IncomingKind::kCallback: return route_callback(turn);
    case IncomingKind::kCommand: return route_command(turn);
    case IncomingKind::kPayment: return handle_successful_payment(turn);
    default: break;
  }
  if (turn.state.step == Step::kMenu) {
    if (turn.in.kind == IncomingKind::kPhoto) {
      // A photo sent from the menu is taken as the start of a new video.
      turn.state = FlowState::fresh(Step::kAwaitPhoto);
      return on_flow_message(turn);
    }
    return turn.out.send_text(std::string(turn.texts.hint_menu), menu_keyboard(turn));
  }
  on_flow_message(turn);
}

void Router::route_command(Turn& turn) const {
  const auto& command = turn.in.command;
  if (command == "start") return handle_start(turn);
  if (command == "help") return handle_help(turn);
  if (command == "cancel") return handle_cancel(turn);
  if (command == "balance") return handle_balance(turn);
  if (command == "history") return handle_history(turn);
  if (command == "topup") return handle_top_up(turn);
  if (command == "paysupport") return handle_paysupport(turn);
  if (command == "terms") return handle_terms(turn);
  if (command == "promo") return handle_promo(turn);
  if (handle_admin_command(turn)) return;
  turn.out.send_text(std::string(turn.texts.hint_unknown_command));
}

void Router::route_callback(Turn& turn) const {
  const auto& data = turn.in.callback_data;
  if (data == callback::kMenuReels) return begin_reels(turn);
  if (data == callback::kMenuBalance) return handle_balance(turn);
  if (data == callback::kMenuHistory) return handle_history(turn);
  if (data == callback::kMenuHelp) return handle_help(turn);
  if (data == callback::kMenuTopUp) return handle_top_up(turn);
  if (data == callback::kRetrySameProduct) return handle_retry_same_product(turn);
  if (data == callback::kBackToMenu) return handle_back_to_menu(turn);
  const auto parsed = parse_callback(data);
  if (parsed.action == 'h') return handle_resend(turn, parsed.value);
  if (parsed.action == 'b') return handle_buy(turn, parsed.flow, parsed.value);
  if (parsed.action != 0 && !parsed.flow.empty() && parsed.flow == turn.state.flow) {
    return on_flow_button(turn, parsed.action, parsed.value);
  }
  turn.toast = std::string(turn.texts.hint_stale_button);
}

}  // namespace nc::bot
