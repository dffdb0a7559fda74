// The conversation driven update by update through the production path: Dispatcher::
// handle_in_batch (dedupe, the group commit, the outbox) on a real store, with what a test
// reads back: the replies (texts, keyboards, button answers) and the stored state.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/dispatcher.hpp"
#include "bot/flow_state.hpp"
#include "core/credit_packs.hpp"
#include "core/job.hpp"
#include "core/models.hpp"
#include "core/templates.hpp"
#include "integration/test_database.hpp"

namespace nc::testing {

using Calls = std::vector<store::PendingCall>;

class BotHarness {
 public:
  static constexpr std::int64_t kSeller = 31337;
  static constexpr std::int64_t kAdmin = 1;

  explicit BotHarness(store::Backend backend = store::Backend::kSqlite);

  // A new process: new database handle, router and dispatcher; only the database remains.
  void restart();
  // Sells these packs from now on (a restart with CREDIT_PACKS set).
  void sell(std::vector<core::CreditPack> packs);

  // An update from `user` (the seller by default) with the next update id.
  bot::Incoming base(bot::IncomingKind kind, std::int64_t user = kSeller);
  // Handles one update in the group transaction, as the bot front does, and waits for it.
  bot::Handled deliver(const bot::Incoming& in, const bot::Prepared& prepared = {});
  // deliver() for an update that is new; returns the replies.
  Calls send(const bot::Incoming& in, const bot::Prepared& prepared = {});
  Calls text(const std::string& text);
  Calls command(const std::string& name, const std::string& args = "", std::int64_t user = kSeller);
  Calls photo(const std::string& stored_path);
  // A photo the bot front could not take (downloaded, checked) for `problem`.
  Calls bad_photo(bot::PhotoProblem problem);
  Calls other(bot::IncomingKind kind);
  Calls press(const std::string& data, std::int64_t message_id = 10);
  // Telegram's successful_payment for an invoice payload, from `user`.
  bot::Incoming payment(const std::string& payload, std::int64_t stars,
                        const std::string& charge_id, std::int64_t user = kSeller);
  // The answer the bot front gives a pre_checkout_query.
  bot::PreCheckoutAnswer pre_checkout(const std::string& payload, std::int64_t stars,
                                      std::int64_t user = kSeller,
                                      const std::string& language = "ru");
  // Each update handled by a front of its own (own database handle and dispatcher), all at
  // once, as bot fronts on several hosts would; the results in the same order.
  std::vector<bot::Handled> deliver_concurrently(const std::vector<bot::Incoming>& updates);

  // Reading the replies.
  static nlohmann::json payload(const store::PendingCall& call);
  // The text of the first sendMessage among the calls.
  static std::string said(const Calls& calls);
  // Every sendMessage text, in order.
  static std::vector<std::string> all_said(const Calls& calls);
  // callback_data of every button of the last message with a keyboard.
  static std::vector<std::string> buttons(const Calls& calls);
  // The labels of that keyboard, row by row.
  static std::vector<std::vector<std::string>> labels(const Calls& calls);
  // The answer to the button press ("" without a toast); "<not answered>" when none.
  static std::string toast(const Calls& calls);
  static std::vector<std::string> methods(const Calls& calls);
  // The parameters of the last sendInvoice among the calls (null when none).
  static nlohmann::json invoice(const Calls& calls);
  // callback_data of every button of the sendMessage whose text is `text`.
  static std::vector<std::string> buttons_of(const Calls& calls, const std::string& text);
  // The main menu's callback data, as buttons() gives it.
  static const std::vector<std::string>& menu_buttons();

  // The stored state.
  std::int64_t balance(std::int64_t user = kSeller);
  std::vector<core::Job> jobs(std::int64_t user = kSeller);
  bot::FlowState state(std::int64_t user = kSeller);
  void grant(int credits);
  // Marks a job delivered as `message_id`, as the worker does.
  void delivered(const std::string& job_id, std::int64_t message_id);

  // Walks to the confirmation (photo, product, the second format, no wishes, `count`) and
  // returns the confirmation's buttons.
  std::vector<std::string> walk_to_confirmation(const std::string& count);

  store::Database& db() { return *database_; }
  const std::string& database_url() const { return test_db_.url(); }
  const core::TemplateCatalog& catalog() const { return catalog_; }

 private:
  TestDatabase test_db_;
  std::int64_t update_id_ = 1000;
  const core::TemplateCatalog catalog_ = core::TemplateCatalog::defaults();
  const core::ModelRegistry models_ = core::ModelRegistry::defaults();
  // What one process holds; restart() replaces them.
  std::vector<core::CreditPack> packs_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<bot::Router> router_;
  std::unique_ptr<bot::Dispatcher> dispatcher_;
};

}  // namespace nc::testing
