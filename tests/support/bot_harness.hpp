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
  const core::TemplateCatalog& catalog() const { return catalog_; }

 private:
  TestDatabase test_db_;
  std::int64_t update_id_ = 1000;
  const core::TemplateCatalog catalog_ = core::TemplateCatalog::defaults();
  const core::ModelRegistry models_ = core::ModelRegistry::defaults();
  // What one process holds; restart() replaces them.
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<bot::Router> router_;
  std::unique_ptr<bot::Dispatcher> dispatcher_;
};

}  // namespace nc::testing
