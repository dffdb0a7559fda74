// One update being handled: everything a handler may read and the replies it decides on.
// Handlers run inside the transaction that also records the update id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bot/flow_state.hpp"
#include "bot/incoming.hpp"
#include "bot/replies.hpp"
#include "bot/texts.hpp"
#include "core/credit_packs.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "store/database.hpp"
#include "store/users.hpp"

namespace nc::bot {

struct BotSettings {
  std::vector<std::int64_t> admin_ids;
  std::int64_t start_credits = 0;
  std::string default_model = "veo3_fast";
  std::size_t max_product_chars = 500;
  std::size_t max_wishes_chars = 500;
  std::vector<core::CreditPack> packs;  // sold for Stars; empty: top-ups off
  std::string paysupport_text;          // empty: the built-in text in the seller's language
  std::string terms_text;
};

// Long-lived dependencies shared by every turn.
struct BotDeps {
  const core::TemplateCatalog& catalog;
  const core::ModelRegistry& models;
  BotSettings settings;
};

struct Turn {
  store::Connection& db;
  const Incoming& in;
  const Prepared& prepared;
  store::User user;
  FlowState& state;
  Language language;
  const Texts& texts;
  Replies& out;
  const BotDeps& deps;
  std::string toast;          // shown when answering a button press
  bool jobs_created = false;  // wake the workers after the commit
  std::int64_t credits_charged = 0;  // counted once the transaction commits
  std::string pack_bought;           // a pack credited by this update, for metrics ("10:150")
  std::int64_t stars_paid = 0;
};

// The main menu, with [💳 Пополнить] when packs are sold.
Keyboard menu_keyboard(const Turn& turn);

// Handlers, one file per feature (start, reels_flow, balance, history, results, admin).
void show_menu(Turn& turn);
void handle_start(Turn& turn);
void handle_help(Turn& turn);
void handle_cancel(Turn& turn);
void handle_balance(Turn& turn);
void handle_history(Turn& turn);
void handle_resend(Turn& turn, const std::string& job_id);
void handle_retry_same_product(Turn& turn);
void handle_back_to_menu(Turn& turn);
bool handle_admin_command(Turn& turn);  // false: not an admin command for this user

// Top-ups with Telegram Stars (payments.cpp).
void handle_top_up(Turn& turn);
// "b:<flow>:<credits>": an invoice for the pack, coming back to the order summary of `flow`.
void handle_buy(Turn& turn, const std::string& flow, const std::string& credits);
void handle_successful_payment(Turn& turn);
void handle_paysupport(Turn& turn);
void handle_terms(Turn& turn);
void handle_promo(Turn& turn);  // "/promo CODE"

// The Reels flow.
void begin_reels(Turn& turn);
// A new flow that skips photo and product (🔄 «Сделать ещё с этим товаром»).
void begin_reels_with(Turn& turn, const std::string& photo_path, const std::string& product);
void on_flow_message(Turn& turn);                // any message while inside the flow
void on_flow_button(Turn& turn, char action, const std::string& value);
// The order summary with its cost and the seller's balance (after a top-up, too).
void show_summary(Turn& turn);

}  // namespace nc::bot
